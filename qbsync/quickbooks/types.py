"""Typed views of the QuickBooks reference data the app reads (company, accounts), parsed from the wire."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ['CompanyInfo', 'QboAccount']


@dataclass(frozen=True)
class CompanyInfo:
    realm_id: str
    company_name: str
    legal_name: str = ''
    country: str = ''
    email: str = ''

    @classmethod
    def from_wire(cls, realm_id: str, data: dict[str, Any]) -> CompanyInfo:
        return cls(realm_id=realm_id, company_name=str(data.get('CompanyName') or ''),
                   legal_name=str(data.get('LegalName') or ''), country=str(data.get('Country') or ''),
                   email=str((data.get('Email') or {}).get('Address') or ''))


@dataclass(frozen=True)
class QboAccount:
    """A chart-of-accounts entry, as the mapping tab offers it."""
    id: str
    name: str
    fully_qualified_name: str
    account_type: str
    account_sub_type: str = ''
    classification: str = ''
    active: bool = True
    current_balance: Decimal = Decimal('0')
    currency: str = ''

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> QboAccount:
        name = str(data.get('Name') or '')
        balance = data.get('CurrentBalance')
        return cls(id=str(data['Id']), name=name, fully_qualified_name=str(data.get('FullyQualifiedName') or name),
                   account_type=str(data.get('AccountType') or ''),
                   account_sub_type=str(data.get('AccountSubType') or ''),
                   classification=str(data.get('Classification') or ''), active=bool(data.get('Active', True)),
                   current_balance=Decimal(str(balance)) if balance is not None else Decimal('0'),
                   currency=str((data.get('CurrencyRef') or {}).get('value') or ''))
