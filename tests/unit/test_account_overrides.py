"""Per-value account overrides (expense category, payment method, customer type), their fallbacks, and the one
readable "app value → QuickBooks account" table with search."""
from __future__ import annotations

from datetime import date

import pytest

from center_db import database, manager, viewer_account  # noqa: F401 (fixtures)
from qbsync.mapping.accounts import AccountOverrides
from qbsync.mapping.refs import Refs
from qbsync.models import Customer, Expense, ExpenseLine, MappingPurpose
from qbsync.services import account_mapping as am
from qbsync.services.account_overrides import (CUSTOMER_TYPE_RECEIVABLE, DEFAULT, OWN, UNMAPPED,
                                               AccountOverridesService, AccountRow)
from qbsync.services.errors import PermissionDenied, ValidationError
from test_account_mapping import FakeConnection, _item


def _services(db):  # type: ignore[no-untyped-def]
    connection = FakeConnection()
    mapping = am.AccountMappingService(db, connection)
    return mapping, AccountOverridesService(db, connection, mapping)


async def _records(db) -> None:  # type: ignore[no-untyped-def]
    async with db.session() as session:
        session.add_all([Customer(display_name='A', customer_type='Commercial'),
                         Customer(display_name='B', customer_type='Residential')])
        expense = Expense(txn_date=date(2026, 11, 2), payee='Depot')
        session.add(expense)
        await session.flush()
        session.add_all([ExpenseLine(expense_id=expense.id, category='Fuel'),
                         ExpenseLine(expense_id=expense.id, category='Supplies')])
        await session.commit()


async def test_overrides_fall_back_to_the_defaults_in_one_searchable_table(database, manager) -> None:  # noqa: F811
    mapping, overrides = _services(database)
    await _records(database)
    await _item(database, 'Mowing')
    await mapping.save({am.INCOME: '1', am.ACCOUNTS_RECEIVABLE: '3', am.EXPENSE_CATEGORY: '11'}, {}, acting=manager)
    await overrides.save(am.EXPENSE_CATEGORY, {'Fuel': '11'}, acting=manager)
    await overrides.save(am.DEPOSIT, {'Check': '5'}, acting=manager)
    await overrides.save(CUSTOMER_TYPE_RECEIVABLE, {'Commercial': '3', 'Residential': None}, acting=manager)
    table = await overrides.table()
    assert AccountRow('Company default', 'Income account', 'Services', DEFAULT) in table
    assert AccountRow('Company default', 'Expenses are paid from', '', UNMAPPED) in table
    assert AccountRow('Item', 'Mowing', 'Services', DEFAULT) in table
    assert AccountRow('Expense category', 'Fuel', 'Office Expenses', OWN) in table
    assert AccountRow('Expense category', 'Supplies', 'Office Expenses', DEFAULT) in table
    assert AccountRow('Payment method', 'Check', 'Checking', OWN) in table
    assert AccountRow('Payment method', 'Cash', 'Undeposited Funds', DEFAULT) in table  # QuickBooks' default
    assert AccountRow('Customer type', 'Commercial', 'Accounts Receivable (A/R)', OWN) in table
    assert AccountRow('Customer type', 'Residential', 'Accounts Receivable (A/R)', DEFAULT) in table
    assert await overrides.table('customer commercial') == [
        AccountRow('Customer type', 'Commercial', 'Accounts Receivable (A/R)', OWN)]
    # saving the company roles keeps the per-value overrides (they share purposes with the roles)
    saved = await mapping.save({am.INCOME: '1', am.EXPENSE_CATEGORY: '11', am.DEPOSIT: '4'}, {}, acting=manager)
    assert saved.roles[am.DEPOSIT] == am.MappedAccount('4', 'Undeposited Funds')
    assert (await overrides.overrides(am.DEPOSIT)) == {'Check': am.MappedAccount('5', 'Checking')}
    assert (await overrides.overrides(am.EXPENSE_CATEGORY)) == {'Fuel': am.MappedAccount('11', 'Office Expenses')}


async def test_override_accounts_must_suit_the_kind(database, manager, viewer_account) -> None:  # noqa: F811
    _, overrides = _services(database)
    with pytest.raises(ValidationError) as caught:
        await overrides.save(am.DEPOSIT, {'Cash': '11', 'ACH': '999', ' ': '5', 'cash': '5'}, acting=manager)
    assert set(caught.value.field_errors) == {'deposit:Cash', 'deposit:ACH', 'deposit: ', 'deposit:cash'}
    assert 'Office Expenses is a Expense account' in caught.value.field_errors['deposit:Cash']
    assert await overrides.overrides(am.DEPOSIT) == {}
    with pytest.raises(PermissionDenied):
        await overrides.save(am.DEPOSIT, {'Cash': '5'}, acting=viewer_account)
    assert await overrides.app_values(am.DEPOSIT) == ['ACH', 'Cash', 'Check', 'Credit Card']


def test_refs_take_the_values_own_account_else_the_company_role() -> None:
    refs = Refs(accounts={MappingPurpose.ACCOUNTS_RECEIVABLE: '4', MappingPurpose.DEPOSIT: '5'},
                undeposited_funds='9', customer_types={1: 'Commercial', 2: 'Residential'})
    refs.overrides.add(MappingPurpose.CUSTOMER_TYPE_RECEIVABLE, 'commercial', '3')
    refs.overrides.add(MappingPurpose.DEPOSIT, 'Check', '6')
    assert [refs.receivable_account(1), refs.receivable_account(2), refs.receivable_account(None)] == ['3', '4', '4']
    assert refs.receivable_account(2, fallback=False) is None
    assert [refs.deposit_account('CHECK '), refs.deposit_account('Cash')] == ['6', '5']
    assert Refs(undeposited_funds='9').deposit_account('Cash') == '9'
    assert AccountOverrides().own(MappingPurpose.DEPOSIT, '') is None
