"""Name-list entities and what they share; the people (Vendor, Employee; Customer in .customer) live here.

Shared rules: names unique (DisplayName across Customer, Vendor and Employee; Name per Item/Account), no ``:``, tab
or newline in names, ``FullyQualifiedName`` built from the parent chain, never deleted, only deactivated.
Name comparisons are case-insensitive (UNCONFIRMED at Intuit; QuickBooks' UI treats "ACME" and "Acme" as the same
name) and inactive objects keep their names reserved (Intuit documents uniqueness "across all" objects).
"""
from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .. import faults
from ..seed import home_currency
from .base import Context, EntityType, RefRule
from .ledger import vendor_balance, vendor_balances
from .values import is_email, money, ref_id, to_date, to_decimal

if TYPE_CHECKING:
    from ...events import Operation
    from ..store import Company

__all__ = ['NameListType', 'PersonType', 'PERSON_ENTITIES', 'PERSON_LENGTHS', 'NAME_PARTS', 'check_unique',
           'check_name_characters', 'set_hierarchy', 'VendorType', 'EmployeeType']

PERSON_ENTITIES = ('Customer', 'Vendor', 'Employee')
MAX_LEVELS = 5
NAME_PARTS = ('Title', 'GivenName', 'MiddleName', 'FamilyName', 'Suffix')
_ADDRESS_LENGTHS = {
    **{f'{{addr}}.{part}': 500 for part in ('Line1', 'Line2', 'Line3', 'Line4', 'Line5')},
    **{f'{{addr}}.{part}': 255 for part in ('City', 'Country', 'CountrySubDivisionCode')},
    '{addr}.PostalCode': 30,
}
PERSON_LENGTHS = {
    'DisplayName': 500, 'Title': 16, 'GivenName': 100, 'MiddleName': 100, 'FamilyName': 100, 'Suffix': 16,
    'CompanyName': 100, 'PrintOnCheckName': 110, 'PrimaryEmailAddr.Address': 100,
    'PrimaryPhone.FreeFormNumber': 30, 'AlternatePhone.FreeFormNumber': 30, 'Mobile.FreeFormNumber': 30,
    'Fax.FreeFormNumber': 30, 'WebAddr.URI': 1000,
    **{key.format(addr=addr): n for addr in ('BillAddr', 'ShipAddr', 'PrimaryAddr')
       for key, n in _ADDRESS_LENGTHS.items()},
}
ZERO = Decimal('0')


class NameListType(EntityType):
    name_list = True
    unique_field: str = 'Name'
    unique_among: tuple[str, ...] = ()
    unique_kind: str = 'object'

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        check_unique(ctx.company, self.name, self.unique_among or (self.name,), self.unique_field, obj,
                     self.unique_kind)
        if ctx.existing is not None and ctx.existing.get('Active', True) and obj.get('Active') is False:
            self.check_deactivate(ctx.company, ctx.existing)

    def check_deactivate(self, company: Company, existing: dict[str, Any]) -> None:
        """Refuse a deactivation Intuit refuses (a customer with an open balance)."""

    def update_announcement(self, company: Company, previous: dict[str, Any], obj: dict[str, Any]) -> Operation | None:
        """Making a record inactive is announced as ``CompanyPolicy.deactivation_operation`` (UNCONFIRMED)."""
        if previous.get('Active', True) and obj.get('Active') is False:
            return company.policy.deactivation_operation
        return None


def check_unique(company: Company, own_entity: str, entities: Iterable[str], field: str, obj: dict[str, Any],
                 kind: str) -> None:
    wanted = _name_key(obj.get(field, ''))
    for entity in entities:
        for other in company.lookup(entity, _name_keys(field), wanted):
            if not (entity == own_entity and other['Id'] == obj.get('Id')):
                raise faults.duplicate_name(kind)


def _name_key(value: Any) -> str:
    return str(value).strip().casefold()


