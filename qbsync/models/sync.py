"""Sync bookkeeping: the connection, settings, account mapping, links, runs, log and webhook events.

The EntityLink table is the truth about what is synced; dashboard figures are derived from it and from the
records, never kept as counters that could drift.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .records import utcnow

__all__ = ['QuickBooksConnection', 'SyncSettings', 'AccountMapping', 'EntityLink', 'SyncRun', 'SyncLogEntry',
           'WebhookEvent', 'OAuthState', 'ConnectionStatus', 'LinkStatus']


class ConnectionStatus:
    CONNECTED = 'connected'
    NEEDS_RECONNECT = 'needs_reconnect'  # invalid_grant or lost access: the user must reconnect
    DISCONNECTED = 'disconnected'
    PENDING_SWITCH = 'pending_switch'  # another company's grant, parked until the user confirms the switch


class LinkStatus:
    SYNCED = 'synced'
    PENDING = 'pending'
    FAILED = 'failed'


class QuickBooksConnection(SQLModel, table=True):
    """One row per QuickBooks company ever connected; at most one is CONNECTED or NEEDS_RECONNECT at a time."""
    id: int | None = Field(default=None, primary_key=True)
    realm_id: str = Field(unique=True, index=True, max_length=32)
    company_name: str = Field(default='', max_length=255)
    environment: str = Field(default='sandbox', max_length=20)  # sandbox | production | demo
    status: str = Field(default=ConnectionStatus.CONNECTED, index=True, max_length=20)
    encrypted_tokens: str = Field(default='', sa_type=Text)  # Fernet token of the OAuth token JSON; never clear
    access_token_expires_at: datetime | None = None
    refresh_token_expires_at: datetime | None = None
    refresh_token_hard_expires_at: datetime | None = None
    connected_at: datetime = Field(default_factory=utcnow)
    connected_by_user_id: int | None = Field(default=None, foreign_key='user.id')
    last_refreshed_at: datetime | None = None
    last_error: str = Field(default='', max_length=2000)
    updated_at: datetime = Field(default_factory=utcnow)


class SyncSettings(SQLModel, table=True):
    """Single row (id=1): what syncs, how often, and who wins a conflict."""
    id: int | None = Field(default=None, primary_key=True)
    auto_sync_enabled: bool = False
    interval_minutes: int = 15
    inbound_enabled: bool = False
    sync_customers: bool = True
    sync_items: bool = True
    sync_invoices: bool = True
    sync_payments: bool = True
    sync_expenses: bool = True
    sync_credit_memos: bool = True
    conflict_policy: str = Field(default='app_wins', max_length=20)  # app_wins | quickbooks_wins | newest_wins
    start_date: date | None = None  # records dated before this are not sent
    log_retention_days: int = 180  # Sync Log entries (and finished runs) older than this are pruned daily
    updated_at: datetime = Field(default_factory=utcnow)


class AccountMapping(SQLModel, table=True):
    """Which QuickBooks account plays which role for a company; ``local_key`` scopes per-item overrides."""
    __table_args__ = (UniqueConstraint('realm_id', 'purpose', 'local_key', name='uq_mapping_purpose'),)
    id: int | None = Field(default=None, primary_key=True)
    realm_id: str = Field(index=True, max_length=32)
    # income | accounts_receivable | deposit | expense_payment | expense_category | item_income
    purpose: str = Field(max_length=40)
    local_key: str = Field(default='', max_length=100)  # item id for item_income; '' for company-wide roles
    qbo_account_id: str = Field(max_length=32)
    qbo_account_name: str = Field(default='', max_length=255)
    updated_at: datetime = Field(default_factory=utcnow)


class EntityLink(SQLModel, table=True):
    """Local record <-> QuickBooks object for one company, with what was last sent."""
    __table_args__ = (
        UniqueConstraint('realm_id', 'entity_type', 'local_id', name='uq_link_local'),
        Index('ix_link_qbo', 'realm_id', 'entity_type', 'qbo_id'),
        Index('ix_link_status', 'realm_id', 'entity_type', 'status'),
    )
    id: int | None = Field(default=None, primary_key=True)
    realm_id: str = Field(max_length=32)
    entity_type: str = Field(max_length=20)  # customer | item | invoice | payment | expense | credit_memo
    local_id: int
    qbo_id: str | None = Field(default=None, max_length=32)
    sync_token: str | None = Field(default=None, max_length=32)
    last_hash: str = Field(default='', max_length=64)  # sha256 of the payload last sent or received
    synced_version: int = 0  # the record version the link reflects
    status: str = Field(default=LinkStatus.PENDING, max_length=20)
    last_error: str = Field(default='', max_length=2000)
    last_synced_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class SyncRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    realm_id: str = Field(index=True, max_length=32)
    trigger: str = Field(max_length=20)  # manual | scheduled | webhook
    direction: str = Field(default='outbound', max_length=20)  # outbound | inbound | both
    started_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None
    status: str = Field(default='running', max_length=20)  # running | succeeded | partial | failed | interrupted
    created: int = 0
    updated: int = 0
    failed: int = 0
    skipped: int = 0
    error: str = Field(default='', max_length=2000)


class SyncLogEntry(SQLModel, table=True):
    __table_args__ = (Index('ix_log_realm_at', 'realm_id', 'at'), Index('ix_log_entity_at', 'entity_type', 'at'),
                      Index('ix_log_record', 'entity_type', 'local_id'))  # a record's history; its dismissals
    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(default=None, foreign_key='syncrun.id', index=True)
    realm_id: str = Field(default='', max_length=32)
    at: datetime = Field(default_factory=utcnow, index=True)
    level: str = Field(default='info', max_length=10, index=True)  # info | warning | error
    entity_type: str = Field(default='', max_length=20)
    local_id: int | None = None
    qbo_id: str | None = Field(default=None, max_length=32)
    action: str = Field(default='', max_length=40)  # create | update | skip | connect | refresh | ...
    message: str = Field(default='', max_length=2000)
    dismissed_at: datetime | None = None  # a failure someone looked at and set aside (Sync Log, Dismiss)
    dismissed_by_user_id: int | None = None


class WebhookEvent(SQLModel, table=True):
    """One entity change announced by Intuit; ``event_key`` dedupes retries (CloudEvents id or derived)."""
    id: int | None = Field(default=None, primary_key=True)
    event_key: str = Field(unique=True, max_length=200)
    received_at: datetime = Field(default_factory=utcnow, index=True)
    realm_id: str = Field(index=True, max_length=32)
    entity: str = Field(max_length=40)
    entity_qbo_id: str = Field(max_length=32)
    operation: str = Field(max_length=20)
    last_updated: datetime | None = None
    deleted_id: str | None = Field(default=None, max_length=32)
    processed_at: datetime | None = Field(default=None, index=True)
    error: str = Field(default='', max_length=2000)


class OAuthState(SQLModel, table=True):
    """A single-use, expiring OAuth ``state`` bound to the browser session that started the connect."""
    state_hash: str = Field(primary_key=True, max_length=64)  # sha256 of the state; the value itself is not kept
    session_id: str = Field(max_length=64)
    user_id: int | None = Field(default=None, foreign_key='user.id')
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    allow_company_switch: bool = False  # the user explicitly accepted connecting a different company
