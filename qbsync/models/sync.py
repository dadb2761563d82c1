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
           'WebhookEvent', 'OAuthState', 'ConnectionStatus', 'LinkStatus', 'RunStatus', 'SyncLease', 'OutboxBatch',
           'OutboxItem', 'MappingPurpose', 'EventStatus']


class ConnectionStatus:
    CONNECTED = 'connected'
    NEEDS_RECONNECT = 'needs_reconnect'  # invalid_grant or lost access: the user must reconnect
    DISCONNECTED = 'disconnected'
    PENDING_SWITCH = 'pending_switch'  # another company's grant, parked until the user confirms the switch


class LinkStatus:
    SYNCED = 'synced'
    PENDING = 'pending'
    FAILED = 'failed'
    HELD = 'held'  # both sides changed under the "ask me" policy: nothing moves until the user chooses
    DELETED_IN_QBO = 'deleted_in_qbo'  # unlinked: QuickBooks deleted it; local data kept, never re-sent


class EventStatus:
    PENDING = 'pending'  # stored, waiting for the worker (or for its retry time)
    DONE = 'done'
    SKIPPED = 'skipped'  # an entity the app does not sync (Deposit, Bill, ...) or inbound sync is off
    IGNORED = 'ignored'  # a realm that is not the connected company
    FAILED = 'failed'  # gave up after the retries; change data capture is the backstop


class MappingPurpose:
    """AccountMapping.purpose values: the account mapping service edits them, the engine posts against them."""
    INCOME = 'income'
    ACCOUNTS_RECEIVABLE = 'accounts_receivable'
    DEPOSIT = 'deposit'
    EXPENSE_PAYMENT = 'expense_payment'
    EXPENSE_CATEGORY = 'expense_category'
    ITEM_INCOME = 'item_income'
    CUSTOMER_TYPE_RECEIVABLE = 'customer_type_receivable'  # local_key: the customer type (its A/R account)


class RunStatus:
    RUNNING = 'running'
    SUCCEEDED = 'succeeded'  # everything planned went through
    PARTIAL = 'partial'  # some records failed or were blocked; the rest went through
    FAILED = 'failed'  # the run itself stopped (lost connection, unexpected error)
    INTERRUPTED = 'interrupted'  # cancelled, or its process died (found by the next run through the lease)


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
    # income | accounts_receivable | deposit | expense_payment | expense_category | item_income |
    # customer_type_receivable
    purpose: str = Field(max_length=40)
    # '' for company-wide roles; else what the override is for: the item id (item_income), the expense category
    # (expense_category), the payment method (deposit), the customer type (customer_type_receivable)
    local_key: str = Field(default='', max_length=100)
    qbo_account_id: str = Field(max_length=32)
    qbo_account_name: str = Field(default='', max_length=255)
    updated_at: datetime = Field(default_factory=utcnow)