@cache
def _name_keys(field: str) -> Callable[[dict[str, Any]], tuple[str]]:
    """``Company.lookup`` keys by a name as Intuit compares names (trimmed, any case); one function per field."""
    def keys(obj: dict[str, Any]) -> tuple[str]:
        return (_name_key(obj.get(field, '')),)
    return keys


def check_name_characters(obj: dict[str, Any], fields: Iterable[str], forbidden: str = ':\t\n') -> None:
    for field in fields:
        value = obj.get(field)
        if isinstance(value, str) and any(ch in value for ch in forbidden):
            raise faults.invalid_characters(field, value)


def set_hierarchy(ctx: Context, entity: str, obj: dict[str, Any], own_name: str, parent_flag: str) -> None:
    """``FullyQualifiedName`` = parent chain joined by ``:``; at most five levels (Intuit code 6180 beyond)."""
    parent_id = ref_id(obj.get('ParentRef')) if obj.get(parent_flag, bool(obj.get('ParentRef'))) else None
    if parent_id is None:
        obj.pop('ParentRef', None)
        obj[parent_flag] = False
        obj['FullyQualifiedName'] = own_name
        if entity == 'Customer':
            obj['Level'] = 0
        return
    parent = ctx.company.get_object(entity, parent_id)
    if parent is None:
        raise faults.invalid_reference('ParentRef', entity, parent_id)
    chain, cursor = [parent], parent
    while (up := ref_id(cursor.get('ParentRef'))) is not None and len(chain) <= MAX_LEVELS:
        if up == obj.get('Id'):
            raise faults.business_validation('A parent cannot be its own descendant', 'ParentRef')
        cursor = ctx.company.get_object(entity, up) or {}
        chain.append(cursor)
    if len(chain) >= MAX_LEVELS:
        raise faults.QBOFault([faults.FaultError('6180', 'Too many nesting levels',
                                                 'You can only nest up to 5 levels of sub-customers or sub-items.',
                                                 'ParentRef')])
    obj[parent_flag] = True
    obj['ParentRef'] = {'value': parent_id, 'name': parent.get('FullyQualifiedName', '')}
    obj['FullyQualifiedName'] = f"{parent.get('FullyQualifiedName', '')}:{own_name}"
    if entity == 'Customer':
        obj['Level'] = len(chain)


class PersonType(NameListType):
    """Customer, Vendor and Employee: DisplayName built from the name parts when omitted (6080 without any), unique
    across all three (6240), no ``:``/tab/newline in the names, an email Intuit can read."""

    unique_field, unique_among, unique_kind = 'DisplayName', PERSON_ENTITIES, 'person'
    operations = frozenset({'create', 'read', 'update', 'query'})
    lengths = PERSON_LENGTHS

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        if not str(obj.get('DisplayName', '')).strip():
            parts = [str(obj[p]).strip() for p in NAME_PARTS if str(obj.get(p, '')).strip()]
            if not parts:
                raise faults.no_name()
            obj['DisplayName'] = ' '.join(parts)
        obj['DisplayName'] = str(obj['DisplayName']).strip()
        check_name_characters(obj, ('DisplayName', *NAME_PARTS, 'PrintOnCheckName'))
        obj.setdefault('PrintOnCheckName', obj.get('CompanyName') or obj['DisplayName'])
        email = (obj.get('PrimaryEmailAddr') or {}).get('Address')
        if email is not None and not is_email(str(email)):
            raise faults.business_validation('Email Address does not conform to the syntax rules of RFC 822',
                                             'PrimaryEmailAddr')
        if 'CurrencyRef' in self.fields:
            obj.setdefault('CurrencyRef', home_currency(ctx.company))
        if ctx.existing is not None and 'CurrencyRef' in self.fields:
            before, after = ref_id(ctx.existing.get('CurrencyRef')), ref_id(obj.get('CurrencyRef'))
            if before and after != before:
                raise faults.business_validation(f"You can't change the currency of a {self.name.lower()} once it "
                                                 f"is set.", 'CurrencyRef')


