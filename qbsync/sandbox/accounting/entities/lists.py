"""The tracking and terms lists a company sets up once: Class, Department (locations), Term, PaymentMethod, TaxAgency.

Class and Department are hierarchies like sub-customers: ``SubClass``/``SubDepartment`` with ``ParentRef``, a
``FullyQualifiedName`` of the parent chain joined by ``:`` (unique, 6240), at most five levels (6180). A Term is
either STANDARD (due ``DueDays`` after the transaction date, optional early-payment discount within
``DiscountDays``) or DATE_DRIVEN (due on ``DayOfMonthDue``, next month when issued within ``DueNextMonthDays`` of
it); ``Type`` follows from the fields given, and giving both kinds is refused (6000). A TaxAgency can only be
created and read, as at Intuit (its rates come from the TaxService endpoint).
"""
from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import faults
from .base import Context, EntityType
from .names import NameListType, check_name_characters, set_hierarchy
from .values import ref_id, to_bool, to_decimal

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['HierarchyList', 'ClassType', 'DepartmentType', 'TermType', 'PaymentMethodType', 'TaxAgencyType',
           'term_due_date']

_WRITABLE = frozenset({'create', 'read', 'update', 'query'})
_STANDARD = ('DueDays', 'DiscountDays')
_DATE_DRIVEN = ('DayOfMonthDue', 'DueNextMonthDays', 'DiscountDayOfMonth')


class HierarchyList(NameListType):
    """A named list with sub-records (Class, Department): ``flag`` marks a sub-record."""

    operations = _WRITABLE
    flag = ''
    unique_field = 'FullyQualifiedName'
    required = ('Name',)
    lengths = {'Name': 100}
    defaults = {'Active': True}

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        obj['Name'] = str(obj.get('Name', '')).strip()
        if not obj['Name']:
            raise faults.required_param('Name')
        check_name_characters(obj, ('Name',))
        set_hierarchy(ctx, self.name, obj, obj['Name'], self.flag)

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().rules(ctx, obj)
        if obj.get('Active') is False and ctx.existing is not None and ctx.existing.get('Active', True):
            for child in ctx.company.iter_objects(self.name):
                if (child.get('ParentRef') or {}).get('value') == obj['Id'] and child.get('Active', True):
                    raise faults.business_validation(f'{self.name} {obj["Id"]} has active sub-records; make them '
                                                     f'inactive first.', 'Active')


    def after_commit(self, company: Company, stored: dict[str, Any] | None, previous: dict[str, Any] | None) -> None:
        """A renamed or moved record takes its sub-records' paths along (written as updates, not announced)."""
        if stored is None or previous is None or stored['FullyQualifiedName'] == previous['FullyQualifiedName']:
            return
        for child in company.iter_objects(self.name):
            if ref_id(child.get('ParentRef')) == stored['Id']:
                moved = {k: copy.deepcopy(v) for k, v in child.items() if k not in ('SyncToken', 'MetaData')}
                moved['ParentRef'] = {'value': stored['Id'], 'name': stored['FullyQualifiedName']}
                moved['FullyQualifiedName'] = f"{stored['FullyQualifiedName']}:{child['Name']}"
                before = copy.deepcopy(child)
                self.after_commit(company, company.commit(self.name, moved, 'Update', emit=False), before)


class ClassType(HierarchyList):
    name, path, flag, unique_kind = 'Class', 'class', 'SubClass', 'class'
    fields = frozenset({'Name', 'SubClass', 'ParentRef', 'Active'})
    filterable = EntityType.filterable | {'Name', 'Active', 'FullyQualifiedName', 'SubClass', 'ParentRef'}


class DepartmentType(HierarchyList):
    name, path, flag, unique_kind = 'Department', 'department', 'SubDepartment', 'location'
    fields = frozenset({'Name', 'SubDepartment', 'ParentRef', 'Active'})
    filterable = EntityType.filterable | {'Name', 'Active', 'FullyQualifiedName', 'SubDepartment', 'ParentRef'}


