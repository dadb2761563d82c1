"""The field-level mapping of one QuickBooks company: where classes, locations and custom fields come from.

The rules are one typed document per company (``qbsync.mapping.rules.FieldRules``, stored as JSON): they are read
whole by the engine at the start of a run and saved whole by the Field Mapping tab, never queried piecemeal.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from .records import utcnow

__all__ = ['FieldMapping']


class FieldMapping(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    realm_id: str = Field(unique=True, max_length=32)
    rules: str = Field(default='{}', sa_type=Text)  # FieldRules as JSON
    updated_at: datetime = Field(default_factory=utcnow)
