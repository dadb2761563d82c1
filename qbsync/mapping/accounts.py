"""Per-value account overrides of the Account Mapping tab, for the entity mappers: a payment method's own deposit
account, a customer type's own Accounts Receivable account (and the per-category and per-item accounts the engine
already keeps in ``Refs``). Each falls back to the company-wide role in ``Refs``; see ``Refs.deposit_account`` and
``Refs.receivable_account``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ['AccountOverrides']


@dataclass
class AccountOverrides:
    by_purpose: dict[str, dict[str, str]] = field(default_factory=dict)  # purpose -> lower-case app value -> Id

    def add(self, purpose: str, app_value: str, account_id: str) -> None:
        self.by_purpose.setdefault(purpose, {})[app_value.strip().lower()] = account_id

    def own(self, purpose: str, app_value: object) -> str | None:
        """The account chosen for exactly this value ('check' finds 'Check'); None when it has none of its own."""
        if app_value in (None, ''):
            return None
        return self.by_purpose.get(purpose, {}).get(str(app_value).strip().lower())
