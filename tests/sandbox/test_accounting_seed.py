"""The company store and the seeded company (checklist 38): deterministic realms and objects, reset."""
from __future__ import annotations

from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState
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
    assert {i['Type'] for i in items.values()} == {'Service', 'Inventory'}
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