_CONTACT = frozenset({*NAME_PARTS, 'DisplayName', 'PrintOnCheckName', 'Active', 'PrimaryPhone', 'Mobile',
                      'PrimaryEmailAddr'})


class VendorType(PersonType):
    """Vendor: a payee of bills, checks and purchase orders; Balance (open bills less payments and credits) derived."""

    name, path = 'Vendor', 'vendor'
    fields = _CONTACT | {'CompanyName', 'AlternatePhone', 'Fax', 'WebAddr', 'BillAddr', 'OtherContactInfo',
                         'TaxIdentifier', 'AcctNum', 'Vendor1099', 'TermRef', 'CurrencyRef', 'APAccountRef',
                         'BillRate', 'CostRate', 'GSTRegistrationType', 'GSTIN', 'BusinessNumber', 'T4AEligible',
                         'T5018Eligible', 'HasTPAR'}
    lengths = {**PERSON_LENGTHS, 'AcctNum': 100, 'TaxIdentifier': 20}
    refs = (RefRule('TermRef', ('Term',)), RefRule('APAccountRef', ('Account',)))
    defaults = {'Active': True, 'Vendor1099': False}
    filterable = EntityType.filterable | {'DisplayName', 'GivenName', 'FamilyName', 'CompanyName', 'Active',
                                          'Balance', 'PrimaryEmailAddr', 'PrintOnCheckName', 'Vendor1099'}

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().derive(ctx, obj)
        for field in ('BillRate', 'CostRate'):
            if field in obj:
                obj[field] = to_decimal(obj[field], field)
        ident = obj.get('TaxIdentifier')
        if isinstance(ident, str) and not ident.startswith('X'):
            obj['TaxIdentifier'] = 'XXXXXX' + ident[-4:]     # Intuit answers tax ids masked
        if 'APAccountRef' in obj:
            account = ctx.company.get_object('Account', ref_id(obj['APAccountRef']) or '') or {}
            if account and account.get('AccountType') != 'Accounts Payable':
                raise faults.business_validation('APAccountRef must be an Accounts Payable account.', 'APAccountRef')

    def check_deactivate(self, company: Company, existing: dict[str, Any]) -> None:
        if vendor_balances(company).get(existing['Id'], ZERO) != 0:
            raise faults.delete_has_balance('Vendor')

    def view(self, company: Company, obj: dict[str, Any]) -> dict[str, Any]:
        return {**obj, 'Balance': money(vendor_balance(company, obj['Id']))}

    def views(self, company: Company) -> list[dict[str, Any]]:
        balances = vendor_balances(company)
        return [{**obj, 'Balance': money(balances.get(obj['Id'], ZERO))} for obj in company.iter_objects(self.name)]


class EmployeeType(PersonType):
    """Employee: SSN is answered masked, as Intuit does; dates are plain dates."""

    name, path = 'Employee', 'employee'
    fields = _CONTACT | {'PrimaryAddr', 'EmployeeNumber', 'SSN', 'BillableTime', 'BillRate', 'CostRate',
                         'BirthDate', 'Gender', 'HiredDate', 'ReleasedDate', 'Organization'}
    lengths = {**PERSON_LENGTHS, 'EmployeeNumber': 100}
    enums = {'Gender': ('Male', 'Female')}
    defaults = {'Active': True, 'BillableTime': False}
    filterable = EntityType.filterable | {'DisplayName', 'GivenName', 'FamilyName', 'Active', 'PrimaryEmailAddr',
                                          'EmployeeNumber', 'PrintOnCheckName'}

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().derive(ctx, obj)
        for field in ('BirthDate', 'HiredDate', 'ReleasedDate'):
            if field in obj:
                obj[field] = to_date(obj[field], field).isoformat()
        for field in ('BillRate', 'CostRate'):
            if field in obj:
                obj[field] = to_decimal(obj[field], field)
        ssn = obj.get('SSN')
        if isinstance(ssn, str) and not ssn.startswith('X'):
            obj['SSN'] = 'XXX-XX-' + ssn.replace('-', '')[-4:]
