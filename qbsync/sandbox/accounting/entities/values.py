"""Lenient reading of request values, the way Intuit reads them: numbers may be strings, unset may be ``''``/null."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .. import faults

__all__ = ['UNSET', 'clean', 'is_unset', 'to_decimal', 'money', 'to_date', 'to_bool', 'walk', 'ref_id', 'CENT',
           'MAX_AMOUNT', 'is_email']

CENT = Decimal('0.01')
MAX_AMOUNT = Decimal('9999999999.99999')   # Intuit amounts: at most 15 digits, 10 before and 5 after the point


class _Unset:
    def __repr__(self) -> str:
        return 'UNSET'


UNSET = _Unset()


def is_unset(value: Any) -> bool:
    """Clients send ``null``, ``''`` or an empty reference (``{"value": ""}``) for fields they have not set."""
    return value is None or value == '' or value == {} or (isinstance(value, dict) and _empty(value))


def _empty(value: dict[str, Any]) -> bool:
    return all(is_unset(v) for v in value.values())


def clean(value: Any) -> Any:
    """Drop unset values recursively (``''``, null, empty objects); ``UNSET`` if nothing is left."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():  # leaves inline: most values are, and a call each adds up over a batch
            if isinstance(item, (dict, list)):
                item = clean(item)
                if item is UNSET:
                    continue
            elif item is None or item == '':
                continue
            out[key] = item
        return out if out else UNSET
    if isinstance(value, list):
        return [c for v in value if (c := clean(v)) is not UNSET]
    return UNSET if value is None or value == '' else value


def to_decimal(value: Any, element: str) -> Decimal:
    if isinstance(value, bool):
        raise faults.invalid_number(element, value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise faults.invalid_number(element, value) from None
    if not number.is_finite() or abs(number) > MAX_AMOUNT:
        raise faults.invalid_number(element, value)
    return number


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def to_date(value: Any, element: str) -> date:
    """A ``YYYY-MM-DD`` date; a datetime is cut to its date, as Intuit does for TxnDate."""
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10] if 'T' in text else text)
    except ValueError:
        raise faults.invalid_date(element, value) from None


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == 'true'
    return bool(value)


def walk(obj: Any, path: str) -> list[tuple[Any, str]]:
    """Find values at a dotted path where ``Line[]`` fans out over a list; returns (container, key) pairs, in
    document order. Every write walks a dozen paths (required fields, enums, lengths, references), so the path is
    parsed once and the walk goes level by level instead of recursing per step."""
    first, steps, (key, many) = _steps(path)
    if not isinstance(obj, dict) or first not in obj:
        return []  # most paths a write checks are absent from a given object: the cheapest answer first
    if not steps:
        return [] if many else [(obj, key)]
    level = [obj]
    for step, fans_out in steps:
        below: list[Any] = []
        for node in level:
            if isinstance(node, dict) and step in node:
                value = node[step]
                if not fans_out:
                    below.append(value)
                elif isinstance(value, list):
                    below.extend(value)
        if not below:
            return []
        level = below
    if many:
        return []  # a path ends at a field, never at a list
    return [(node, key) for node in level if isinstance(node, dict) and key in node]


@lru_cache(maxsize=None)
def _steps(path: str) -> tuple[str, tuple[tuple[str, bool], ...], tuple[str, bool]]:
    """'Line[].SalesItemLineDetail.ItemRef' -> ('Line', (('Line', True), ('SalesItemLineDetail', False)),
    ('ItemRef', False)): the first key, the steps down to the last one, and the last one."""
    parts = tuple((part[:-2], True) if part.endswith('[]') else (part, False) for part in path.split('.'))
    return parts[0][0], parts[:-1], parts[-1]


def ref_id(ref: Any) -> str | None:
    """The ``value`` of a reference; lenient about a bare Id."""
    if isinstance(ref, dict):
        value = ref.get('value')
        return None if is_unset(value) else str(value).strip()
    if isinstance(ref, (str, int)) and not isinstance(ref, bool):
        return str(ref)
    return None


def is_email(text: str) -> bool:
    """Intuit's check, as lenient as theirs: an ``@`` and a dot in the domain after it."""
    local, at, domain = text.strip().rpartition('@')
    return bool(at and local and '.' in domain.strip('.'))
