"""The company store and the seeded company (checklist 38): deterministic realms and objects, reset."""
from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal

from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState
from qbsync.sandbox.accounting.cdc import change_data_capture, parse_cdc_request
from qbsync.sandbox.accounting.entities import ENTITY_TYPES
from qbsync.sandbox.accounting.entities.values import ref_id, walk
from qbsync.sandbox.accounting.store import REALM_BASE, CompanyRef


def _snapshot(state: SandboxState) -> dict:
    company = state.companies.get(state.default_realm_id)
    return {entity: dict(bucket) for entity, bucket in company.objects.items()}


def test_every_new_sandbox_starts_with_the_same_seeded_company():
    first, second = SandboxState(SandboxConfig(clock=ManualClock())), SandboxState(SandboxConfig(clock=ManualClock()))
    assert first.companies.realms() == [CompanyRef(str(REALM_BASE + 1), 'Sandbox Company_US_1')]
    assert _snapshot(first) == _snapshot(second)


def test_seeded_chart_of_accounts_and_lists(sandbox_state, realm_id):
    company = sandbox_state.companies.get(realm_id)
    accounts = {a['Name']: a for a in company.iter_objects('Account')}
    expected = {
        'Services': 'Income', 'Sales of Product Income': 'Income', 'Accounts Receivable (A/R)': 'Accounts Receivable',
        'Undeposited Funds': 'Other Current Asset', 'Checking': 'Bank', 'Savings': 'Bank', 'Mastercard': 'Credit Card',
        'Inventory Asset': 'Other Current Asset', 'Accounts Payable (A/P)': 'Accounts Payable',
        'Cost of Goods Sold': 'Cost of Goods Sold', 'Office Expenses': 'Expense',
    }
    assert {name: accounts[name]['AccountType'] for name in expected} == expected
    assert accounts['Undeposited Funds']['AccountSubType'] == 'UndepositedFunds'
    assert accounts['Services']['Classification'] == 'Revenue'
    counts = {entity: len(bucket) for entity, bucket in company.objects.items()}
    for entity in ('Customer', 'Vendor', 'Employee', 'Item', 'TaxCode', 'TaxRate', 'TaxAgency', 'Term',
                   'PaymentMethod', 'Class', 'Department', 'Preferences', 'CompanyInfo', 'CompanyCurrency'):
        assert counts.get(entity, 0) >= 1, entity
    items = {i['Name']: i for i in company.iter_objects('Item')}
    assert {i['Type'] for i in items.values()} == {'Service', 'Inventory', 'NonInventory'}
    assert items['Pump']['AssetAccountRef']['name'] == 'Inventory Asset'
    assert set(company.objects['TaxCode']) >= {'TAX', 'NON'}
    assert company.read('Preferences', '1')['CurrencyPrefs']['HomeCurrency'] == {'value': 'USD'}
    assert company.read('CompanyInfo', '1')['Country'] == 'US'
    assert company.get_object('Customer', '1')['MetaData']['CreateTime'] == '2026-01-15T09:00:00-08:00'


def test_create_company_and_reset(sandbox_state, realm_id):
    store = sandbox_state.companies
    ref = store.create_company('Second Co')
    assert ref == CompanyRef(str(REALM_BASE + 2), 'Second Co') and store.get(ref.realm_id).name == 'Second Co'
    company = store.get(realm_id)
    created = company.create('Customer', {'DisplayName': 'Temporary'})
    company.replays['r1'] = object()  # type: ignore[assignment]
    store.reset(realm_id)
    assert company.get_object('Customer', created['Id']) is None and company.replays == {}
    assert company.create('Customer', {'DisplayName': 'Again'})['Id'] == created['Id']   # counters reset too
    assert store.get('nope') is None


# --- the seeded history (issue 11 item 4) ---------------------------------------------------------------------------
def test_the_seeded_company_has_a_year_of_history_at_real_volume(sandbox_state, realm_id):
    company = sandbox_state.companies.get(realm_id)
    counts = {entity: len(bucket) for entity, bucket in company.objects.items()}
    assert counts['Customer'] >= 30 and counts['Vendor'] >= 25 and counts['Employee'] >= 5
    assert {i['Type'] for i in company.iter_objects('Item')} == {'Service', 'Inventory', 'NonInventory'}
    for entity, least in (('Invoice', 101), ('Payment', 50), ('Deposit', 40), ('SalesReceipt', 50), ('Bill', 50),
                          ('BillPayment', 30), ('Purchase', 50), ('Estimate', 20), ('Class', 3), ('Department', 3)):
        assert counts[entity] >= least, entity
    accounts = {a['AccountType'] for a in company.iter_objects('Account')}
    assert {'Bank', 'Credit Card', 'Income', 'Expense', 'Cost of Goods Sold', 'Other Current Asset'} <= accounts
    page = company.query('select * from Invoice startposition 101 maxresults 100')      # more than a page
    assert page['startPosition'] == 101 and page['maxResults'] == counts['Invoice'] - 100
    dates = sorted(i['TxnDate'] for i in company.iter_objects('Invoice'))
    today = company.today()
    assert (today - date.fromisoformat(dates[0])).days > 360 and (today - date.fromisoformat(dates[-1])).days > 30
    history = company.get_object('Invoice', '1')
    assert history['MetaData']['CreateTime'].startswith(history['TxnDate'])      # stamped when it happened
    since = company.time_string(company.now() - timedelta(days=30))
    assert change_data_capture(company, parse_cdc_request(company, 'Invoice,Payment,Bill', since)) == [
        {'QueryResponse': [{}, {}, {}]}]                                           # CDC starts out empty
    assert any(e.get('LinkedTxn') for e in company.iter_objects('Estimate'))     # some estimates were invoiced
    for customer_id in ('1', '2', '3', '4', '5', '6'):                           # the original six stay clean
        assert company.read('Customer', customer_id)['Balance'] == 0


