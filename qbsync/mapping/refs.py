"""How the mapping modules resolve references: local records to QuickBooks Ids (the links), accounts (the
account mapping), and QuickBooks' own lists (terms, payment methods, vendors), looked up once per run.

The engine fills a Refs before a run; inbound sync fills the same object and uses the reverse lookups.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import MappingPurpose
from .accounts import AccountOverrides

__all__ = ['Refs', 'MappingError', 'Blocked']


class MappingError(ValueError):
    """A record cannot be expressed in QuickBooks yet; the message says what to do (shown on the record)."""

    def __init__(self, message: str, suggestion: str = '') -> None:
        super().__init__(message)
        self.suggestion = suggestion


class Blocked(MappingError):
    """A record this one needs failed (or was skipped) in this run; it goes once the blocker does."""

    def __init__(self, blocker: str) -> None:
        super().__init__(f'Blocked by {blocker}.', f'Fix {blocker} first; this record follows automatically.')
        self.blocker = blocker


@dataclass
class Refs:
    links: dict[tuple[str, int], str] = field(default_factory=dict)  # (entity_type, local id) -> QuickBooks Id
    accounts: dict[str, str] = field(default_factory=dict)  # MappingPurpose -> account Id (company-wide roles)
    item_income: dict[int, str] = field(default_factory=dict)  # local item id -> income account Id
    category_accounts: dict[str, str] = field(default_factory=dict)  # expense category (lower case) -> account Id
    undeposited_funds: str | None = None  # QuickBooks' default deposit account
    inventory_asset: str | None = None  # the Inventory Asset account (inventory items)
    cost_of_goods_sold: str | None = None  # the COGS account (inventory items, items with a purchase cost)
    # QuickBooks' own lists by entity ('Term', 'PaymentMethod', 'Vendor'): lower-case name -> Id, and back
    lists: dict[str, dict[str, str]] = field(default_factory=dict)
    list_names: dict[tuple[str, str], str] = field(default_factory=dict)
    taxable_items: set[int] = field(default_factory=set)  # local ids of taxable items
    custom_txn_numbers: bool = True  # Preferences.SalesFormsPrefs.CustomTxnNumbers
    blocked: dict[tuple[str, int], str] = field(default_factory=dict)  # records that failed this run -> title
    overrides: AccountOverrides = field(default_factory=AccountOverrides)  # per payment method, customer type
    customer_types: dict[int, str] = field(default_factory=dict)  # local customer id -> its type (if it has one)
    tax_keys: dict[str, str] = field(default_factory=dict)  # inbound: QuickBooks TaxCode Id -> the app's tax key
    _reverse: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)

    # -- local -> QuickBooks -----------------------------------------------------------------------------------
    def qbo_id(self, entity_type: str, local_id: int, title: str = '') -> str:
        found = self.links.get((entity_type, local_id))
        if not found and (entity_type, local_id) in self.blocked:
            raise Blocked(self.blocked[(entity_type, local_id)])
        if not found:
            what = title or f'{entity_type.replace("_", " ")} #{local_id}'
            raise MappingError(f'{what} is not in QuickBooks yet.', f'Send {what} first.')
        return found

    def account(self, purpose: str, what: str) -> str:
        found = self.accounts.get(purpose)
        if not found:
            raise MappingError(f'No account is chosen for {what}.', 'Choose it on the Account Mapping tab.')
        return found

    def income_account(self, item_id: int | None) -> str:
        return (self.item_income.get(item_id) if item_id is not None else None) or \
            self.account(MappingPurpose.INCOME, 'income')

    def deposit_account(self, method: str = '') -> str | None:
        return self.overrides.own(MappingPurpose.DEPOSIT, method) or self.accounts.get(MappingPurpose.DEPOSIT) \
            or self.undeposited_funds

    def receivable_account(self, customer_id: int | None, *, fallback: bool = True) -> str | None:
        """The A/R account of the customer's type, else (``fallback``) the company's."""
        own = self.overrides.own(MappingPurpose.CUSTOMER_TYPE_RECEIVABLE, self.customer_types.get(customer_id or 0))
        return own or (self.accounts.get(MappingPurpose.ACCOUNTS_RECEIVABLE) if fallback else None)

    def expense_account(self, category: str) -> str:
        found = self.category_accounts.get(category.strip().lower())
        if found:
            return found
        return self.account(MappingPurpose.EXPENSE_CATEGORY,
                            f"the expense category '{category}'" if category else 'expenses without a category')

    def add_list_entry(self, kind: str, qbo_id: str, name: str) -> None:
        self.lists.setdefault(kind, {})[name.strip().lower()] = qbo_id
        self.list_names[(kind, qbo_id)] = name

    def list_id(self, kind: str, name: str) -> str | None:
        """The Id of a list entry by name, case-insensitively ('net 30' finds 'Net 30'); None when absent."""
        return self.lists.get(kind, {}).get(name.strip().lower()) if name else None

    def list_name(self, kind: str, qbo_id: str | None) -> str:
        return self.list_names.get((kind, qbo_id), '') if qbo_id else ''

    def term(self, name: str) -> str | None:
        if not name:
            return None
        found = self.list_id('Term', name)
        if not found:
            raise MappingError(f"QuickBooks has no terms called '{name}'.",
                               f"Add '{name}' under Terms in QuickBooks, or choose terms QuickBooks has.")
        return found

    def named(self, kind: str, name: str) -> str:
        """A payment method or vendor the engine made sure exists before the run sent records using it."""
        found = self.list_id(kind, name)
        if not found:
            raise MappingError(f"QuickBooks has no {kind} called '{name}'.", 'Run the sync again.')
        return found

    # -- QuickBooks -> local -----------------------------------------------------------------------------------
    def local_id(self, entity_type: str, qbo_id: str | None) -> int | None:
        if not qbo_id:
            return None
        if not self._reverse:
            self._reverse = {(kind, value): local for (kind, local), value in self.links.items()}
        return self._reverse.get((entity_type, qbo_id))

    def link(self, entity_type: str, local_id: int, qbo_id: str) -> None:
        self.links[(entity_type, local_id)] = qbo_id
        if self._reverse:
            self._reverse[(entity_type, qbo_id)] = local_id
