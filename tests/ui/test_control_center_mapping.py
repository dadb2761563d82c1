"""Account Mapping tab: accounts read live from the sandbox, filtered by type; validated Save; item overrides."""
from __future__ import annotations

from nicegui import app, ui
from nicegui.testing import User

from qbsync.models import Item, Role
from qbsync.models import User as Account
from qbsync.services.account_mapping import ACCOUNTS_RECEIVABLE, DEPOSIT, INCOME, MappedAccount

from .quickbooks_flow import CENTER, connect_for, connect_quickbooks

MAPPING = f'{CENTER}/mapping'


def _select(user: User, marker: str) -> ui.select:
    return user.find(kind=ui.select, marker=marker).elements.pop()


async def _item(name: str) -> int:
    async with app.state.services.db.session() as session:
        item = Item(name=name)
        session.add(item)
        await session.commit()
        return int(item.id)  # type: ignore[arg-type]


async def test_without_a_company_there_is_nothing_to_map(user: User, owner: Account) -> None:
    await user.open(MAPPING)
    await user.should_see(marker='mapping-not-connected', retries=20)


async def test_accounts_are_filtered_by_role_and_deposit_defaults_to_undeposited_funds(user: User,
                                                                                      owner: Account) -> None:
    await connect_quickbooks(user)
    await user.open(MAPPING)
    await user.should_see(marker='save-mapping', retries=20)
    income = set(_select(user, f'map-{INCOME}').options.values())
    assert income == {'Services · Income', 'Sales of Product Income · Income'}
    assert set(_select(user, f'map-{ACCOUNTS_RECEIVABLE}').options.values()) == \
        {'Accounts Receivable (A/R) · Accounts receivable (A/R)'}  # account types in plain words
    deposit = _select(user, f'map-{DEPOSIT}')
    assert deposit.options[deposit.value] == 'Undeposited Funds · Other current asset'
    assert 'Checking · Bank' in deposit.options.values()
    assert set(_select(user, 'map-expense_payment').options.values()) >= \
        {'Checking · Bank', 'Mastercard · Credit card'}
    assert 'Office Expenses · Expense' in _select(user, 'map-expense_category').options.values()


async def test_saving_the_mapping_clears_the_overview_warning(user: User, admin: Account) -> None:
    await connect_quickbooks(user)
    await user.open(MAPPING)
    await user.should_see(marker='save-mapping', retries=20)
    user.find(marker=f'map-{INCOME}').click()
    user.find('Services · Income').click()
    user.find(marker=f'map-{ACCOUNTS_RECEIVABLE}').click()
    user.find('Accounts Receivable (A/R) · Accounts receivable (A/R)').click()
    user.find(marker='save-mapping').click()
    await user.should_see('Account Mapping saved.', retries=20)
    saved = await app.state.services.account_mapping.load()
    assert saved.missing_required() == []
    assert saved.roles[INCOME].qbo_account_name == 'Services'
    assert saved.roles[DEPOSIT].qbo_account_name == 'Undeposited Funds'  # the preselected default was kept
    user.find(marker='tab-overview').click()
    await user.should_see(marker='company-name', retries=20)
    await user.should_not_see(marker='warning-mapping-detail')


async def test_item_income_overrides(user: User, owner: Account) -> None:
    consulting = await _item('Consulting')
    await _item('Widgets')
    await connect_quickbooks(user)
    await user.open(MAPPING)
    await user.should_see(marker='no-overrides', retries=20)
    user.find(marker='override-item').click()
    user.find('Consulting').click()
    user.find(marker='override-account').click()
    user.find(kind=ui.select, marker='override-account').elements.pop().set_value(
        next(k for k, v in _select(user, 'override-account').options.items() if v.startswith('Sales of Product')))
    user.find(marker='override-add').click()
    await user.should_see(marker=f'override-{consulting}')
    assert 'Consulting' not in _select(user, 'override-item').options.values()  # one override per item
    user.find(marker='save-mapping').click()
    # saved, but the required company accounts are still missing: said at each field, not just "saved"
    await user.should_see('Saved, but invoices cannot be sent to QuickBooks until you choose: Income account, '
                          'Accounts Receivable.', retries=20)
    assert _select(user, f'map-{INCOME}').error == \
        'Required: choose the income account before invoices can be sent.'
    assert _select(user, f'map-{ACCOUNTS_RECEIVABLE}').error is not None
    saved = await app.state.services.account_mapping.load()
    assert saved.item_income[consulting].qbo_account_name == 'Sales of Product Income'

    user.find(marker=f'override-remove-{consulting}').click()
    await user.should_see(marker='no-overrides')
    user.notify.messages.clear()
    user.find(marker='save-mapping').click()
    await user.should_see('Saved, but invoices cannot be sent', retries=20)
    assert (await app.state.services.account_mapping.load()).item_income == {}


