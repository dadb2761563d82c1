"""Line detail: how an invoice's or credit memo's item lines go out, after classes are on them.

Grouping merges lines of the same item, rate, class and tax code into one with the quantities and amounts summed
(a rate that differs keeps its own line, so Amount = Qty x UnitPrice still holds, as Intuit checks); the merged
line keeps the distinct descriptions joined, and a service date only when all its lines share it. Descriptions can
come from the item instead of the line; service dates can be left out; lines can be sorted by product or service
name instead of the app's order. LineNum always numbers the lines as sent.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from .rules import ITEM_DESCRIPTION, LineRule

__all__ = ['apply_lines', 'DETAIL']

DETAIL = 'SalesItemLineDetail'
MAX_DESCRIPTION = 4000  # Intuit's limit on a line's Description


def apply_lines(obj: dict[str, Any], rule: LineRule, item_descriptions: Sequence[str] = (),
                item_names: Sequence[str] = ()) -> None:
    """Reshape ``obj['Line']`` in place; ``item_descriptions`` / ``item_names`` follow the app's line order."""
    if rule == LineRule() or not obj.get('Line'):
        return
    lines = [dict(line) for line in obj['Line']]
    for index, line in enumerate(lines):
        detail = line.get(DETAIL)
        if detail is None:
            continue
        line[DETAIL] = detail = dict(detail)
        if rule.description == ITEM_DESCRIPTION:
            described = item_descriptions[index] if index < len(item_descriptions) else ''
            if described:
                line['Description'] = described
            else:
                line.pop('Description', None)
        if not rule.service_dates:
            detail.pop('ServiceDate', None)
        line['_name'] = item_names[index] if index < len(item_names) else ''
    if rule.group_by_item:
        lines = _grouped(lines)
    if not rule.keep_order:
        lines.sort(key=lambda line: (DETAIL not in line, str(line.get('_name') or '').lower(),
                                     str(line.get('Description') or '')))  # a discount line stays last
    for number, line in enumerate(lines, start=1):
        line.pop('_name', None)
        if 'LineNum' in line:
            line['LineNum'] = number
    obj['Line'] = lines


def _key(line: dict[str, Any]) -> tuple[str, ...] | None:
    detail = line.get(DETAIL)
    if detail is None or 'ItemRef' not in detail:
        return None
    return tuple(str((detail.get(name) or {}).get('value', '')) for name in ('ItemRef', 'ClassRef', 'TaxCodeRef')) \
        + (str(Decimal(str(detail.get('UnitPrice', 0))).normalize()),)


def _grouped(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for line in lines:
        key = _key(line)
        first = groups.get(key) if key is not None else None
        if first is None:
            if key is not None:
                groups[key] = line
            out.append(line)
            continue
        detail, more = first[DETAIL], line[DETAIL]
        detail['Qty'] = Decimal(str(detail.get('Qty', 0))) + Decimal(str(more.get('Qty', 0)))
        first['Amount'] = Decimal(str(first.get('Amount', 0))) + Decimal(str(line.get('Amount', 0)))
        descriptions = [d for d in (first.get('Description'), line.get('Description')) if d]
        joined = '; '.join(dict.fromkeys('; '.join(descriptions).split('; '))) if descriptions else ''
        if joined:
            first['Description'] = joined[:MAX_DESCRIPTION]
        if detail.get('ServiceDate') != more.get('ServiceDate'):
            detail.pop('ServiceDate', None)
    return out
