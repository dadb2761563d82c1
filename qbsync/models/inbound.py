"""Inbound sync bookkeeping: the change-data-capture cursor per company and changes held for the user's choice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from .records import utcnow

__all__ = ['InboundCursor', 'HeldChange']


class InboundCursor(SQLModel, table=True):
    """Everything QuickBooks changed of ``entity`` before ``changed_since`` is applied locally (moved only after).

    Per entity, so that switching an entity on later imports its history instead of only its next changes.
    """
    realm_id: str = Field(primary_key=True, max_length=32)
    entity: str = Field(primary_key=True, max_length=40)  # Intuit's name, e.g. 'Invoice'
    changed_since: datetime
    updated_at: datetime = Field(default_factory=utcnow)


class HeldChange(SQLModel, table=True):
    """A QuickBooks version that met an unsent app edit under the "ask me" policy; kept until the user decides.

    ``qbo_payload`` is the QuickBooks object as read (JSON), ``local_version`` the record version it met, so the
    side-by-side view shows exactly what the user chooses between.
    """
    __table_args__ = (Index('ix_heldchange_open', 'realm_id', 'entity_type', 'local_id', 'resolved_at'),)
    id: int | None = Field(default=None, primary_key=True)
    realm_id: str = Field(max_length=32)
    entity_type: str = Field(max_length=20)
    local_id: int
    qbo_id: str = Field(max_length=32)
    qbo_sync_token: str = Field(default='', max_length=32)
    qbo_updated_at: datetime | None = None
    qbo_payload: str = Field(default='{}', sa_type=Text)
    local_version: int = 0
    detected_at: datetime = Field(default_factory=utcnow, index=True)
    resolved_at: datetime | None = None
    resolution: str = Field(default='', max_length=20)  # app | quickbooks
    resolved_by: str = Field(default='', max_length=255)
