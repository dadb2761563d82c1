"""Small wire helpers shared by the entity modules: references, dates, money, optional fields."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import SQLModel

__all__ = ['LocalRecord', 'ref', 'ref_id', 'day', 'parse_day', 'money', 'put', 'text', 'address_line']


@dataclass
class LocalRecord:
    """A record with its sub-records: invoice and credit memo lines, expense lines, payment applications."""
    record: SQLModel
    lines: list[SQLModel] = field(default_factory=list)


def ref(value: str, name: str | None = None) -> dict[str, str]:
    return {'value': value, **({'name': name} if name else {})}


def ref_id(obj: Any) -> str | None:
    return str(obj['value']) if isinstance(obj, dict) and obj.get('value') not in (None, '') else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parse_day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def money(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, '') else Decimal('0')


def put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` only when there is something to say (empty strings and None are left out)."""
    if value not in (None, ''):
        target[key] = value


def text(obj: dict[str, Any], *path: str) -> str:
    """A nested string field, '' when any step is missing: ``text(c, 'PrimaryEmailAddr', 'Address')``."""
    value: Any = obj
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return '' if value is None else str(value)


def address_line(value: str) -> str:
    return value.strip()
