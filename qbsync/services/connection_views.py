"""What the connection service hands to pages and routes: plain, immutable views, never ORM rows or tokens."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ..models import ConnectionStatus, QuickBooksConnection

__all__ = ['ConnectionView', 'ConnectResult', 'ConnectOutcome', 'PendingSwitch']


@dataclass(frozen=True)
class ConnectionView:
    realm_id: str
    company_name: str
    environment: str
    status: str  # a ConnectionStatus value
    connected_at: datetime
    last_refreshed_at: datetime | None
    refresh_token_expires_at: datetime | None
    last_error: str
    access_token_expires_at: datetime | None = None  # for the Overview's token health (not a secret)
    refresh_token_hard_expires_at: datetime | None = None  # Intuit's maximum lifetime: reconnect by then

    @property
    def connected(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED

    @property
    def needs_reconnect(self) -> bool:
        return self.status == ConnectionStatus.NEEDS_RECONNECT

    @classmethod
    def of(cls, row: QuickBooksConnection) -> ConnectionView:
        return cls(realm_id=row.realm_id, company_name=row.company_name, environment=row.environment,
                   status=row.status, connected_at=row.connected_at, last_refreshed_at=row.last_refreshed_at,
                   refresh_token_expires_at=row.refresh_token_expires_at, last_error=row.last_error,
                   access_token_expires_at=row.access_token_expires_at,
                   refresh_token_hard_expires_at=row.refresh_token_hard_expires_at)


class ConnectResult(StrEnum):
    CONNECTED = 'connected'
    CONFIRM_SWITCH = 'confirm_switch'  # a different company than the one the existing links belong to
    INVALID_STATE = 'invalid_state'  # wrong, reused, expired or other-session state
    DENIED = 'denied'  # the user declined on Intuit's consent page
    FAILED = 'failed'  # Intuit refused the code, or could not be reached
    CANCELLED = 'cancelled'  # the user chose to keep the current company; the new grant was revoked


@dataclass(frozen=True)
class PendingSwitch:
    """A connection to another company waiting for the user's explicit choice; its tokens wait encrypted."""
    ticket: str = field(repr=False)  # posted back by the confirm/cancel form; only its hash is stored
    realm_id: str
    company_name: str
    previous_realm_id: str
    previous_company_name: str
    previous_links: int
    previous_mappings: int
    expires_at: datetime


@dataclass(frozen=True)
class ConnectOutcome:
    result: ConnectResult
    title: str
    message: str
    connection: ConnectionView | None = None
    switch: PendingSwitch | None = None

    @property
    def ok(self) -> bool:
        return self.result == ConnectResult.CONNECTED
