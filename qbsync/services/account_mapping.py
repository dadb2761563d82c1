"""Which QuickBooks account plays which role for the active company, checked against the live chart of accounts.

Roles: Income and Accounts Receivable (required before invoices go out), the deposit account for payments
(Undeposited Funds unless chosen otherwise, as in QuickBooks itself), the account expenses are paid from, a default
expense category, and per-item income account overrides. Saving re-reads the accounts from QuickBooks so a deleted
or retyped account is caught before the engine posts against it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import col, delete, select

from ..db import Database
from ..models import AccountMapping, Item, MappingPurpose, User
from ..models.records import utcnow
from ..quickbooks.types import QboAccount
from .errors import ValidationError
from .permissions import require_manager

if TYPE_CHECKING:
    from .connection import ConnectionService

__all__ = ['MappingRole', 'ROLES', 'REQUIRED_ROLES', 'MappedAccount', 'MappingSet', 'AccountMappingService',
           'INCOME', 'ACCOUNTS_RECEIVABLE', 'DEPOSIT', 'EXPENSE_PAYMENT', 'EXPENSE_CATEGORY', 'ITEM_INCOME',
           'UNDEPOSITED_FUNDS_SUBTYPE', 'NotConnected']

INCOME = MappingPurpose.INCOME
ACCOUNTS_RECEIVABLE = MappingPurpose.ACCOUNTS_RECEIVABLE
DEPOSIT = MappingPurpose.DEPOSIT
EXPENSE_PAYMENT = MappingPurpose.EXPENSE_PAYMENT
EXPENSE_CATEGORY = MappingPurpose.EXPENSE_CATEGORY
ITEM_INCOME = MappingPurpose.ITEM_INCOME
UNDEPOSITED_FUNDS_SUBTYPE = 'UndepositedFunds'
INCOME_TYPES = ('Income', 'Other Income')


@dataclass(frozen=True)
class MappingRole:
    key: str
    label: str
    account_types: tuple[str, ...]  # QuickBooks AccountType values an account must have for this role
    required: bool = False
    hint: str = ''


ROLES: dict[str, MappingRole] = {role.key: role for role in (
    MappingRole(INCOME, 'Income account', INCOME_TYPES, True, 'Where invoice and credit memo lines post.'),
    MappingRole(ACCOUNTS_RECEIVABLE, 'Accounts Receivable', ('Accounts Receivable',), True,
                'What customers owe; invoices and payments go through it.'),
    MappingRole(DEPOSIT, 'Deposit account for payments', ('Bank', 'Other Current Asset'), False,
                'Undeposited Funds unless you pay straight into a bank account.'),
    MappingRole(EXPENSE_PAYMENT, 'Expenses are paid from', ('Bank', 'Credit Card'), False,
                'The bank or credit card account expenses are paid from.'),
    MappingRole(EXPENSE_CATEGORY, 'Default expense category', ('Expense', 'Other Expense', 'Cost of Goods Sold'),
                False, 'Used for expense lines whose category has no account of its own.'),
)}
REQUIRED_ROLES = tuple(key for key, role in ROLES.items() if role.required)
ITEM_ROLE = MappingRole(ITEM_INCOME, 'Item income account', INCOME_TYPES)


class NotConnected(ValueError):
    """Mapping needs an active QuickBooks company."""


@dataclass(frozen=True)
class MappedAccount:
    qbo_account_id: str
    qbo_account_name: str


@dataclass(frozen=True)
class MappingSet:
    realm_id: str | None
    roles: dict[str, MappedAccount] = field(default_factory=dict)  # role key -> account
    item_income: dict[int, MappedAccount] = field(default_factory=dict)  # local item id -> account

    def missing_required(self) -> list[str]:
        return [ROLES[key].label for key in REQUIRED_ROLES if key not in self.roles]


class AccountMappingService:
    def __init__(self, db: Database, connection: ConnectionService) -> None:
        self._db = db
        self._connection = connection

    async def active_realm(self) -> str | None:
        view = await self._connection.current()
        return view.realm_id if view is not None else None

    async def load(self, realm_id: str | None = None) -> MappingSet:
        realm_id = realm_id or await self.active_realm()
        if not realm_id:
            return MappingSet(None)
        async with self._db.session() as session:
            rows = (await session.exec(select(AccountMapping).where(AccountMapping.realm_id == realm_id))).all()
        roles = {r.purpose: MappedAccount(r.qbo_account_id, r.qbo_account_name) for r in rows if r.purpose in ROLES}
        items = {int(r.local_key): MappedAccount(r.qbo_account_id, r.qbo_account_name)
                 for r in rows if r.purpose == ITEM_INCOME and r.local_key.isdigit()}
        return MappingSet(realm_id, roles, items)

    async def missing_required(self, realm_id: str | None = None) -> list[str]:
        """Labels of the roles that must be mapped before invoices can go out (empty when ready)."""
        return (await self.load(realm_id)).missing_required()

    async def accounts(self) -> list[QboAccount]:
        """Active accounts of the connected company, read live from QuickBooks."""
        return [a for a in await self._connection.list_accounts() if a.active]

    @staticmethod
    def choices(role_key: str, accounts: list[QboAccount]) -> list[QboAccount]:
        """The accounts whose type suits the role, by name."""
        allowed = (ITEM_ROLE if role_key == ITEM_INCOME else ROLES[role_key]).account_types
        return sorted((a for a in accounts if a.account_type in allowed), key=lambda a: a.name.lower())

    @staticmethod
    def default_deposit(accounts: list[QboAccount]) -> QboAccount | None:
        """Undeposited Funds (by subtype, else by name): QuickBooks' own default for received payments."""
        for account in accounts:
            if account.account_sub_type == UNDEPOSITED_FUNDS_SUBTYPE:
                return account
        return next((a for a in accounts if a.name.lower() == 'undeposited funds'), None)

    async def item_names(self) -> dict[int, str]:
        """Local items that may get their own income account (id -> name), by name."""
        async with self._db.session() as session:
            rows = (await session.exec(select(Item.id, Item.name).order_by(col(Item.name)))).all()
        return {int(item_id): name for item_id, name in rows}

    async def save(self, roles: Mapping[str, str | None], item_income: Mapping[int, str | None], *,
                   acting: User) -> MappingSet:
        """Replace the company's mapping; every chosen account must exist in QuickBooks with a suitable type.

        :param roles: role key -> QuickBooks account id (None or '' clears the role)
        :param item_income: local item id -> account id; the complete set of overrides (others are removed)
        """
        require_manager(acting, 'change the account mapping')
        realm_id = await self.active_realm()
        if not realm_id:
            raise NotConnected('Connect QuickBooks before mapping accounts.')
        unknown = [key for key in roles if key not in ROLES]
        if unknown:
            raise ValueError(f'unknown mapping roles: {unknown}')
        by_id = {a.id: a for a in await self.accounts()}
        known_items = await self.item_names()
        errors: dict[str, str] = {}
        chosen: list[AccountMapping] = []
        for key, account_id in roles.items():
            if account_id:
                row = _row(realm_id, ROLES[key], '', account_id, by_id, errors, key)
                chosen += [row] if row else []
        for item_id, account_id in item_income.items():
            name = f'{ITEM_INCOME}:{item_id}'
            if item_id not in known_items:
                errors[name] = f'Item {item_id} does not exist.'
            elif account_id:
                row = _row(realm_id, ITEM_ROLE, str(item_id), account_id, by_id, errors, name)
                chosen += [row] if row else []
        if errors:
            raise ValidationError(errors)
        async with self._db.session() as session:
            await session.exec(delete(AccountMapping).where(  # type: ignore[call-overload]
                col(AccountMapping.realm_id) == realm_id,
                col(AccountMapping.purpose).in_([*roles.keys(), ITEM_INCOME])))
            session.add_all(chosen)
            await session.commit()
        return await self.load(realm_id)


def _row(realm_id: str, role: MappingRole, local_key: str, account_id: str, by_id: Mapping[str, QboAccount],
         errors: dict[str, str], field_name: str) -> AccountMapping | None:
    account = by_id.get(account_id)
    if account is None:
        errors[field_name] = 'This account no longer exists (or is inactive) in QuickBooks.'
        return None
    if account.account_type not in role.account_types:
        errors[field_name] = (f'{account.name} is a {account.account_type} account; '
                              f'{role.label} needs {" or ".join(role.account_types)}.')
        return None
    return AccountMapping(realm_id=realm_id, purpose=role.key, local_key=local_key, qbo_account_id=account.id,
                          qbo_account_name=account.name, updated_at=utcnow())
