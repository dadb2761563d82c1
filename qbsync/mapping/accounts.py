"""Which account a record posts to, with the per-value overrides of the Account Mapping tab: pure lookups for the
entity mappers.

Precedence, most specific first: an item's own income account, then the company's Income account; a customer
type's own Accounts Receivable account, then the company's; an expense category's own account, then the default expense category; a payment method's own
deposit account, then the company's deposit account (QuickBooks' Undeposited Funds when none is chosen).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import MappingPurpose

__all__ = ['AccountChoices']


@dataclass
class AccountChoices:
    defaults: dict[str, str] = field(default_factory=dict)  # company-wide role -> account Id
    overrides: dict[str, dict[str, str]] = field(default_factory=dict)  # purpose -> lower-case app value -> Id

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str, str]]) -> AccountChoices:
        """From AccountMapping (purpose, local_key, qbo_account_id) rows."""
        choices = cls()
        for purpose, key, account in rows:
            if key:
                choices.overrides.setdefault(purpose, {})[key.strip().lower()] = account
            else:
                choices.defaults[purpose] = account
        return choices

    def _own(self, purpose: str, value: object) -> str | None:
        return self.overrides.get(purpose, {}).get(str(value).strip().lower()) if value not in (None, '') else None

    def income(self, item_id: int | None = None) -> str | None:
        return self._own(MappingPurpose.ITEM_INCOME, item_id) or self.defaults.get(MappingPurpose.INCOME)

    def receivable(self, customer_type: str = '') -> str | None:
        return self._own(MappingPurpose.CUSTOMER_TYPE_RECEIVABLE, customer_type) or \
            self.defaults.get(MappingPurpose.ACCOUNTS_RECEIVABLE)

    def expense(self, category: str) -> str | None:
        return self._own(MappingPurpose.EXPENSE_CATEGORY, category) or \
            self.defaults.get(MappingPurpose.EXPENSE_CATEGORY)

    def deposit(self, method: str) -> str | None:
        """None: leave DepositToAccountRef out, and QuickBooks puts the payment in Undeposited Funds."""
        return self._own(MappingPurpose.DEPOSIT, method) or self.defaults.get(MappingPurpose.DEPOSIT)
