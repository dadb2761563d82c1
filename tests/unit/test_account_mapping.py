"""Account mapping: live accounts filtered by type, validation against QuickBooks, required roles, overrides."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from center_db import database, manager, viewer_account  # noqa: F401 (fixtures)
from qbsync.models import AccountMapping, Item
from qbsync.quickbooks.types import QboAccount
from qbsync.services import account_mapping as am
from qbsync.services.errors import PermissionDenied, ValidationError

REALM = '9130350000000001'
ACCOUNTS = [
    QboAccount('1', 'Services', 'Services', 'Income', 'ServiceFeeIncome'),
    QboAccount('2', 'Sales of Product Income', 'Sales of Product Income', 'Income', 'SalesOfProductIncome'),
    QboAccount('3', 'Accounts Receivable (A/R)', 'Accounts Receivable (A/R)', 'Accounts Receivable'),
    QboAccount('4', 'Undeposited Funds', 'Undeposited Funds', 'Other Current Asset', 'UndepositedFunds'),
    QboAccount('5', 'Checking', 'Checking', 'Bank', 'Checking'),
    QboAccount('7', 'Mastercard', 'Mastercard', 'Credit Card', 'CreditCard'),
    QboAccount('11', 'Office Expenses', 'Office Expenses', 'Expense', 'OfficeGeneralAdministrativeExpenses'),
    QboAccount('12', 'Old Income', 'Old Income', 'Income', 'ServiceFeeIncome', active=False),
]


@dataclass
class ConnectionView:
    realm_id: str


class FakeConnection:
    """Stands in for ConnectionService: the active company and its chart of accounts."""

    def __init__(self, realm_id: str | None = REALM) -> None:
        self.realm_id = realm_id
        self.accounts = list(ACCOUNTS)

    async def current(self) -> ConnectionView | None:
        return ConnectionView(self.realm_id) if self.realm_id else None

    async def list_accounts(self) -> list[QboAccount]:
        return self.accounts


async def _item(db, name: str) -> int:  # type: ignore[no-untyped-def]
    async with db.session() as session:
        item = Item(name=name)
        session.add(item)
        await session.commit()
        return int(item.id)  # type: ignore[arg-type]


def test_choices_filter_by_type() -> None:
    names = {key: [a.name for a in am.AccountMappingService.choices(key, ACCOUNTS)] for key in am.ROLES}
    assert names[am.INCOME] == ['Old Income', 'Sales of Product Income', 'Services']
    assert names[am.ACCOUNTS_RECEIVABLE] == ['Accounts Receivable (A/R)']
    assert names[am.DEPOSIT] == ['Checking', 'Undeposited Funds']
    assert names[am.EXPENSE_PAYMENT] == ['Checking', 'Mastercard']
    assert names[am.EXPENSE_CATEGORY] == ['Office Expenses']
    assert am.AccountMappingService.default_deposit(ACCOUNTS).id == '4'  # type: ignore[union-attr]


async def test_missing_required_until_income_and_ar_are_mapped(database, manager) -> None:  # noqa: F811
    service = am.AccountMappingService(database, FakeConnection())
    assert await service.missing_required() == ['Income account', 'Accounts Receivable']
    await service.save({am.INCOME: '1', am.DEPOSIT: '4'}, {}, acting=manager)
    assert await service.missing_required() == ['Accounts Receivable']
    saved = await service.save({am.ACCOUNTS_RECEIVABLE: '3'}, {}, acting=manager)
    assert saved.missing_required() == []
    assert saved.roles[am.INCOME] == am.MappedAccount('1', 'Services')
    assert saved.roles[am.DEPOSIT] == am.MappedAccount('4', 'Undeposited Funds')


async def test_inactive_accounts_are_not_offered(database) -> None:  # noqa: F811
    service = am.AccountMappingService(database, FakeConnection())
    assert '12' not in {a.id for a in await service.accounts()}


async def test_wrong_type_or_unknown_account_is_refused_and_nothing_written(database, manager) -> None:  # noqa: F811
    service = am.AccountMappingService(database, FakeConnection())
    await service.save({am.INCOME: '1'}, {}, acting=manager)
    with pytest.raises(ValidationError) as caught:
        await service.save({am.INCOME: '5', am.ACCOUNTS_RECEIVABLE: '999', am.EXPENSE_PAYMENT: '7'}, {},
                           acting=manager)
    assert set(caught.value.field_errors) == {am.INCOME, am.ACCOUNTS_RECEIVABLE}
    assert 'Checking is a Bank account' in caught.value.field_errors[am.INCOME]
    assert (await service.load()).roles == {am.INCOME: am.MappedAccount('1', 'Services')}
    with pytest.raises(ValidationError):  # inactive in QuickBooks
        await service.save({am.INCOME: '12'}, {}, acting=manager)


async def test_clearing_a_role_and_item_overrides(database, manager) -> None:  # noqa: F811
    service = am.AccountMappingService(database, FakeConnection())
    consulting = await _item(database, 'Consulting')
    widgets = await _item(database, 'Widgets')
    await service.save({am.INCOME: '1', am.EXPENSE_CATEGORY: '11'}, {consulting: '1', widgets: '2'}, acting=manager)
    saved = await service.save({am.INCOME: '1', am.EXPENSE_CATEGORY: None}, {widgets: '2'}, acting=manager)
    assert am.EXPENSE_CATEGORY not in saved.roles
    assert saved.item_income == {widgets: am.MappedAccount('2', 'Sales of Product Income')}
    with pytest.raises(ValidationError) as caught:
        await service.save({}, {widgets: '3', 4040: '1'}, acting=manager)
    assert set(caught.value.field_errors) == {f'item_income:{widgets}', 'item_income:4040'}
    assert await service.item_names() == {consulting: 'Consulting', widgets: 'Widgets'}


async def test_mapping_belongs_to_the_active_company(database, manager) -> None:  # noqa: F811
    connection = FakeConnection()
    service = am.AccountMappingService(database, connection)
    await service.save({am.INCOME: '1', am.ACCOUNTS_RECEIVABLE: '3'}, {}, acting=manager)
    connection.realm_id = '4620816365000000'
    assert (await service.load()).roles == {}
    assert (await service.load(REALM)).missing_required() == []
    connection.realm_id = None
    assert await service.load() == am.MappingSet(None)
    with pytest.raises(am.NotConnected):
        await service.save({am.INCOME: '1'}, {}, acting=manager)


async def test_viewer_cannot_save(database, viewer_account) -> None:  # noqa: F811
    service = am.AccountMappingService(database, FakeConnection())
    with pytest.raises(PermissionDenied):
        await service.save({am.INCOME: '1'}, {}, acting=viewer_account)
    async with database.session() as session:
        assert (await session.exec(AccountMapping.__table__.select())).all() == []  # type: ignore[attr-defined]
