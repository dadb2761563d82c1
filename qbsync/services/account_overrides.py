"""Per-value account overrides, and the one readable table of where everything posts.

Besides the company-wide roles and per-item income accounts (``account_mapping.py``), an owner can give an expense
category its own expense account, a payment method its own deposit account and a customer type its own Accounts
Receivable account (QuickBooks posts a sale to its item's income account, so a customer type picks the A/R side:
the customer's and its payments' ARAccountRef); everything without one falls back to the default of the Account
Mapping tab. ``table()`` shows the result as "app value → QuickBooks account", searchable, so an owner sees at a
glance where everything goes. Changing an override sends again what was sent under the old account.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import col, delete, select

from ..db import Database
from ..models import AccountMapping, Customer, ExpenseLine, MappingPurpose, Payment, User
from .account_mapping import (ACCOUNTS_RECEIVABLE, DEPOSIT, EXPENSE_CATEGORY, INCOME, ROLES, AccountMappingService,
                              MappedAccount, MappingRole, NotConnected, account_row)
from .errors import ValidationError
from .field_mapping import replan
from .permissions import require_manager
from .record_inputs import PAYMENT_METHODS

if TYPE_CHECKING:
    from .connection import ConnectionService

__all__ = ['OverrideKind', 'OVERRIDE_KINDS', 'AccountRow', 'AccountOverridesService', 'CUSTOMER_TYPE_RECEIVABLE',
           'OWN', 'DEFAULT', 'UNMAPPED']

CUSTOMER_TYPE_RECEIVABLE = MappingPurpose.CUSTOMER_TYPE_RECEIVABLE
OWN, DEFAULT, UNMAPPED = 'own', 'default', 'unmapped'  # where a row's account comes from
UNDEPOSITED = MappedAccount('', 'Undeposited Funds')  # QuickBooks' own default deposit account


@dataclass(frozen=True)
class OverrideKind:
    purpose: str  # AccountMapping.purpose of the override rows
    label: str  # what the app value is: 'Expense category'
    role: MappingRole  # which accounts suit it
    fallback: str  # the company-wide role used without an override
    entities: tuple[str, ...]  # whose payloads an override changes: they are sent again when it does


OVERRIDE_KINDS: dict[str, OverrideKind] = {kind.purpose: kind for kind in (
    OverrideKind(EXPENSE_CATEGORY, 'Expense category', ROLES[EXPENSE_CATEGORY], EXPENSE_CATEGORY, ('expense',)),
    OverrideKind(DEPOSIT, 'Payment method', ROLES[DEPOSIT], DEPOSIT, ('payment',)),
    OverrideKind(CUSTOMER_TYPE_RECEIVABLE, 'Customer type', ROLES[ACCOUNTS_RECEIVABLE], ACCOUNTS_RECEIVABLE,
                 ('customer', 'payment')),
)}


@dataclass(frozen=True)
class AccountRow:
    kind: str  # 'Item', 'Expense category', 'Payment method', 'Customer type', 'Company default'
    app_value: str
    account: str  # the QuickBooks account's name ('' when nothing is mapped)
    source: str  # OWN | DEFAULT | UNMAPPED

    def matches(self, search: str) -> bool:
        words = search.lower().split()
        text = f'{self.kind} {self.app_value} {self.account}'.lower()
        return all(word in text for word in words)


class AccountOverridesService:
    def __init__(self, db: Database, connection: ConnectionService, mapping: AccountMappingService) -> None:
        self._db = db
        self._connection = connection
        self._mapping = mapping

    async def overrides(self, purpose: str, realm_id: str | None = None) -> dict[str, MappedAccount]:
        """The overrides of one kind: app value -> account."""
        realm_id = realm_id or await self._mapping.active_realm()
        if not realm_id:
            return {}
        async with self._db.session() as session:
            rows = (await session.exec(select(AccountMapping).where(
                AccountMapping.realm_id == realm_id, AccountMapping.purpose == purpose,
                col(AccountMapping.local_key) != ''))).all()
        return {r.local_key: MappedAccount(r.qbo_account_id, r.qbo_account_name) for r in rows}

    async def app_values(self, purpose: str) -> list[str]:
        """The values the records use for a kind (payment methods also list the app's fixed choices)."""
        column = {EXPENSE_CATEGORY: ExpenseLine.category, DEPOSIT: Payment.method,
                  CUSTOMER_TYPE_RECEIVABLE: Customer.customer_type}[purpose]
        async with self._db.session() as session:
            found = {str(v).strip() for v in (await session.exec(select(column).distinct())).all() if str(v).strip()}
        if purpose == DEPOSIT:
            found.update(PAYMENT_METHODS)
        return sorted(found, key=str.lower)

    async def save(self, purpose: str, overrides: Mapping[str, str | None], *,
                   acting: User) -> dict[str, MappedAccount]:
        """Replace all overrides of one kind; each account must exist in QuickBooks and suit the kind.

        :param overrides: app value -> QuickBooks account id (None or '' drops the value's override)
        """
        require_manager(acting, 'change the account mapping')
        kind = OVERRIDE_KINDS[purpose]
        realm_id = await self._mapping.active_realm()
        if not realm_id:
            raise NotConnected('Connect QuickBooks before mapping accounts.')
        by_id = {a.id: a for a in await self._mapping.accounts()}
        errors: dict[str, str] = {}
        chosen: dict[str, AccountMapping] = {}
        seen: set[str] = set()
        for value, account_id in overrides.items():
            key = value.strip()
            if not key or len(key) > 100:
                errors[f'{purpose}:{value}'] = f'A {kind.label.lower()} needs 1 to 100 characters.'
            elif key.lower() in seen:
                errors[f'{purpose}:{value}'] = f'{kind.label} {key!r} is listed twice.'
            elif account_id:
                row = account_row(realm_id, kind.role, key, account_id, by_id, errors, f'{purpose}:{value}')
                if row is not None:
                    row.purpose = purpose
                    chosen[key] = row
            seen.add(key.lower())
        if errors:
            raise ValidationError(errors)
        before = {k.lower(): v.qbo_account_id for k, v in (await self.overrides(purpose, realm_id)).items()}
        after = {k.lower(): row.qbo_account_id for k, row in chosen.items()}
        async with self._db.session() as session:
            await session.exec(delete(AccountMapping).where(  # type: ignore[call-overload]
                col(AccountMapping.realm_id) == realm_id, col(AccountMapping.purpose) == purpose,
                col(AccountMapping.local_key) != ''))
            session.add_all(chosen.values())
            if before != after:  # what was sent under the old accounts goes again under the new ones
                for entity_type in kind.entities:
                    await replan(session, realm_id, entity_type)
            await session.commit()
        return await self.overrides(purpose, realm_id)

    async def table(self, search: str = '') -> list[AccountRow]:
        """Where everything posts: company defaults, then each item, expense category, payment method and customer
        type with its own account or the default it falls back to."""
        mapping = await self._mapping.load()
        if mapping.realm_id is None:
            return []
        rows = [AccountRow('Company default', role.label, mapping.roles[key].qbo_account_name
                           if key in mapping.roles else '', DEFAULT if key in mapping.roles else UNMAPPED)
                for key, role in ROLES.items()]
        income = mapping.roles.get(INCOME)
        for item_id, name in (await self._mapping.item_names()).items():
            rows.append(_row('Item', name, mapping.item_income.get(item_id), income))
        for purpose, kind in OVERRIDE_KINDS.items():
            own = {k.lower(): v for k, v in (await self.overrides(purpose, mapping.realm_id)).items()}
            values = {v.lower(): v for v in await self.app_values(purpose)}
            values.update({k.lower(): k for k in (await self.overrides(purpose, mapping.realm_id))})
            fallback = mapping.roles.get(kind.fallback) or (UNDEPOSITED if purpose == DEPOSIT else None)
            for lower, value in sorted(values.items()):
                rows.append(_row(kind.label, value, own.get(lower), fallback))
        return [row for row in rows if row.matches(search)] if search.strip() else rows


def _row(kind: str, value: str, own: MappedAccount | None, fallback: MappedAccount | None) -> AccountRow:
    if own is not None:
        return AccountRow(kind, value, own.qbo_account_name, OWN)
    return AccountRow(kind, value, fallback.qbo_account_name if fallback else '', DEFAULT if fallback else UNMAPPED)
