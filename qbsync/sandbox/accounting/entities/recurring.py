"""RecurringTransaction: templates that QuickBooks turns into transactions on a schedule (read, create, delete).

Intuit wraps each template in its transaction's name: ``{"RecurringTransaction": {"Invoice": {..., "RecurringInfo":
{"Name", "RecurType", "Active", "ScheduleInfo": {...}}}}}``, and a delete body is ``{"Invoice": {"Id", "SyncToken"}}``.
The template is checked by its transaction's own rules (references, lines, amounts) without being posted or using
a document number; ``RecurringInfo.Name`` is unique (6240). ``ScheduleInfo`` (not for ``UnScheduled`` templates)
needs ``IntervalType`` and ``StartDate``; ``NextDate`` is derived. The sandbox stores templates; it does not run
them (no clock-driven transaction creation).
"""
from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .. import faults
from .base import SYSTEM_FIELDS, Context, EntityType
from .values import is_unset, to_bool, to_date

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['RecurringTransactionType', 'TEMPLATES']

TEMPLATES = ('Invoice', 'Bill', 'Purchase', 'CreditMemo', 'Deposit', 'Estimate', 'JournalEntry', 'RefundReceipt',
             'SalesReceipt', 'Transfer', 'VendorCredit', 'PurchaseOrder')
_INTERVALS = ('Daily', 'Weekly', 'Monthly', 'Yearly')
_STEP = {'Daily': 1, 'Weekly': 7}


class RecurringTransactionType(EntityType):
    name, path = 'RecurringTransaction', 'recurringtransaction'
    operations = frozenset({'create', 'read', 'delete', 'query'})

    def create(self, company: Company, payload: Any, allow_duplicate_doc_num: bool = False) -> dict[str, Any]:
        kind_name, template = self._template(payload)
        from . import entity_type
        kind = entity_type(kind_name)
        obj = kind._incoming(template)
        obj.pop('DocNumber', None)
        kind._apply_defaults(obj)
        counters = dict(company.counters)
        try:
            kind._prepare(Context(company, None, allow_duplicate_doc_num=True), obj)   # checked, not posted
        finally:
            company.counters.clear()
            company.counters.update(counters)
        obj.pop('DocNumber', None)
        info = self._recurring_info(company, template.get('RecurringInfo'))
        stored = company.commit(self.name, {'TxnType': kind.name, 'Template': obj, 'RecurringInfo': info}, 'Create')
        return self.render(company, stored)

    def delete(self, company: Company, payload: Any) -> dict[str, Any]:
        _, inner = self._template(payload)
        existing = self._existing_for_write(company, inner)
        company.commit(self.name, {'Id': existing['Id']}, 'Delete')
        return {existing['TxnType']: {'status': 'Deleted', 'domain': 'QBO', 'Id': existing['Id']}}

    @staticmethod
    def _template(payload: Any) -> tuple[str, dict[str, Any]]:
        if isinstance(payload, dict) and len(payload) == 1 and isinstance(payload.get('RecurringTransaction'), dict):
            payload = payload['RecurringTransaction']
        keys = [k for k in payload if k in TEMPLATES] if isinstance(payload, dict) else []
        if len(keys) != 1 or not isinstance(payload[keys[0]], dict):
            raise faults.request_body_error(f'a RecurringTransaction holds exactly one of {", ".join(TEMPLATES)}')
        return keys[0], payload[keys[0]]

    def _recurring_info(self, company: Company, info: Any) -> dict[str, Any]:
        if not isinstance(info, dict) or is_unset(info.get('Name')):
            raise faults.required_param('RecurringInfo.Name')
        out = {'Name': str(info['Name']).strip(), 'RecurType': info.get('RecurType') or 'Automated',
               'Active': to_bool(info.get('Active', True))}
        if out['RecurType'] not in ('Automated', 'Reminded', 'UnScheduled'):
            raise faults.invalid_enum('RecurringInfo.RecurType', out['RecurType'])
        if any(str(o['RecurringInfo']['Name']).casefold() == out['Name'].casefold()
               for o in company.iter_objects(self.name)):
            raise faults.duplicate_name('recurring template')
        if out['RecurType'] != 'UnScheduled':
            out['ScheduleInfo'] = self._schedule(company, info.get('ScheduleInfo'))
        return out

    @staticmethod
    def _schedule(company: Company, schedule: Any) -> dict[str, Any]:
        if not isinstance(schedule, dict):
            raise faults.required_param('RecurringInfo.ScheduleInfo')
        out = {k: copy.deepcopy(v) for k, v in schedule.items() if not is_unset(v)}
        interval = out.get('IntervalType')
        if interval is None:
            raise faults.required_param('RecurringInfo.ScheduleInfo.IntervalType')
        if interval not in _INTERVALS:
            raise faults.invalid_enum('RecurringInfo.ScheduleInfo.IntervalType', interval)
        if 'StartDate' not in out:
            raise faults.required_param('RecurringInfo.ScheduleInfo.StartDate')
        start = to_date(out['StartDate'], 'StartDate')
        out['StartDate'] = start.isoformat()
        every = int(out.get('NumInterval', 1) or 1)
        if every < 1:
            raise faults.invalid_number('RecurringInfo.ScheduleInfo.NumInterval', out.get('NumInterval'))
        out['NumInterval'] = every
        if 'EndDate' in out:
            out['EndDate'] = to_date(out['EndDate'], 'EndDate').isoformat()
        out['NextDate'] = _next_date(start, interval, every, company.today()).isoformat()
        return out

    def view(self, company: Company, obj: dict[str, Any]) -> dict[str, Any]:
        """Intuit's shape: the template under its transaction's name, carrying Id, SyncToken and MetaData."""
        inner = {**obj['Template'], 'RecurringInfo': obj['RecurringInfo'],
                 **{k: obj[k] for k in SYSTEM_FIELDS if k in obj}}
        return {obj['TxnType']: inner}


def _next_date(start: date, interval: str, every: int, today: date) -> date:
    when = start
    while when < today:
        if interval in _STEP:
            when += timedelta(days=_STEP[interval] * every)
        else:
            months = every * (12 if interval == 'Yearly' else 1)
            month = when.month - 1 + months
            year, month = when.year + month // 12, month % 12 + 1
            when = when.replace(year=year, month=month, day=min(start.day, 28))
    return when
