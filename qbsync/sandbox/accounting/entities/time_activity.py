"""TimeActivity: hours an employee or vendor worked, optionally billable to a customer at an hourly rate.

``NameOf`` says who worked (Employee or Vendor, with EmployeeRef or VendorRef). The time is either ``Hours`` and
``Minutes`` or ``StartTime`` and ``EndTime`` (less ``BreakHours``/``BreakMinutes``), not both (6000). A billable
entry names the customer (2020 without). No ledger effect; change data capture does not carry it (.cdc).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import faults
from .base import Context, RefRule
from .txn import TransactionType
from .values import to_bool, to_decimal

__all__ = ['TimeActivityType']


class TimeActivityType(TransactionType):
    name, path = 'TimeActivity', 'timeactivity'
    operations = frozenset({'create', 'read', 'update', 'delete', 'query'})
    check_doc_number = False
    fields = frozenset({'TxnDate', 'NameOf', 'EmployeeRef', 'VendorRef', 'CustomerRef', 'ItemRef', 'ClassRef',
                        'DepartmentRef', 'PayrollItemRef', 'BillableStatus', 'Taxable', 'HourlyRate', 'CostRate',
                        'Hours', 'Minutes', 'BreakHours', 'BreakMinutes', 'StartTime', 'EndTime', 'Description',
                        'TimeZone'})
    required = ('NameOf',)
    lengths = {'Description': 4000}
    enums = {'NameOf': ('Employee', 'Vendor'), 'BillableStatus': ('Billable', 'NotBillable', 'HasBeenBilled')}
    refs = (RefRule('EmployeeRef', ('Employee',)), RefRule('VendorRef', ('Vendor',)),
            RefRule('CustomerRef', ('Customer',), inactive='customer'), RefRule('ItemRef', ('Item',)),
            RefRule('ClassRef', ('Class',)), RefRule('DepartmentRef', ('Department',)))
    defaults = {'BillableStatus': 'NotBillable', 'Taxable': False}
    filterable = frozenset({'Id', 'MetaData.CreateTime', 'MetaData.LastUpdatedTime', 'TxnDate', 'NameOf',
                            'EmployeeRef', 'VendorRef', 'CustomerRef', 'BillableStatus'})

    def company_settings(self, ctx: Context, obj: dict[str, Any]) -> None:
        """No currency on time entries."""

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        obj.pop('Line', None)
        obj['Taxable'] = to_bool(obj.get('Taxable', False))

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        worker = f"{obj['NameOf']}Ref"
        if worker not in obj:
            raise faults.required_param(worker)
        obj.pop('VendorRef' if obj['NameOf'] == 'Employee' else 'EmployeeRef', None)
        for field in ('HourlyRate', 'CostRate'):
            if field in obj:
                obj[field] = to_decimal(obj[field], field)
        by_clock = 'StartTime' in obj or 'EndTime' in obj
        by_duration = 'Hours' in obj or 'Minutes' in obj
        if by_clock and by_duration:
            raise faults.business_validation('Give either Hours and Minutes or StartTime and EndTime, not both.',
                                             'StartTime')
        if by_clock:
            start, end = self._clock_time(obj, 'StartTime'), self._clock_time(obj, 'EndTime')
            if end <= start:
                raise faults.business_validation('EndTime must be after StartTime.', 'EndTime')
        elif not by_duration:
            raise faults.required_param('Hours', 'Required parameter Hours (or StartTime and EndTime) is missing '
                                                 'in the request')
        for field, top in (('Hours', 10_000), ('Minutes', 59), ('BreakHours', 24), ('BreakMinutes', 59)):
            if field in obj:
                number = to_decimal(obj[field], field)
                if number != number.to_integral_value() or not 0 <= number <= top:
                    raise faults.invalid_number(field, obj[field])
                obj[field] = int(number)
        if obj['BillableStatus'] == 'Billable' and 'CustomerRef' not in obj:
            raise faults.required_param('CustomerRef', 'Required parameter CustomerRef is missing: billable time '
                                                       'is billed to a customer')

    @staticmethod
    def _clock_time(obj: dict[str, Any], field: str) -> datetime:
        if field not in obj:
            raise faults.required_param(field)
        try:
            return datetime.fromisoformat(str(obj[field]).replace('Z', '+00:00'))
        except ValueError:
            raise faults.invalid_date(field, obj[field]) from None
