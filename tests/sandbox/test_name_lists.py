"""Writable name and tracking lists (issue 11 item 1): Vendor, Employee, Class, Department, Term, PaymentMethod,
TaxAgency, and the company profiles (a non-US company, a new company)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qbsync.sandbox.accounting.cdc import change_data_capture, parse_cdc_request
from qbsync.sandbox.accounting.entities.lists import term_due_date
from qbsync.sandbox.accounting.faults import QBOFault
from sandbox_faults import expect_fault as _fault


def _sparse(company, entity, entity_id, **fields):
    current = company.get_object(entity, entity_id)
    return company.update(entity, {'Id': entity_id, 'SyncToken': current['SyncToken'], 'sparse': True, **fields})


def test_vendor_create_update_deactivate_and_names_unique_across_people(company, events):
    vendor = company.create('Vendor', {'GivenName': 'Rita', 'FamilyName': 'Ortega', 'CompanyName': 'Ortega Stone',
                                       'TaxIdentifier': '99-1234567', 'BillRate': '45.5', 'TermRef': {'value': '3'}})
    assert vendor['DisplayName'] == 'Rita Ortega' and vendor['PrintOnCheckName'] == 'Ortega Stone'
    assert vendor['TaxIdentifier'] == 'XXXXXX4567' and vendor['BillRate'] == Decimal('45.5')
    assert vendor['TermRef'] == {'value': '3', 'name': 'Net 15'} and vendor['CurrencyRef']['value'] == 'USD'
    assert vendor['Balance'] == 0 and (events[-1].entity, events[-1].operation) == ('Vendor', 'Create')
    for entity in ('Vendor', 'Customer', 'Employee'):          # one name space for all three (6240)
        fault = _fault('6240', company.create, entity, {'DisplayName': 'rita ortega'})
        assert 'customer, vendor or employee' in fault.errors[0].detail
    _fault('6080', company.create, 'Vendor', {'CompanyName': 'Only a company'})
    _fault('2040', company.create, 'Vendor', {'DisplayName': 'Bad:Name'})
    _fault('2500', company.create, 'Vendor', {'DisplayName': 'Odd terms', 'TermRef': {'value': '99'}})
    _fault('6000', company.create, 'Vendor', {'DisplayName': 'Odd AP', 'APAccountRef': {'value': '1'}})
    updated = _sparse(company, 'Vendor', vendor['Id'], DisplayName='Ortega Stoneworks')
    assert updated['SyncToken'] == '1' and updated['GivenName'] == 'Rita'
    full = company.update('Vendor', {'Id': vendor['Id'], 'SyncToken': '1', 'DisplayName': 'Ortega Stoneworks'})
    assert 'GivenName' not in full and full['Vendor1099'] is False       # a full update drops omitted fields
    gone = _sparse(company, 'Vendor', vendor['Id'], Active=False)
    assert gone['Active'] is False and (events[-1].entity, events[-1].operation) == ('Vendor', 'Delete')
    assert company.query("select * from Vendor where DisplayName = 'Ortega Stoneworks'") == {}
    assert company.query("select * from Vendor where Active = false")['Vendor'][0]['Id'] == vendor['Id']
    fault = _fault('500', company.delete, 'Vendor', {'Id': vendor['Id'], 'SyncToken': '3'})
    assert 'A Vendor cannot be deleted: make it inactive (Active:false) instead.' in fault.errors[0].detail
    _fault('6000', _sparse, company, 'Vendor', vendor['Id'], CurrencyRef={'value': 'EUR'})


def test_employee_masks_ssn_checks_dates_and_merges(company, events):
    employee = company.create('Employee', {'GivenName': 'Tom', 'FamilyName': 'Reyes', 'SSN': '123-45-6789',
                                           'HiredDate': '2026-01-05', 'Gender': 'Male', 'BillRate': 30})
    assert employee['DisplayName'] == 'Tom Reyes' and employee['SSN'] == 'XXX-XX-6789'
    assert employee['HiredDate'] == '2026-01-05' and employee['BillableTime'] is False
    _fault('2080', company.create, 'Employee', {'GivenName': 'Ann', 'BirthDate': 'yesterday'})
    _fault('2170', company.create, 'Employee', {'GivenName': 'Ann', 'Gender': 'Robot'})
    _fault('6240', company.create, 'Employee', {'DisplayName': "Amy's Bird Sanctuary"})      # a customer's name
    assert company.read('Employee', employee['Id'])['SSN'] == 'XXX-XX-6789'
    merged = company.merge('Employee', '1', employee['Id'])
    assert merged['Id'] == '1' and (events[-1].operation, events[-1].deleted_id) == ('Merge', employee['Id'])
    _fault('610', company.read, 'Employee', employee['Id'])


@pytest.mark.parametrize('entity, flag', [('Class', 'SubClass'), ('Department', 'SubDepartment')])
def test_class_and_department_hierarchies(company, events, entity, flag):
    top = company.create(entity, {'Name': 'North'})
    assert top[flag] is False and top['FullyQualifiedName'] == 'North' and top['Active'] is True
    sub = company.create(entity, {'Name': 'Wharf', flag: True, 'ParentRef': {'value': top['Id']}})
    assert sub['FullyQualifiedName'] == 'North:Wharf' and sub['ParentRef'] == {'value': top['Id'], 'name': 'North'}
    assert company.create(entity, {'Name': 'Wharf'})['FullyQualifiedName'] == 'Wharf'   # same name, other path
    _fault('6240', company.create, entity, {'Name': 'wharf', flag: True, 'ParentRef': {'value': top['Id']}})
    _fault('2040', company.create, entity, {'Name': 'A:B'})
    _fault('2020', company.create, entity, {'Name': ' '})
    _fault('2500', company.create, entity, {'Name': 'Orphan', flag: True, 'ParentRef': {'value': '999'}})
    chain = sub
    for level in range(3):
        chain = company.create(entity, {'Name': f'L{level}', flag: True, 'ParentRef': {'value': chain['Id']}})
    assert chain['FullyQualifiedName'] == 'North:Wharf:L0:L1:L2'
    _fault('6180', company.create, entity, {'Name': 'Too deep', flag: True, 'ParentRef': {'value': chain['Id']}})
    _fault('6000', _sparse, company, entity, top['Id'], Active=False)    # active sub-records first
    renamed = _sparse(company, entity, chain['Id'], Name='Leaf')
    assert renamed['FullyQualifiedName'] == 'North:Wharf:L0:L1:Leaf'
    assert (events[-1].entity, events[-1].operation) == (entity, 'Update')
    found = company.query(f"select * from {entity} where FullyQualifiedName like 'North:%'")
    assert len(found[entity]) == 4
    moved = _sparse(company, entity, top['Id'], Name='Northern')          # the paths below follow a rename
    assert moved['FullyQualifiedName'] == 'Northern'
    assert company.read(entity, chain['Id'])['FullyQualifiedName'] == 'Northern:Wharf:L0:L1:Leaf'
    assert company.read(entity, sub['Id'])['ParentRef'] == {'value': top['Id'], 'name': 'Northern'}
    _fault('500', company.delete, entity, {'Id': top['Id'], 'SyncToken': '0'})


def test_terms_standard_and_date_driven(company):
    net = company.create('Term', {'Name': 'Net 45', 'DueDays': 45, 'DiscountDays': 10, 'DiscountPercent': '2'})
    assert (net['Type'], net['DueDays'], net['DiscountPercent']) == ('STANDARD', 45, Decimal('2'))
    monthly = company.create('Term', {'Name': '15th next month', 'DayOfMonthDue': 15, 'DueNextMonthDays': 10})
    assert monthly['Type'] == 'DATE_DRIVEN' and 'DueDays' not in monthly
    _fault('6000', company.create, 'Term', {'Name': 'Both', 'DueDays': 5, 'DayOfMonthDue': 3})
    _fault('2020', company.create, 'Term', {'Name': 'Neither'})
    _fault('2090', company.create, 'Term', {'Name': 'Day 40', 'DayOfMonthDue': 40})
    _fault('2050', company.create, 'Term', {'Name': 'x' * 32, 'DueDays': 1})
    _fault('6240', company.create, 'Term', {'Name': 'net 30', 'DueDays': 30})
    _fault('6000', _sparse, company, 'Term', net['Id'], DueDays=None, DayOfMonthDue=2)
    assert term_due_date(monthly, date(2026, 3, 2)) == date(2026, 3, 15)
    assert term_due_date(monthly, date(2026, 3, 8)) == date(2026, 4, 15)       # within 10 days of the 15th
    assert term_due_date({'Type': 'DATE_DRIVEN', 'DayOfMonthDue': 31}, date(2026, 2, 3)) == date(2026, 2, 28)
    invoice = company.create('Invoice', {'CustomerRef': {'value': '1'}, 'TxnDate': '2026-03-08',
                                         'SalesTermRef': {'value': monthly['Id']},
                                         'Line': [{'Amount': 10, 'DetailType': 'SalesItemLineDetail'}]})
    assert invoice['DueDate'] == '2026-04-15'
    renamed = _sparse(company, 'Term', net['Id'], Name='Net 45 days')
    assert renamed['DueDays'] == 45 and renamed['SyncToken'] == '1'


def test_payment_method_and_tax_agency(company):
    method = company.create('PaymentMethod', {'Name': 'Venmo'})
    assert method['Type'] == 'NON_CREDIT_CARD'
    _fault('2170', company.create, 'PaymentMethod', {'Name': 'Chips', 'Type': 'POKER'})
    agency = company.create('TaxAgency', {'DisplayName': 'City of Tucson', 'TaxRegistrationNumber': 'AZ-1'})
    assert agency['TaxTrackedOnSales'] is True and agency['TaxAgencyConfig'] == 'USER_DEFINED'
    _fault('6240', company.create, 'TaxAgency', {'DisplayName': 'city of tucson'})
    _fault('500', company.update, 'TaxAgency', {'Id': agency['Id'], 'SyncToken': '0', 'DisplayName': 'X'})


def test_new_lists_reach_cdc_webhooks_and_batch(sandbox_state, company, events, clock):
    from qbsync.sandbox.accounting.batch import run_batch
    answers = run_batch(company, {'BatchItemRequest': [
        {'bId': '1', 'operation': 'create', 'Class': {'Name': 'Retail'}},
        {'bId': '2', 'operation': 'create', 'Vendor': {'DisplayName': 'Batch Vendor'}},
        {'bId': '3', 'operation': 'create', 'Term': {'Name': 'Net 7', 'DueDays': 7}},
        {'bId': '4', 'Query': 'select * from Employee'}]})
    assert answers[0]['Class']['Name'] == 'Retail' and answers[1]['Vendor']['DisplayName'] == 'Batch Vendor'
    assert answers[2]['Term']['DueDays'] == 7 and len(answers[3]['QueryResponse']['Employee']) == 5
    assert [(e.entity, e.operation) for e in events] == [('Class', 'Create'), ('Vendor', 'Create'),
                                                         ('Term', 'Create')]
    since = (clock.now()).isoformat()
    changed = change_data_capture(company, parse_cdc_request(company, 'Class,Vendor,Term', since))
    kinds = [next(k for k in entry if k not in ('startPosition', 'maxResults'))
             for entry in changed[0]['QueryResponse']]
    assert kinds == ['Class', 'Vendor', 'Term']


def test_company_profiles_global_and_new(sandbox_state):
    store = sandbox_state.companies
    uk = store.get(store.create_company(profile='global').realm_id)
    assert uk.name.startswith('Sandbox Company_GB_') and str(uk.zone) == 'Europe/London'
    info, prefs = uk.read('CompanyInfo', '1'), uk.read('Preferences', '1')
    assert info['Country'] == 'GB' and prefs['CurrencyPrefs']['HomeCurrency'] == {'value': 'GBP'}
    assert prefs['TaxPrefs']['PartnerTaxEnabled'] is False
    assert uk.get_object('TaxCode', 'NON') is None and uk.get_object('TaxCode', '2')['Name'] == '20.0% S'
    customer = uk.create('Customer', {'DisplayName': 'Fenwick Florists'})
    assert customer['CurrencyRef'] == {'value': 'GBP', 'name': 'British Pound Sterling'}
    line = {'Amount': '100.00', 'DetailType': 'SalesItemLineDetail',
            'SalesItemLineDetail': {'ItemRef': {'value': '3'}, 'TaxCodeRef': {'value': '2'}}}
    zero = {'Amount': '50.00', 'DetailType': 'SalesItemLineDetail',
            'SalesItemLineDetail': {'ItemRef': {'value': '4'}, 'TaxCodeRef': {'value': '4'}}}
    with pytest.raises(QBOFault) as missing:
        uk.create('Invoice', {'CustomerRef': {'value': customer['Id']}, 'Line': [line]})
    assert missing.value.code == '2020' and missing.value.errors[0].element == 'GlobalTaxCalculation'
    excluded = uk.create('Invoice', {'CustomerRef': {'value': customer['Id']}, 'Line': [line, zero],
                                     'GlobalTaxCalculation': 'TaxExcluded'})
    assert excluded['TotalAmt'] == Decimal('170.00') and excluded['TxnTaxDetail']['TotalTax'] == Decimal('20.00')
    assert excluded['CurrencyRef']['value'] == 'GBP'
    assert [t['TaxLineDetail']['NetAmountTaxable'] for t in excluded['TxnTaxDetail']['TaxLine']] == [
        Decimal('100.00'), Decimal('50.00')]
    included = uk.create('Invoice', {'CustomerRef': {'value': customer['Id']}, 'Line': [line],
                                     'GlobalTaxCalculation': 'TaxInclusive'})
    assert included['TotalAmt'] == Decimal('100.00') and included['TxnTaxDetail']['TotalTax'] == Decimal('16.67')
    none = uk.create('Invoice', {'CustomerRef': {'value': customer['Id']}, 'Line': [line],
                                 'GlobalTaxCalculation': 'NotApplicable'})
    assert none['TotalAmt'] == Decimal('100.00') and 'TxnTaxDetail' not in none
    fresh = store.get(store.create_company(profile='new').realm_id)
    counts = {entity: len(bucket) for entity, bucket in fresh.objects.items()}
    assert 'Customer' not in counts and 'Vendor' not in counts and 'Invoice' not in counts
    assert [i['Name'] for i in fresh.iter_objects('Item')] == ['Services', 'Hours']
    assert counts['Account'] >= 10 and counts['Term'] == 5 and fresh.read('CompanyInfo', '1')['Country'] == 'US'
    with pytest.raises(ValueError):
        store.create_company(profile='mars')


def test_the_global_company_taxes_purchases_and_bills_on_each_line(sandbox_state):
    store = sandbox_state.companies
    uk = store.get(store.create_company(profile='global').realm_id)
    vat = next(a['Id'] for a in uk.iter_objects('Account') if a['Name'] == 'VAT Control')
    line = {'Amount': '100.00', 'DetailType': 'AccountBasedExpenseLineDetail',
            'AccountBasedExpenseLineDetail': {'AccountRef': {'value': '9'}, 'TaxCodeRef': {'value': '2'}}}
    bill = uk.create('Bill', {'VendorRef': {'value': '1'}, 'Line': [line], 'GlobalTaxCalculation': 'TaxExcluded'})
    assert bill['TotalAmt'] == Decimal('120.00') and bill['TxnTaxDetail']['TotalTax'] == Decimal('20.00')
    assert bill['TxnTaxDetail']['TaxLine'][0]['TaxLineDetail']['TaxRateRef']['value'] == '2'   # the purchase rate
    assert uk.read('Account', vat)['CurrentBalance'] == Decimal('-20.00')      # reclaimable: the liability falls
    paid = uk.create('Purchase', {'PaymentType': 'Check', 'AccountRef': {'value': '5'}, 'Line': [line],
                                  'GlobalTaxCalculation': 'TaxInclusive'})
    assert paid['TotalAmt'] == Decimal('100.00') and paid['TxnTaxDetail']['TotalTax'] == Decimal('16.67')
    assert uk.read('Account', '5')['CurrentBalance'] == Decimal('-100.00')
    with pytest.raises(QBOFault) as missing:
        uk.create('Bill', {'VendorRef': {'value': '1'}, 'Line': [line]})
    assert missing.value.errors[0].element == 'GlobalTaxCalculation'


def test_preferences_switch_class_location_tracking_and_custom_fields(company):
    line = {'Amount': 10, 'DetailType': 'SalesItemLineDetail',
            'SalesItemLineDetail': {'ItemRef': {'value': '3'}, 'ClassRef': {'value': '1'}}}
    custom = [{'DefinitionId': '1', 'Type': 'StringType', 'StringValue': 'Crew B'},
              {'DefinitionId': '2', 'Type': 'StringType', 'StringValue': 'off'}]
    body = {'CustomerRef': {'value': '1'}, 'Line': [line], 'ClassRef': {'value': '1'},
            'DepartmentRef': {'value': '1'}, 'CustomField': custom}
    seeded = company.create('Invoice', body)                      # per line on, per transaction off, locations on
    assert 'ClassRef' not in seeded and seeded['Line'][0]['SalesItemLineDetail']['ClassRef']['name'] == 'Landscaping'
    assert seeded['DepartmentRef'] == {'value': '1', 'name': 'Main Street'}
    assert seeded['CustomField'] == [{'DefinitionId': '1', 'Name': 'Crew #', 'Type': 'StringType',
                                      'StringValue': 'Crew B'}]
    prefs = company.read('Preferences', '1')
    fields = prefs['SalesFormsPrefs']['CustomField']
    fields[0]['CustomField'][1]['BooleanValue'] = True             # UseSalesCustom2
    company.update('Preferences', {'Id': '1', 'SyncToken': prefs['SyncToken'], 'sparse': True,
                                   'AccountingInfoPrefs': {'ClassTrackingPerTxn': True,
                                                           'ClassTrackingPerTxnLine': False,
                                                           'TrackDepartments': False},
                                   'SalesFormsPrefs': {'CustomField': fields}})
    switched = company.create('Invoice', body)
    assert switched['ClassRef']['value'] == '1' and 'ClassRef' not in switched['Line'][0]['SalesItemLineDetail']
    assert 'DepartmentRef' not in switched
    assert [f['DefinitionId'] for f in switched['CustomField']] == ['1', '2']
    _fault('2050', company.create, 'Invoice', {**body, 'CustomField': [{'DefinitionId': '1', 'StringValue': 'x' * 32}]})


def test_outside_the_us_a_discount_comes_off_before_tax(sandbox_state):
    store = sandbox_state.companies
    uk = store.get(store.create_company(profile='global').realm_id)
    customer = uk.create('Customer', {'DisplayName': 'Fenwick Florists'})
    lines = [{'Amount': '100.00', 'DetailType': 'SalesItemLineDetail',
              'SalesItemLineDetail': {'ItemRef': {'value': '3'}, 'TaxCodeRef': {'value': '2'}}},
             {'Amount': '50.00', 'DetailType': 'SalesItemLineDetail',
              'SalesItemLineDetail': {'ItemRef': {'value': '4'}, 'TaxCodeRef': {'value': '3'}}},
             {'DetailType': 'DiscountLineDetail', 'DiscountLineDetail': {'PercentBased': True,
                                                                          'DiscountPercent': 10}}]
    invoice = uk.create('Invoice', {'CustomerRef': {'value': customer['Id']}, 'Line': lines,
                                    'GlobalTaxCalculation': 'TaxExcluded'})
    discount = next(line for line in invoice['Line'] if line['DetailType'] == 'DiscountLineDetail')
    assert discount['Amount'] == Decimal('15.00')
    assert invoice['TxnTaxDetail']['TotalTax'] == Decimal('20.25')  # 20 % of 90 and 5 % of 45: VAT on the price paid
    assert [t['TaxLineDetail']['NetAmountTaxable'] for t in invoice['TxnTaxDetail']['TaxLine']] == [
        Decimal('90.00'), Decimal('45.00')]
    assert invoice['TotalAmt'] == Decimal('155.25')
    fixed = uk.create('CreditMemo', {'CustomerRef': {'value': customer['Id']}, 'Line': [
        lines[0], {'Amount': '25', 'DetailType': 'DiscountLineDetail', 'DiscountLineDetail': {}}],
        'GlobalTaxCalculation': 'TaxInclusive'})
    assert fixed['TotalAmt'] == Decimal('75.00') and fixed['TxnTaxDetail']['TotalTax'] == Decimal('12.50')