async def test_an_account_gone_from_quickbooks_is_refused_on_save(user: User, owner: Account) -> None:
    await connect_quickbooks(user)
    await user.open(MAPPING)
    await user.should_see(marker='save-mapping', retries=20)
    income = _select(user, f'map-{INCOME}')
    income.set_value(next(k for k, v in income.options.items() if v.startswith('Services')))
    company = app.state.sandbox.companies.get(app.state.sandbox.default_realm_id)
    account = company.read('Account', income.value)
    company.update('Account', {'Id': account['Id'], 'SyncToken': account['SyncToken'], 'sparse': True,
                               'Active': False})  # deactivated in QuickBooks while the page was open
    user.find(marker='save-mapping').click()
    await user.should_see('This account no longer exists (or is inactive) in QuickBooks.', retries=20)
    assert INCOME not in (await app.state.services.account_mapping.load()).roles


async def test_viewer_sees_the_mapping_read_only(user: User, viewer: Account) -> None:
    services = app.state.services
    owner = next(u for u in await services.users.list_users() if u.role == Role.OWNER)
    await connect_for(user, owner)
    accounts = {a.name: a.id for a in await services.account_mapping.accounts()}
    await services.account_mapping.save({INCOME: accounts['Services']}, {}, acting=owner)
    await user.open(MAPPING)
    await user.should_see(marker='account-mapping', retries=20)
    await user.should_not_see(marker='save-mapping')
    income = _select(user, f'map-{INCOME}')
    assert income.value == accounts['Services'] and not income.enabled
    assert (await services.account_mapping.load()).roles[INCOME] == MappedAccount(accounts['Services'], 'Services')


async def test_overrides_per_value_and_the_searchable_table_of_where_everything_goes(user: User,
                                                                                     owner: Account) -> None:
    await _item('Mowing')
    await connect_quickbooks(user)
    await user.open(MAPPING)
    await user.should_see(marker='account-table', retries=20)
    table = user.find(kind=ui.table, marker='account-table').elements.pop()
    assert {'kind': 'Payment method', 'app_value': 'Cash', 'account': 'Undeposited Funds',
            'source': 'the default'}.items() <= next(r for r in table.rows if r['app_value'] == 'Cash').items()
    value = _select(user, 'override-value-customer_type_receivable')
    value.set_options([*value.options, 'Commercial'], value='Commercial')  # typed in: no customer has it yet
    target = _select(user, 'override-target-customer_type_receivable')
    target.set_value(next(k for k, v in target.options.items() if v == 'Accounts Receivable (A/R)'))
    user.find(marker='override-add-customer_type_receivable').click()
    await user.should_see('Customer type accounts saved.', retries=20)
    await user.should_see(marker='override-row-customer_type_receivable')
    row = next(r for r in table.rows if r['app_value'] == 'Commercial')
    assert (row['account'], row['source']) == ('Accounts Receivable (A/R)', 'its own account')
    assert next(r for r in table.rows if r['app_value'] == 'Mowing')['source'] == 'not mapped'
    user.find(marker='account-table-search').type('commercial')
    await user.should_see(marker='account-table-count', content='Shown: 1.', retries=20)
    assert [r['app_value'] for r in table.rows] == ['Commercial']
    saved = await app.state.services.account_overrides.overrides('customer_type_receivable')
    assert saved['Commercial'].qbo_account_name == 'Accounts Receivable (A/R)'
