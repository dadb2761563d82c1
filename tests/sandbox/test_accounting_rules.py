"""Intuit's entity rules through the Python API (checklist 13-27): what the routes, batch and admin tools share."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from sandbox_faults import expect_fault as _fault


def _invoice(company, customer='1', amount='100.00', **extra):
    line = {'Amount': amount, 'DetailType': 'SalesItemLineDetail',
            'SalesItemLineDetail': {'ItemRef': {'value': '3'}}}
    return company.create('Invoice', {'CustomerRef': {'value': customer}, 'Line': [line], **extra})


# --- create, update, SyncToken, MetaData (13, 14, 15) ---------------------------------------------------------------
def test_create_stamps_id_synctoken_metadata_and_emits(company, events, clock):
    seeded = len(company.objects['Customer'])
    customer = company.create('Customer', {'DisplayName': 'Acme Plumbing', 'Id': '999', 'Balance': 500})
    assert customer['Id'] == str(seeded + 1) and customer['SyncToken'] == '0' and customer['domain'] == 'QBO'
    assert customer['sparse'] is False and customer['Balance'] == 0          # read-only input ignored
    assert customer['MetaData'] == {'CreateTime': '2026-01-15T09:00:00-08:00',
                                    'LastUpdatedTime': '2026-01-15T09:00:00-08:00'}
    clock.advance(hours=1)
    updated = company.update('Customer', {'Id': customer['Id'], 'SyncToken': 0, 'sparse': True, 'Notes': 'vip'})
    assert updated['SyncToken'] == '1' and updated['Notes'] == 'vip'
    assert updated['MetaData']['LastUpdatedTime'] == '2026-01-15T10:00:00-08:00'
    assert [(e.entity, e.entity_id, e.operation) for e in events] == [('Customer', customer['Id'], 'Create'),
                                                                     ('Customer', customer['Id'], 'Update')]
    assert events[1].occurred_at == clock.now()


def test_update_needs_id_and_current_synctoken(company):
    _fault('2020', company.update, 'Customer', {'Id': '1', 'DisplayName': 'X'})
    _fault('610', company.update, 'Customer', {'Id': '404', 'SyncToken': '0', 'DisplayName': 'X'})
    fault = _fault('5010', company.update, 'Customer', {'Id': '1', 'SyncToken': '3', 'DisplayName': 'X'})
    assert fault.errors[0].message == 'Stale Object Error'
    assert company.update('Customer', {'Id': '1', 'SyncToken': '0', 'sparse': 'true', 'Notes': 'a'})['Notes'] == 'a'


def test_full_update_nulls_omitted_fields_and_sparse_merges(company):
    created = company.create('Customer', {'DisplayName': 'Dana Ortiz', 'CompanyName': 'Ortiz LLC', 'Notes': 'n'})
    sparse = company.update('Customer', {'Id': created['Id'], 'SyncToken': '0', 'sparse': True, 'Notes': ''})
    assert 'Notes' not in sparse and sparse['CompanyName'] == 'Ortiz LLC'          # '' clears in a sparse update
    full = company.update('Customer', {'Id': created['Id'], 'SyncToken': '1', 'DisplayName': 'Dana Ortiz',
                                       'NotAField': 1, 'Title': ''})
    assert 'CompanyName' not in full and 'NotAField' not in full and 'Title' not in full
    assert full['Active'] is True                                                     # defaults come back


def test_line_ids_existing_positive_ids_update_others_are_new(company):
    invoice = company.create('Invoice', {'CustomerRef': {'value': '1'}, 'Line': [
        {'Amount': 10, 'SalesItemLineDetail': {'ItemRef': {'value': '3'}}},
        {'Amount': 20, 'SalesItemLineDetail': {'ItemRef': {'value': '3'}}}]})
    assert [line.get('Id') for line in invoice['Line']] == ['1', '2', None]          # None: the SubTotal line
    changed = company.update('Invoice', {**invoice, 'Line': [
        {'Id': '2', 'Amount': 25, 'SalesItemLineDetail': {'ItemRef': {'value': '3'}}},
        {'Id': '-1', 'Amount': 5, 'SalesItemLineDetail': {'ItemRef': {'value': '3'}}},
        invoice['Line'][-1]]})
    assert [(line.get('Id'), line['Amount']) for line in changed['Line']] == [('2', 25), ('3', 5), (None, 30)]
    assert changed['TotalAmt'] == Decimal('30.00')


# --- names (18, 19, 20) ---------------------------------------------------------------------------------------------
def test_display_name_unique_across_customers_vendors_employees(company):
    fault = _fault('6240', company.create, 'Customer', {'DisplayName': 'books by bessie'})     # a seeded vendor
    assert 'Another customer, vendor or employee' in fault.errors[0].detail
    _fault('6240', company.create, 'Customer', {'DisplayName': 'EMILY PLATT'})                # a seeded employee
    _fault('6240', company.create, 'Customer', {'DisplayName': 'Cool Cars'})
    _fault('6240', company.update, 'Customer', {'Id': '2', 'SyncToken': '0', 'sparse': True,
                                                 'DisplayName': 'Cool Cars'})
    assert company.update('Customer', {'Id': '3', 'SyncToken': '0', 'sparse': True,
                                       'DisplayName': 'Cool Cars'})['DisplayName'] == 'Cool Cars'   # itself


def test_display_name_derived_from_name_parts_or_refused(company):
    created = company.create('Customer', {'Title': 'Dr', 'GivenName': 'Ada', 'FamilyName': 'Lovelace'})
    assert created['DisplayName'] == 'Dr Ada Lovelace' and created['FullyQualifiedName'] == 'Dr Ada Lovelace'
    _fault('6080', company.create, 'Customer', {'CompanyName': 'No Person', 'DisplayName': ''})
    _fault('2040', company.create, 'Customer', {'DisplayName': 'Bad:Name'})
    _fault('6000', company.create, 'Customer', {'DisplayName': 'Mail', 'PrimaryEmailAddr': {'Address': 'nope'}})


def test_length_limits_report_bounds(company):
    fault = _fault('2050', company.create, 'Customer', {'DisplayName': 'x' * 501})
    assert 'Max:500 supported. Supplied length:501' in fault.errors[0].detail
    assert fault.errors[0].element == 'DisplayName'
    fault = _fault('2050', _invoice, company, DocNumber='D' * 22)
    assert 'Max:21' in fault.errors[0].detail
    _fault('2050', company.create, 'Item', {'Name': 'n' * 101, 'Type': 'NonInventory'})


def test_sub_customer_hierarchy(company):
    job = company.create('Customer', {'DisplayName': 'Patio job', 'Job': True, 'ParentRef': {'value': '1'}})
    assert job['FullyQualifiedName'] == "Amy's Bird Sanctuary:Patio job" and job['Level'] == 1
    assert job['ParentRef'] == {'value': '1', 'name': "Amy's Bird Sanctuary"}


# --- required and references (21, 22) ------------------------------------------------------------------------------
@pytest.mark.parametrize(('entity', 'payload', 'element'), [
    ('Invoice', {'Line': [{'Amount': 1}]}, 'CustomerRef'),
    ('Invoice', {'CustomerRef': {'value': '1'}, 'Line': []}, 'Line'),
    ('Payment', {'CustomerRef': {'value': '1'}}, 'TotalAmt'),
    ('Payment', {'TotalAmt': 5}, 'CustomerRef'),
    ('Purchase', {'AccountRef': {'value': '5'}, 'Line': [{'Amount': 1, 'AccountBasedExpenseLineDetail': {
        'AccountRef': {'value': '11'}}}]}, 'PaymentType'),
    ('Purchase', {'PaymentType': 'Cash', 'Line': [{'Amount': 1, 'AccountBasedExpenseLineDetail': {
        'AccountRef': {'value': '11'}}}]}, 'AccountRef'),
    ('Item', {'Type': 'Service', 'IncomeAccountRef': {'value': '1'}}, 'Name'),
    ('Item', {'Name': 'Consulting', 'Type': 'Service'}, 'IncomeAccountRef'),
    ('Account', {'Name': 'Petty cash'}, 'AccountType'),
])
def test_required_fields_give_2020_with_element(company, entity, payload, element):
    assert _fault('2020', company.create, entity, payload).errors[0].element == element


def test_reference_validation(company):
    fault = _fault('2500', _invoice, company, customer='404')
    assert fault.errors[0].element == 'CustomerRef'
    _fault('2500', company.create, 'Invoice', {'CustomerRef': {'value': '1'}, 'Line': [
        {'Amount': 1, 'SalesItemLineDetail': {'ItemRef': {'value': '404'}}}]})
    company.update('Customer', {'Id': '2', 'SyncToken': '0', 'sparse': True, 'Active': False})
    _fault('6250', _invoice, company, customer='2')
    company.update('Item', {'Id': '4', 'SyncToken': '0', 'sparse': True, 'Active': False})
    _fault('610', company.create, 'Invoice', {'CustomerRef': {'value': '1'}, 'Line': [
        {'Amount': 1, 'SalesItemLineDetail': {'ItemRef': {'value': '4'}}}]})


def test_refs_get_names_and_unset_values_are_lenient(company):
    invoice = company.create('Invoice', {'CustomerRef': {'value': '1', 'name': ''}, 'DocNumber': '', 'TxnDate': '',
                                         'Line': [{'Amount': '50', 'LineNum': 0, 'LinkedTxn': [],
                                                   'SalesItemLineDetail': {'ItemRef': {'value': '', 'name': ''},
                                                                           'Qty': 0, 'UnitPrice': 0}}]})
    assert invoice['CustomerRef'] == {'value': '1', 'name': "Amy's Bird Sanctuary"}
    assert invoice['Line'][0]['SalesItemLineDetail']['ItemRef'] == {'value': '1', 'name': 'Services'}
    assert invoice['TxnDate'] == '2026-01-15' and int(invoice['DocNumber']) > 9001 and invoice['TotalAmt'] == 50


# --- computed amounts, document numbers (23, 24) --------------------------------------------------------------------
def test_invoice_totals_tax_discount_due_date(company):
    invoice = company.create('Invoice', {
        'CustomerRef': {'value': '1'}, 'TxnDate': '2026-02-01', 'TxnTaxDetail': {'TxnTaxCodeRef': {'value': '2'}},
        'Line': [{'Amount': '150.00', 'SalesItemLineDetail': {'ItemRef': {'value': '3'}, 'Qty': 2, 'UnitPrice': 75,
                                                            'TaxCodeRef': {'value': 'TAX'}}},
                 {'Amount': 50, 'SalesItemLineDetail': {'ItemRef': {'value': '5'}}},
                 {'DetailType': 'DiscountLineDetail', 'DiscountLineDetail': {'PercentBased': True,
                                                                              'DiscountPercent': 10}}]})
    subtotal = next(line for line in invoice['Line'] if line['DetailType'] == 'SubTotalLineDetail')
    discount = next(line for line in invoice['Line'] if line['DetailType'] == 'DiscountLineDetail')
    assert subtotal['Amount'] == Decimal('200.00') and discount['Amount'] == Decimal('20.00')
    assert invoice['TxnTaxDetail']['TotalTax'] == Decimal('12.00')              # 8% of the taxable 150
    assert invoice['TotalAmt'] == Decimal('192.00') == invoice['Balance']
    assert invoice['DueDate'] == '2026-03-03' and invoice['SalesTermRef']['name'] == 'Net 30'


def test_amount_must_match_qty_times_price(company):
    fault = _fault('6070', company.create, 'Invoice', {'CustomerRef': {'value': '1'}, 'Line': [
        {'Amount': 100, 'SalesItemLineDetail': {'ItemRef': {'value': '3'}, 'Qty': 2, 'UnitPrice': 75}}]})
    assert 'Supplied value:100' in fault.errors[0].detail
    computed = company.create('Invoice', {'CustomerRef': {'value': '1'}, 'Line': [
        {'SalesItemLineDetail': {'ItemRef': {'value': '3'}, 'Qty': '1.5', 'UnitPrice': '75'}}]})
    assert computed['TotalAmt'] == Decimal('112.50')
    _fault('2090', _invoice, company, amount='ten')


def test_doc_numbers_auto_assigned_and_duplicates_refused(company):
    last = max(int(o['DocNumber']) for entity in ('Invoice', 'SalesReceipt', 'Estimate')
               for o in company.iter_objects(entity))                  # the seeded history's numbers
    first, second = _invoice(company), _invoice(company)
    assert (first['DocNumber'], second['DocNumber']) == (str(last + 1), str(last + 2))
    memo = company.create('CreditMemo', {'CustomerRef': {'value': '1'}, 'Line': [{'Amount': 5}]})
    assert memo['DocNumber'] == str(last + 3)                      # one sequence for sales forms
    fault = _fault('6140', _invoice, company, DocNumber=first['DocNumber'])
    assert (f"DocNumber={first['DocNumber']} is assigned to TxnType=Invoice with TxnId={first['Id']}"
            in fault.errors[0].detail)
    assert company.create('Invoice', {'CustomerRef': {'value': '1'}, 'DocNumber': first['DocNumber'],
                                      'Line': [{'Amount': 1}]}, allow_duplicate_doc_num=True)['DocNumber'] == \
        first['DocNumber']
    assert _invoice(company, DocNumber='AUTO_GENERATE')['DocNumber'] == str(last + 4)
    history = company.query("select * from Invoice where DocNumber = '9001'")['Invoice'][0]   # the seeded history's
    assert _fault('6140', _invoice, company, DocNumber='9001').errors[0].detail.endswith(f"TxnId={history['Id']}")
    assert _invoice(company, DocNumber='1001')['DocNumber'] == '1001'     # an app's own numbers are free


def test_purchase_total_and_payment_account_rules(company):
    purchase = company.create('Purchase', {'PaymentType': 'CreditCard', 'AccountRef': {'value': '7'},
                                           'EntityRef': {'value': '3', 'type': 'Vendor'}, 'Line': [
        {'Amount': '86.40', 'AccountBasedExpenseLineDetail': {'AccountRef': {'value': '11'}}},
        {'Amount': 13.6, 'DetailType': 'AccountBasedExpenseLineDetail',
         'AccountBasedExpenseLineDetail': {'AccountRef': {'value': '15'}}}]})
    assert purchase['TotalAmt'] == Decimal('100.00')
    assert purchase['EntityRef'] == {'value': '3', 'name': 'Computers by Jenni', 'type': 'Vendor'}
    assert purchase['Line'][0]['AccountBasedExpenseLineDetail']['BillableStatus'] == 'NotBillable'
    _fault('6000', company.create, 'Purchase', {'PaymentType': 'CreditCard', 'AccountRef': {'value': '5'},
                                                'Line': purchase['Line']})
    _fault('2170', company.create, 'Purchase', {'PaymentType': 'Barter', 'AccountRef': {'value': '5'},
                                                'Line': purchase['Line']})
    _fault('6000', company.update, 'Purchase', {**purchase, 'PaymentType': 'Cash', 'AccountRef': {'value': '5'}})


# --- payments, voids, deletes (25, 26, 27) --------------------------------------------------------------------------
def test_payment_applies_to_invoices_and_credit_memos(company):
    invoice = _invoice(company, amount='300')
    memo = company.create('CreditMemo', {'CustomerRef': {'value': '1'}, 'Line': [
        {'Amount': 50, 'SalesItemLineDetail': {'ItemRef': {'value': '3'}}}]})
    payment = company.create('Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': 260, 'Line': [
        {'Amount': 300, 'LinkedTxn': [{'TxnId': invoice['Id'], 'TxnType': 'Invoice'}]},
        {'Amount': 50, 'LinkedTxn': [{'TxnId': memo['Id'], 'TxnType': 'CreditMemo'}]}]})
    assert payment['UnappliedAmt'] == Decimal('10.00')
    assert payment['DepositToAccountRef'] == {'value': '4', 'name': 'Undeposited Funds'}
    paid = company.read('Invoice', invoice['Id'])
    assert paid['Balance'] == 0 and paid['LinkedTxn'] == [{'TxnId': payment['Id'], 'TxnType': 'Payment'}]
    assert paid['SyncToken'] == '1'
    assert company.read('CreditMemo', memo['Id'])['RemainingCredit'] == 0
    assert company.read('Customer', '1')['Balance'] == Decimal('-10.00')


def test_payment_cannot_apply_more_than_open_or_total(company):
    invoice = _invoice(company, amount='100')
    link = [{'TxnId': invoice['Id'], 'TxnType': 'Invoice'}]
    _fault('6000', company.create, 'Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': 500,
                                               'Line': [{'Amount': 150, 'LinkedTxn': link}]})
    _fault('6000', company.create, 'Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': 50,
                                               'Line': [{'Amount': 100, 'LinkedTxn': link}]})
    _fault('6000', company.create, 'Payment', {'CustomerRef': {'value': '2'}, 'TotalAmt': 50,
                                               'Line': [{'Amount': 50, 'LinkedTxn': link}]})
    _fault('610', company.create, 'Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': 50,
                                              'Line': [{'Amount': 50, 'LinkedTxn': [{'TxnId': '7777',
                                                                                    'TxnType': 'Invoice'}]}]})
    first = company.create('Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': 60,
                                       'Line': [{'Amount': 60, 'LinkedTxn': link}]})
    _fault('6000', company.create, 'Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': 60,
                                               'Line': [{'Amount': 60, 'LinkedTxn': link}]})
    # updating the same payment may re-apply up to its own previous amount plus what is still open
    raised = company.update('Payment', {'Id': first['Id'], 'SyncToken': '0', 'sparse': True, 'TotalAmt': 100,
                                        'Line': [{'Amount': 100, 'LinkedTxn': link}]})
    assert raised['UnappliedAmt'] == 0 and company.read('Invoice', invoice['Id'])['Balance'] == 0
    removed = company.update('Payment', {'Id': first['Id'], 'SyncToken': '1', 'sparse': True, 'Line': []})
    assert removed['UnappliedAmt'] == 100 and company.read('Invoice', invoice['Id'])['Balance'] == 100


def test_void_payment_restores_invoice_balance(company, events):
    invoice = _invoice(company, amount='80')
    payment = company.create('Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': 80, 'PrivateNote': 'check 12',
                                         'Line': [{'Amount': 80, 'LinkedTxn': [{'TxnId': invoice['Id'],
                                                                                'TxnType': 'Invoice'}]}]})
    voided = company.void('Payment', {'Id': payment['Id'], 'SyncToken': '0', 'sparse': True})
    assert voided['TotalAmt'] == 0 and voided['Line'] == [] and voided['PrivateNote'] == 'Voided - check 12'
    assert voided['Id'] == payment['Id'] and voided['SyncToken'] == '1'
    assert company.read('Invoice', invoice['Id'])['Balance'] == 80
    assert ('Payment', 'Void') in [(e.entity, e.operation) for e in events]


def test_void_invoice_zeroes_and_releases_payments(company):
    invoice = _invoice(company, amount='120')
    payment = company.create('Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': 120, 'Line': [
        {'Amount': 120, 'LinkedTxn': [{'TxnId': invoice['Id'], 'TxnType': 'Invoice'}]}]})
    _fault('5010', company.void, 'Invoice', {'Id': invoice['Id'], 'SyncToken': '0'})
    voided = company.void('Invoice', {'Id': invoice['Id'], 'SyncToken': '1'})
    assert voided['TotalAmt'] == 0 and voided['Balance'] == 0 and voided['PrivateNote'] == 'Voided'
    assert all(line['Amount'] == 0 for line in voided['Line'])
    released = company.read('Payment', payment['Id'])
    assert released['UnappliedAmt'] == 120 and released['Line'] == []


def test_delete_transactions_and_refuse_name_list_delete(company, events):
    invoice = _invoice(company)
    assert company.delete('Invoice', {'Id': invoice['Id'], 'SyncToken': '0'}) == {
        'status': 'Deleted', 'domain': 'QBO', 'Id': invoice['Id']}
    _fault('610', company.read, 'Invoice', invoice['Id'])
    assert company.tombstones['Invoice'][invoice['Id']]['status'] == 'Deleted'
    assert (events[-1].entity, events[-1].operation) == ('Invoice', 'Delete')
    fault = _fault('500', company.delete, 'Customer', {'Id': '1', 'SyncToken': '0'})
    assert fault.errors[0].detail == ('Operation Delete on Customer is not supported. A Customer cannot be deleted: '
                                      'make it inactive (Active:false) instead.')
    _fault('500', company.void, 'Customer', {'Id': '1', 'SyncToken': '0'})
    _fault('500', company.create, 'TaxRate', {'Name': 'Read only here'})


def test_vendors_and_payment_methods_can_be_created_with_unique_names(company):
    vendor = company.create('Vendor', {'DisplayName': 'Office Depot'})
    assert vendor['Active'] is True and vendor['SyncToken'] == '0'
    fault = _fault('6240', company.create, 'Customer', {'DisplayName': 'office depot'})
    assert 'Another customer, vendor or employee' in fault.errors[0].detail
    method = company.create('PaymentMethod', {'Name': 'Wire'})
    assert method['Type'] == 'NON_CREDIT_CARD'
    _fault('6240', company.create, 'PaymentMethod', {'Name': 'Wire'})


def test_deactivating_a_customer_with_open_balance_is_refused(company):
    _invoice(company, customer='5', amount='40')
    fault = _fault('6220', company.update, 'Customer', {'Id': '5', 'SyncToken': '0', 'sparse': True,
                                                        'Active': False})
    assert fault.errors[0].message == 'Delete List Has Balance Error'
    assert company.update('Customer', {'Id': '6', 'SyncToken': '0', 'sparse': True, 'Active': False})['Active'] \
        is False


def test_items_and_accounts(company):
    _fault('6240', company.create, 'Item', {'Name': 'design', 'Type': 'Service', 'IncomeAccountRef': {'value': '1'}})
    inventory = company.create('Item', {'Name': 'Bird bath', 'Type': 'Inventory', 'UnitPrice': '45.5',
                                        'IncomeAccountRef': {'value': '2'}, 'AssetAccountRef': {'value': '8'},
                                        'ExpenseAccountRef': {'value': '10'}, 'QtyOnHand': 4,
                                        'InvStartDate': '2026-01-01'})
    assert inventory['TrackQtyOnHand'] is True and inventory['UnitPrice'] == Decimal('45.5')
    _fault('6000', company.update, 'Item', {**inventory, 'TrackQtyOnHand': False, 'Type': 'NonInventory'})
    account = company.create('Account', {'Name': 'Petty Cash', 'AccountSubType': 'CashOnHand'})
    assert (account['AccountType'], account['Classification']) == ('Bank', 'Asset')
    _fault('6240', company.create, 'Account', {'Name': 'petty cash', 'AccountType': 'Bank'})
    _fault('2040', company.create, 'Account', {'Name': 'Bad "quoted"', 'AccountType': 'Bank'})
    _fault('2170', company.create, 'Account', {'Name': 'Weird', 'AccountType': 'Crypto'})
    sub = company.create('Account', {'Name': 'Drawer', 'AccountType': 'Bank', 'SubAccount': True,
                                     'ParentRef': {'value': account['Id']}})
    assert sub['FullyQualifiedName'] == 'Petty Cash:Drawer'


def test_preferences_update_merges_sections(company, clock):
    before = company.read('Preferences', '1')
    clock.advance(timedelta(minutes=5))
    after = company.update('Preferences', {'Id': '1', 'SyncToken': '0', 'sparse': True,
                                           'SalesFormsPrefs': {'CustomTxnNumbers': True}})
    assert after['SalesFormsPrefs']['CustomTxnNumbers'] is True
    assert after['SalesFormsPrefs']['DefaultTerms'] == before['SalesFormsPrefs']['DefaultTerms']
    assert after['CurrencyPrefs'] == before['CurrencyPrefs']
    assert 'DocNumber' not in _invoice(company)                     # custom numbers on: no automatic number


def test_company_settings_change_transaction_rules(company):
    prefs = company.read('Preferences', '1')
    company.update('Preferences', {'Id': '1', 'SyncToken': prefs['SyncToken'], 'sparse': True,
                                   'CurrencyPrefs': {'MultiCurrencyEnabled': True}})
    _fault('2020', _invoice, company)
    assert _invoice(company, CurrencyRef={'value': 'USD'})['CurrencyRef']['value'] == 'USD'
    us = _invoice(company, CurrencyRef={'value': 'USD'}, GlobalTaxCalculation='TaxExcluded')
    assert 'GlobalTaxCalculation' not in us                                    # ignored in a US company
    info = {k: v for k, v in company.get_object('CompanyInfo', '1').items() if k not in ('SyncToken', 'MetaData')}
    company.commit('CompanyInfo', {**info, 'Country': 'CA'}, 'Update')
    assert _fault('2020', _invoice, company, CurrencyRef={'value': 'USD'}).errors[0].element == \
        'GlobalTaxCalculation'
    _fault('6170', _invoice, company, CurrencyRef={'value': 'USD'}, GlobalTaxCalculation='NotApplicable',
           TxnTaxDetail={'TotalTax': 5})
    assert _invoice(company, CurrencyRef={'value': 'USD'}, GlobalTaxCalculation='TaxInclusive')[
        'GlobalTaxCalculation'] == 'TaxInclusive'


def test_balance_sheet_accounts_follow_the_transactions(company):
    seeded = {a['Name']: a['CurrentBalance'] for a in company.query('select * from Account')['Account']}
    taxed = {'TxnTaxCodeRef': {'value': '2'}}
    invoice = company.create('Invoice', {'CustomerRef': {'value': '1'}, 'TxnTaxDetail': taxed,
                                         'Line': [{'Amount': 100, 'SalesItemLineDetail': {
                                             'ItemRef': {'value': '3'}, 'TaxCodeRef': {'value': 'TAX'}}}]})
    company.create('Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': 50, 'Line': [
        {'Amount': 50, 'LinkedTxn': [{'TxnId': invoice['Id'], 'TxnType': 'Invoice'}]}]})
    expense = [{'Amount': 20, 'AccountBasedExpenseLineDetail': {'AccountRef': {'value': '11'}}}]
    company.create('Purchase', {'PaymentType': 'CreditCard', 'AccountRef': {'value': '7'}, 'Line': expense})
    company.create('Purchase', {'PaymentType': 'Check', 'AccountRef': {'value': '5'}, 'Line': expense})
    after = {a['Name']: a['CurrentBalance'] for a in company.query('select * from Account')['Account']}
    balances = {name: amount - seeded[name] for name, amount in after.items()}      # what these moved
    assert balances['Accounts Receivable (A/R)'] == Decimal('58.00') and balances['Undeposited Funds'] == 50
    assert balances['Checking'] == -20 and balances['Mastercard'] == 20
    assert balances['Board of Equalization Payable'] == Decimal('8.00') and after['Services'] == 0
    assert company.read('Account', '5')['CurrentBalanceWithSubAccounts'] == seeded['Checking'] - 20