class EntityLink(SQLModel, table=True):
    """Local record <-> QuickBooks object for one company, with what was last sent."""
    __table_args__ = (
        UniqueConstraint('realm_id', 'entity_type', 'local_id', name='uq_link_local'),
        Index('ix_link_qbo', 'realm_id', 'entity_type', 'qbo_id'),
        Index('ix_link_status', 'realm_id', 'entity_type', 'status'),
        # covers the dashboard's count: a walk of one company's links of one type, without touching the table
        Index('ix_link_state', 'realm_id', 'entity_type', 'local_id', 'status', 'synced_version'),
        # a record's links in every company: the triggers that keep LinkStateCount find them by it
        Index('ix_link_record', 'entity_type', 'local_id'),
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
    # QuickBooks' MetaData.LastUpdatedTime of the object as last seen: 'newest wins' and inbound compare with it
    qbo_updated_at: datetime | None = None
    # QuickBooks kept its version in a conflict (policy 'QuickBooks wins'): inbound must bring it into the app
    needs_inbound: bool = False


class LinkStateCount(SQLModel, table=True):
    """How many of a company's links of one entity type are in each dashboard state (see ``record_status``).

    Kept by database triggers (migration 0010) on the links and the record tables, inside the transaction that
    changes them, so a crash or a concurrent run can never leave it out of step; the Sync Dashboard reads a handful
    of these rows instead of joining 100,000 links to their records on every refresh. ``qbsync.sync.state_counts``
    holds the SQL definition it must always equal (the tests compare both).
    """
    realm_id: str = Field(primary_key=True, max_length=32)
    entity_type: str = Field(primary_key=True, max_length=20)
    state: str = Field(primary_key=True, max_length=30)  # a QuickBooksStatus value other than 'not synced'
    records: int = 0


class SyncRun(SQLModel, table=True):
    # the company's runs newest first: the dashboard's last-run figures stop at the first match instead of sorting
    __table_args__ = (Index('ix_run_realm_started', 'realm_id', 'started_at'),)
    id: int | None = Field(default=None, primary_key=True)
    realm_id: str = Field(index=True, max_length=32)
    trigger: str = Field(max_length=20)  # manual | scheduled | push | cli | webhook
    direction: str = Field(default='outbound', max_length=20)  # outbound | inbound | both
    started_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None
    status: str = Field(default='running', max_length=20)  # see RunStatus
    total: int = 0  # records the plan had to move
    created: int = 0
    updated: int = 0
    linked: int = 0  # matched to an existing QuickBooks record instead of creating one
    failed: int = 0
    skipped: int = 0
    # {"customer": {"created": 3, "updated": 0, "linked": 1, "failed": 0, "skipped": 0}, ...}
    entity_counts: str = Field(default='{}', sa_type=Text)
    message: str = Field(default='', max_length=500)  # "12 synced, 1 failed, 3 skipped"
    error: str = Field(default='', max_length=2000)


class SyncLogEntry(SQLModel, table=True):
    __table_args__ = (Index('ix_log_realm_at', 'realm_id', 'at'), Index('ix_log_entity_at', 'entity_type', 'at'),
                      Index('ix_log_record', 'entity_type', 'local_id'),  # a record's history; its dismissals
                      Index('ix_log_level_at', 'level', 'at'))  # "errors only", newest first, without a sort
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
    direction: str = Field(default='', max_length=20)  # outbound | inbound | '' (not about a record)
    status: str = Field(default='', max_length=20)  # the record's state after the change: synced | failed | ...
    code: str = Field(default='', max_length=20)  # Intuit's error code ('6240'), when QuickBooks refused
    element: str = Field(default='', max_length=255)  # the field Intuit named
    detail: str = Field(default='', max_length=2000)  # Intuit's own words
    suggestion: str = Field(default='', max_length=1000)  # the plain-language fix
    dismissed_at: datetime | None = None  # a failure someone looked at and set aside (Sync Log, Dismiss)
    dismissed_by_user_id: int | None = None


class WebhookEvent(SQLModel, table=True):
    """One entity change announced by Intuit; ``event_key`` dedupes retries (CloudEvents id or derived)."""
    __table_args__ = (Index('ix_webhookevent_due', 'status', 'next_attempt_at'),)
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
    status: str = Field(default=EventStatus.PENDING, max_length=20)
    attempts: int = 0
    next_attempt_at: datetime | None = None  # a failed event's retry time (backoff)
    claimed_at: datetime | None = None  # when a worker took it; an old claim is a crashed worker's, taken again
    claim: str = Field(default='', max_length=40)  # the claiming worker pass


class OAuthState(SQLModel, table=True):
    """A single-use, expiring OAuth ``state`` bound to the browser session that started the connect."""
    state_hash: str = Field(primary_key=True, max_length=64)  # sha256 of the state; the value itself is not kept
    session_id: str = Field(max_length=64)
    user_id: int | None = Field(default=None, foreign_key='user.id')
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    allow_company_switch: bool = False  # the user explicitly accepted connecting a different company


class SyncLease(SQLModel, table=True):
    """Who runs the sync right now: one row per lease name, shared by the app, the scheduler and the CLI.

    A holder keeps ``expires_at`` in the future with heartbeats; a holder that died (SIGKILL, power cut) stops
    heartbeating, and the next run takes the lease over once it expired.
    """
    name: str = Field(primary_key=True, max_length=40)
    token: str | None = Field(default=None, max_length=64)  # secret of the current holder; None = free
    holder: str = Field(default='', max_length=255)  # "manual run (pid 4242 on host)"
    host: str = Field(default='', max_length=255)  # where the holder runs, and its process id: a holder on this
    pid: int | None = None  # machine whose process is gone is dead, without waiting for the lease to expire
    run_id: int | None = None
    acquired_at: datetime | None = None
    heartbeat_at: datetime | None = None
    expires_at: datetime | None = None


class OutboxBatch(SQLModel, table=True):
    """A /batch request whose composition and requestid were fixed before it was sent.

    After a crash the next run sends every unanswered batch again, unchanged and with the same requestid, before
    anything new, so Intuit's replay hands back the original answers instead of posting twice.
    """
    __table_args__ = (Index('ix_outbox_open', 'realm_id', 'answered_at'),)
    id: int | None = Field(default=None, primary_key=True)
    realm_id: str = Field(max_length=32)
    request_id: str = Field(unique=True, max_length=36)  # Intuit's limit for a batch requestid
    run_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None  # the last time it went on the wire
    attempts: int = 0
    answered_at: datetime | None = None  # the answers are applied; the batch is done


class OutboxItem(SQLModel, table=True):
    """One operation of an outbox batch: the exact JSON sent, and which record version it carries."""
    __table_args__ = (UniqueConstraint('batch_id', 'bid', name='uq_outbox_bid'),)
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key='outboxbatch.id', index=True, ondelete='CASCADE')
    bid: str = Field(max_length=10)  # the batch item id (Intuit allows at most 10 characters)
    entity_type: str = Field(max_length=20)
    local_id: int
    version: int  # the record version the payload was built from; only that version is marked synced
    operation: str = Field(max_length=10)  # create | update | delete (delete = Intuit's void for some entities)
    payload: str = Field(sa_type=Text)  # the batch item as sent (JSON, Decimals exact)
    content_hash: str = Field(default='', max_length=64)