class TermType(NameListType):
    name, path, unique_kind = 'Term', 'term', 'term'
    operations = _WRITABLE
    fields = frozenset({'Name', 'Active', 'DiscountPercent', *_STANDARD, *_DATE_DRIVEN})
    required = ('Name',)
    lengths = {'Name': 31}
    defaults = {'Active': True}
    filterable = EntityType.filterable | {'Name', 'Active', 'DueDays', 'Type', 'DayOfMonthDue'}

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        obj['Name'] = str(obj.get('Name', '')).strip()
        check_name_characters(obj, ('Name',))
        standard = [f for f in _STANDARD if f in obj]
        driven = [f for f in _DATE_DRIVEN if f in obj]
        if standard and driven:
            raise faults.business_validation(f'A term is either standard ({", ".join(_STANDARD)}) or date driven '
                                             f'({", ".join(_DATE_DRIVEN)}), not both.', driven[0])
        if not standard and not driven:
            raise faults.required_param('DueDays', 'Required parameter DueDays (or DayOfMonthDue) is missing in the '
                                                   'request')
        obj['Type'] = 'STANDARD' if standard else 'DATE_DRIVEN'
        if obj['Type'] == 'STANDARD':
            obj.setdefault('DueDays', 0)
        elif 'DayOfMonthDue' not in obj:
            raise faults.required_param('DayOfMonthDue')
        for field in (*_STANDARD, *_DATE_DRIVEN):
            if field in obj:
                number = to_decimal(obj[field], field)
                high = 31 if field in ('DayOfMonthDue', 'DiscountDayOfMonth') else 999
                low = 1 if field in ('DayOfMonthDue', 'DiscountDayOfMonth') else 0
                if number != number.to_integral_value() or not low <= number <= high:
                    raise faults.invalid_number(field, obj[field])
                obj[field] = int(number)
        if 'DiscountPercent' in obj:
            percent = to_decimal(obj['DiscountPercent'], 'DiscountPercent')
            if not Decimal('0') <= percent <= Decimal('100'):
                raise faults.invalid_number('DiscountPercent', obj['DiscountPercent'])
            obj['DiscountPercent'] = percent
        if ctx.existing is not None and ctx.existing.get('Type', obj['Type']) != obj['Type']:
            raise faults.business_validation('The type of a term cannot be changed.', 'Type')


def term_due_date(term: dict[str, Any], issued: date) -> date:
    """When an invoice or bill issued on ``issued`` under ``term`` is due."""
    if term.get('Type') != 'DATE_DRIVEN':
        return issued + timedelta(days=int(term.get('DueDays', 0)))
    day = int(term['DayOfMonthDue'])
    window = int(term.get('DueNextMonthDays', 0))
    month_start = issued.replace(day=1)
    due = _day_in_month(month_start, day)
    if due < issued or (due - issued).days < window:
        due = _day_in_month((month_start + timedelta(days=32)).replace(day=1), day)
    return due


def _day_in_month(month_start: date, day: int) -> date:
    following = (month_start + timedelta(days=32)).replace(day=1)
    return month_start.replace(day=min(day, (following - timedelta(days=1)).day))


class PaymentMethodType(NameListType):
    name, path, unique_kind = 'PaymentMethod', 'paymentmethod', 'payment method'
    operations = _WRITABLE
    fields = frozenset({'Name', 'Active', 'Type'})
    required = ('Name',)
    lengths = {'Name': 31}
    enums = {'Type': ('CREDIT_CARD', 'NON_CREDIT_CARD')}
    defaults = {'Active': True, 'Type': 'NON_CREDIT_CARD'}
    filterable = EntityType.filterable | {'Name', 'Active', 'Type'}

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        obj['Name'] = str(obj.get('Name', '')).strip()
        check_name_characters(obj, ('Name',))


class TaxAgencyType(NameListType):
    """Created and read only: Intuit has no update or deactivation for tax agencies."""

    name, path, unique_kind = 'TaxAgency', 'taxagency', 'tax agency'
    name_list = False
    operations = frozenset({'create', 'read', 'query'})
    unique_field = 'DisplayName'
    fields = frozenset({'DisplayName', 'TaxTrackedOnSales', 'TaxTrackedOnPurchases', 'TaxRegistrationNumber'})
    required = ('DisplayName',)
    lengths = {'DisplayName': 100, 'TaxRegistrationNumber': 30}
    defaults = {'TaxTrackedOnSales': True, 'TaxTrackedOnPurchases': False}
    filterable = EntityType.filterable | {'DisplayName'}

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        obj['DisplayName'] = str(obj.get('DisplayName', '')).strip()
        for field in ('TaxTrackedOnSales', 'TaxTrackedOnPurchases'):
            obj[field] = to_bool(obj[field])
        obj['TaxAgencyConfig'] = 'USER_DEFINED'   # read-only: SYSTEM_GENERATED for agencies Intuit made
