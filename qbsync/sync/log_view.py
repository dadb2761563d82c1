"""What the Sync Log reads: pages of entries for the company, filtered and searched in SQL, newest first.

Entries about the connection itself (connect, refresh, disconnect) carry the realm too; entries written before any
company was connected have an empty realm and are shown alongside. Pages are cut by the database (ORDER BY at DESC,
id DESC with LIMIT/OFFSET, walking the ``at`` indexes) and stop after one row more than the page, which says whether
there is a next page: no page ever counts a million rows (a search with few matches would otherwise scan them
all just to print a total). An export walks the same filter in keyset chunks, so memory stays
flat whatever the size.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import SyncLogEntry

__all__ = ['LEVELS', 'EVERYTHING', 'LogFilter', 'LogPage', 'recent_entries', 'log_page', 'log_chunks', 'log_statement']

LEVELS = ('info', 'warning', 'error')
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class LogFilter:
    """What the Sync Log's filter bar asks for; every field narrows, None/'' means any."""
    level: str | None = None
    status: str | None = None  # the record's state after the entry: synced | failed | skipped | ...
    entity_type: str | None = None
    direction: str | None = None  # outbound | inbound
    run_id: int | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    text: str = ''  # anywhere in the message or Intuit's detail (case-insensitive), or Intuit's error code
    include_dismissed: bool = True

    def __post_init__(self) -> None:
        if self.level is not None and self.level not in LEVELS:
            raise ValueError(f'unknown log level {self.level!r}; expected one of {LEVELS}')


EVERYTHING = LogFilter()


@dataclass(frozen=True)
class LogPage:
    entries: list[SyncLogEntry]
    page: int
    page_size: int
    has_next: bool

    @property
    def first(self) -> int:
        """1-based position of the first entry shown (0 on an empty page)."""
        return (self.page - 1) * self.page_size + 1 if self.entries else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.page_size + len(self.entries)


def log_statement(realm_id: str | None, log_filter: LogFilter = EVERYTHING) -> Select:
    """SELECT entries of the company (and realm-less ones) matching ``log_filter``, unordered."""
    statement = select(SyncLogEntry)
    if realm_id is not None:
        statement = statement.where(col(SyncLogEntry.realm_id).in_((realm_id, '')))
    f = log_filter
    if f.level:
        statement = statement.where(SyncLogEntry.level == f.level)
    if f.status:
        statement = statement.where(SyncLogEntry.status == f.status)
    if f.entity_type:
        statement = statement.where(SyncLogEntry.entity_type == f.entity_type)
    if f.direction:
        statement = statement.where(SyncLogEntry.direction == f.direction)
    if f.run_id is not None:
        statement = statement.where(SyncLogEntry.run_id == f.run_id)
    if f.since is not None:
        statement = statement.where(col(SyncLogEntry.at) >= f.since)
    if f.until is not None:
        statement = statement.where(col(SyncLogEntry.at) < f.until)
    text = f.text.strip()
    if text:
        statement = statement.where(or_(col(SyncLogEntry.message).icontains(text, autoescape=True),
                                        col(SyncLogEntry.detail).icontains(text, autoescape=True),
                                        SyncLogEntry.code == text))
    if not f.include_dismissed:
        statement = statement.where(col(SyncLogEntry.dismissed_at).is_(None))
    return statement


def _newest_first(statement: Select) -> Select:
    return statement.order_by(col(SyncLogEntry.at).desc(), col(SyncLogEntry.id).desc())


async def log_page(session: AsyncSession, realm_id: str | None, log_filter: LogFilter = EVERYTHING, *,
                   page: int = 1, page_size: int = 50) -> LogPage:
    """Page ``page`` (from 1) of the matching entries, newest first, and whether another page follows."""
    page, page_size = max(1, int(page)), max(1, min(int(page_size), MAX_PAGE_SIZE))
    statement = _newest_first(log_statement(realm_id, log_filter)).offset((page - 1) * page_size)
    entries = list((await session.exec(statement.limit(page_size + 1))).all())
    return LogPage(entries[:page_size], page, page_size, has_next=len(entries) > page_size)


async def log_chunks(session: AsyncSession, realm_id: str | None, log_filter: LogFilter = EVERYTHING, *,
                     chunk: int = 5000) -> AsyncIterator[list[SyncLogEntry]]:
    """Every matching entry, newest first, ``chunk`` at a time (keyset paging: each chunk is one index walk)."""
    after: tuple[datetime, int] | None = None
    while True:
        statement = log_statement(realm_id, log_filter)
        if after is not None:
            at, entry_id = after
            statement = statement.where(or_(col(SyncLogEntry.at) < at,
                                            and_(col(SyncLogEntry.at) == at, col(SyncLogEntry.id) < entry_id)))
        rows = list((await session.exec(_newest_first(statement).limit(chunk))).all())
        if not rows:
            return
        yield rows
        if len(rows) < chunk:
            return
        after = (rows[-1].at, rows[-1].id)  # type: ignore[assignment]


async def recent_entries(session: AsyncSession, realm_id: str | None, *, level: str | None = None,
                         limit: int = 100) -> list[SyncLogEntry]:
    """Newest ``limit`` entries of the company (every company when none is connected), filtered by level."""
    return (await log_page(session, realm_id, LogFilter(level=level), page_size=limit)).entries
