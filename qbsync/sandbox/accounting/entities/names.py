"""Name-list entities: Customer and Vendor (writable), Employee (read and query), Item and Account (writable),
PaymentMethod (writable).

Shared rules: names unique (DisplayName across Customer, Vendor and Employee; Name per Item/Account), no ``:``, tab
or newline in names, ``FullyQualifiedName`` built from the parent chain, never deleted, only deactivated.
Name comparisons are case-insensitive (UNCONFIRMED at Intuit; QuickBooks' UI treats "ACME" and "Acme" as the same
name) and inactive objects keep their names reserved (Intuit documents uniqueness "across all" objects).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from .. import faults
from .base import Context, EntityType
from .values import ref_id

if TYPE_CHECKING:
    from ...events import Operation
    from ..store import Company

__all__ = ['NameListType', 'PERSON_ENTITIES', 'check_unique', 'check_name_characters', 'set_hierarchy']

PERSON_ENTITIES = ('Customer', 'Vendor', 'Employee')
MAX_LEVELS = 5


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
    wanted = str(obj.get(field, '')).strip().casefold()
    for entity in entities:
        for other in company.iter_objects(entity):
            if entity == own_entity and other['Id'] == obj.get('Id'):
                continue
            if str(other.get(field, '')).strip().casefold() == wanted:
                raise faults.duplicate_name(kind)


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


class VendorType(NameListType):
    """Vendors can be created and updated through the API (REF-vendor); the fields a payee needs are kept."""
    name, path = 'Vendor', 'vendor'
    operations = frozenset({'create', 'read', 'update', 'query'})
    unique_field, unique_among, unique_kind = 'DisplayName', PERSON_ENTITIES, 'person'
    fields = frozenset({'DisplayName', 'GivenName', 'FamilyName', 'CompanyName', 'PrintOnCheckName', 'Active',
                        'PrimaryPhone', 'PrimaryEmailAddr', 'BillAddr', 'Vendor1099', 'AcctNum', 'TermRef'})
    required = ('DisplayName',)
    lengths = {'DisplayName': 500, 'GivenName': 100, 'FamilyName': 100, 'CompanyName': 100,
               'PrintOnCheckName': 110}
    defaults = {'Active': True, 'Vendor1099': False}
    filterable = EntityType.filterable | {'DisplayName', 'GivenName', 'FamilyName', 'CompanyName', 'Active',
                                          'Balance', 'PrimaryEmailAddr', 'PrintOnCheckName', 'Vendor1099'}


class PaymentMethodType(NameListType):
    """Payment methods can be created through the API (REF-paymentmethod); names are unique."""
    name, path = 'PaymentMethod', 'paymentmethod'
    operations = frozenset({'create', 'read', 'update', 'query'})
    fields = frozenset({'Name', 'Active', 'Type'})
    required = ('Name',)
    lengths = {'Name': 31}
    enums = {'Type': ('CREDIT_CARD', 'NON_CREDIT_CARD')}
    defaults = {'Active': True, 'Type': 'NON_CREDIT_CARD'}
    filterable = EntityType.filterable | {'Name', 'Active', 'Type'}


class EmployeeType(NameListType):
    name, path = 'Employee', 'employee'
    unique_field, unique_among, unique_kind = 'DisplayName', PERSON_ENTITIES, 'person'
    filterable = EntityType.filterable | {'DisplayName', 'GivenName', 'FamilyName', 'Active', 'PrimaryEmailAddr',
                                          'EmployeeNumber', 'PrintOnCheckName'}