def test_every_seeded_reference_resolves_and_the_balances_add_up(sandbox_state, realm_id):
    company = sandbox_state.companies.get(realm_id)
    for kind in ENTITY_TYPES.values():
        for obj in company.iter_objects(kind.name):
            for rule in kind.refs:
                for container, key in walk(obj, rule.path):
                    ref = container[key]
                    targets = (ref['type'],) if isinstance(ref, dict) and 'type' in ref else rule.targets
                    assert any(company.get_object(t, ref_id(ref)) for t in targets), (kind.name, obj['Id'], ref)
            for container, key in walk(obj, 'Line[].LinkedTxn[].TxnId') + walk(obj, 'LinkedTxn[].TxnId'):
                assert company.get_object(container['TxnType'], container[key]), (kind.name, obj['Id'], container)
    balance = {a['Name']: a['CurrentBalance'] for a in company.query('select * from Account')['Account']}
    customers = company.query('select * from Customer maxresults 1000')['Customer']
    vendors = company.query('select * from Vendor maxresults 1000')['Vendor']
    assert balance['Accounts Receivable (A/R)'] == sum(c['Balance'] for c in customers) > 0
    assert balance['Accounts Payable (A/P)'] == sum(v['Balance'] for v in vendors) > 0
    deposited = {(link['TxnType'], link['TxnId']) for d in company.iter_objects('Deposit')
                 for line in d['Line'] for link in line.get('LinkedTxn', [])}
    waiting = [t['TotalAmt'] for entity in ('Payment', 'SalesReceipt') for t in company.iter_objects(entity)
               if (entity, t['Id']) not in deposited]
    assert balance['Undeposited Funds'] == sum(waiting) > 0
    for invoice in company.iter_objects('Invoice'):
        paid = sum((line['Amount'] for p in company.iter_objects('Payment') for line in p['Line']
                    if line['LinkedTxn'][0]['TxnId'] == invoice['Id']), Decimal('0'))
        assert invoice['Balance'] == invoice['TotalAmt'] - paid
    money_in = sum(d['TotalAmt'] for d in company.iter_objects('Deposit'))
    money_out = (sum(b['TotalAmt'] for b in company.iter_objects('BillPayment'))
                 + sum(p['TotalAmt'] for p in company.iter_objects('Purchase') if p['PaymentType'] == 'Check')
                 + sum(c['Amount'] for c in company.iter_objects('CreditCardPaymentTxn')))
    assert balance['Checking'] == money_in - money_out


def test_changing_a_company_never_changes_the_next_ones_seed(sandbox_state, realm_id):
    company = sandbox_state.companies.get(realm_id)
    pristine = copy.deepcopy(company.objects)
    invoice = next(i for i in company.iter_objects('Invoice') if i['Balance'] > 0)
    customer = invoice['CustomerRef']['value']
    company.create('Payment', {'CustomerRef': {'value': customer}, 'TotalAmt': str(invoice['Balance']), 'Line': [
        {'Amount': str(invoice['Balance']), 'LinkedTxn': [{'TxnId': invoice['Id'], 'TxnType': 'Invoice'}]}]})
    company.update('Customer', {'Id': customer, 'SyncToken': company.get_object('Customer', customer)['SyncToken'],
                                'sparse': True, 'Notes': 'changed', 'BillAddr': {'City': 'Elsewhere'}})
    bill = next(b for b in company.iter_objects('Bill') if not b.get('LinkedTxn'))
    company.delete('Bill', {'Id': bill['Id'], 'SyncToken': bill['SyncToken']})
    company.merge('Vendor', '7', '8')
    company.merge('Class', '2', '3')
    sandbox_state.companies.reset(realm_id)
    assert company.objects == pristine
    assert SandboxState(SandboxConfig(clock=ManualClock())).companies.get(realm_id).objects == pristine
