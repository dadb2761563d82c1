"""What the app tells owners and admins without being asked: problem notifications and scheduled sync reports."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .records import utcnow

__all__ = ['Notification', 'NotificationKind', 'ReportSubscription', 'ReportFrequency']


class NotificationKind:
    SYNC_FAILURES = 'sync_failures'  # a run ended with records QuickBooks refused
    RECONNECT = 'reconnect'  # the connection needs reconnecting


class ReportFrequency:
    DAILY = 'daily'
    WEEKLY = 'weekly'
    ALL = (DAILY, WEEKLY)


class Notification(SQLModel, table=True):
    """One problem, open (a banner for owners and admins) until it is dealt with; emailed at most once.

    ``key`` names the problem (kind and company); at most one row per key is open at a time, so the same problem
    found again by the next run updates that row instead of raising (and emailing) a new one.
    """
    __table_args__ = (Index('ix_notification_open', 'key', 'resolved_at'),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100)
    kind: str = Field(max_length=20)
    realm_id: str = Field(default='', max_length=32)
    title: str = Field(max_length=200)
    message: str = Field(default='', max_length=2000)
    link: str = Field(default='', max_length=200)  # the page where it is dealt with
    opened_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = Field(default=None, index=True)
    resolved_by_user_id: int | None = None  # None: resolved by itself (reconnected, failures cleared)
    emailed_at: datetime | None = None
    email_attempts: int = 0
    email_error: str = Field(default='', max_length=500)


class ReportSubscription(SQLModel, table=True):
    """An owner's or admin's choice of a daily or weekly sync report, and the last period sent to them."""
    user_id: int = Field(primary_key=True, foreign_key='user.id')
    frequency: str = Field(max_length=10)  # daily | weekly
    last_period_end: datetime | None = None  # the end of the last period claimed for sending; never sent twice
    updated_at: datetime = Field(default_factory=utcnow)
