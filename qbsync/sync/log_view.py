"""What the Sync Log tab reads: the newest log entries for the company, optionally of one level.

Entries about the connection itself (connect, refresh, disconnect) carry the realm too; entries written before any
company was connected have an empty realm and are shown alongside. Newest first through the (realm_id, at) index.
"""
from __future__ import annotations

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import SyncLogEntry

__all__ = ['LEVELS', 'recent_entries']

LEVELS = ('info', 'warning', 'error')


async def recent_entries(session: AsyncSession, realm_id: str | None, *, level: str | None = None,
                         limit: int = 100) -> list[SyncLogEntry]:
    """Newest ``limit`` entries of the company (every company when none is connected), filtered by level."""
    if level is not None and level not in LEVELS:
        raise ValueError(f'unknown log level {level!r}; expected one of {LEVELS}')
    statement = select(SyncLogEntry)
    if realm_id is not None:
        statement = statement.where(or_(SyncLogEntry.realm_id == realm_id, SyncLogEntry.realm_id == ''))
    if level is not None:
        statement = statement.where(SyncLogEntry.level == level)
    statement = statement.order_by(col(SyncLogEntry.at).desc(), col(SyncLogEntry.id).desc()).limit(limit)
    return list((await session.exec(statement)).all())
