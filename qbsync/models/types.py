"""Column types shared by the tables."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

__all__ = ['DecimalText']


class DecimalText(TypeDecorator[Decimal]):
    """Decimal stored as exact text: SQLite has no decimal type and Numeric would round-trip through float."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)
