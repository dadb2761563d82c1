"""One run at a time, whoever starts it: a lease row in the database that the app, its scheduler and the
``qbsync sync`` command all compete for.

Taking the lease is one conditional UPDATE (free, or expired), so two processes can never both win. The holder
renews ``expires_at`` with heartbeats; a holder killed mid-run simply stops renewing, and the next run takes over
once the lease expired, marking the dead holder's run interrupted.
"""
from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_, update

from ..db import Database
from ..models import RunStatus, SyncLease, SyncRun
from ..models.records import utcnow

__all__ = ['RunLease', 'LeaseHeld', 'RunBusy', 'LEASE_NAME', 'LEASE_TTL', 'describe_holder']

LEASE_NAME = 'sync'
LEASE_TTL = timedelta(seconds=60)  # a holder silent this long is presumed dead


class RunBusy(Exception):
    """Another run holds the lease; the message says who and since when."""

    def __init__(self, holder: str, since: datetime | None, run_id: int | None) -> None:
        self.holder, self.since, self.run_id = holder, since, run_id
        when = f' since {since:%Y-%m-%d %H:%M:%S} UTC' if since else ''
        super().__init__(f'A sync is already running ({holder or "another process"}{when}); '
                         'wait for it to finish, then try again.')


@dataclass(frozen=True)
class LeaseHeld:
    token: str
    taken_over: SyncLease | None  # the expired lease this one replaced (its run died), if any


def _dead_here(lease: SyncLease) -> bool:
    """The holder ran on this machine and its process no longer exists (killed, crashed)."""
    if lease.pid is None or lease.host != socket.gethostname() or lease.pid == os.getpid():
        return False
    try:
        os.kill(lease.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


def describe_holder(trigger: str) -> str:
    """Who is running, in words a person can act on: "manual run (pid 4242 on nas)"."""
    return f'{trigger} run (pid {os.getpid()} on {socket.gethostname()})'


class RunLease:
    def __init__(self, db: Database, *, ttl: timedelta = LEASE_TTL, now: Callable[[], datetime] = utcnow,
                 name: str = LEASE_NAME) -> None:
        self._db = db
        self.ttl = ttl
        self._now = now
        self._name = name

    async def acquire(self, holder: str) -> LeaseHeld:
        """Take the lease, or raise RunBusy naming the current holder."""
        await self._ensure_row()
        now = self._now()
        token = secrets.token_hex(16)
        async with self._db.session() as session:
            before = await session.get(SyncLease, self._name)
            previous = SyncLease(**before.model_dump()) if before is not None else None
            free = or_(col(SyncLease.token).is_(None), col(SyncLease.expires_at) < now)
            if previous is not None and previous.token is not None and _dead_here(previous):
                free = col(SyncLease.token) == previous.token  # its process is gone: no need to wait for expiry
            result = await session.exec(
                update(SyncLease).where(col(SyncLease.name) == self._name, free)
                .values(token=token, holder=holder[:255], host=socket.gethostname()[:255], pid=os.getpid(),
                        run_id=None, acquired_at=now, heartbeat_at=now,
                        expires_at=now + self.ttl))  # type: ignore[call-overload]
            if result.rowcount != 1:
                await session.rollback()
                current = await session.get(SyncLease, self._name, populate_existing=True)
                raise RunBusy(current.holder if current else '', current.acquired_at if current else None,
                              current.run_id if current else None)
            taken_over = previous if previous is not None and previous.token is not None else None
            if taken_over is not None and taken_over.run_id is not None:
                await session.exec(update(SyncRun).where(col(SyncRun.id) == taken_over.run_id,
                                                         col(SyncRun.status) == RunStatus.RUNNING)
                                   .values(status=RunStatus.INTERRUPTED, finished_at=now,
                                           error='The process running this sync stopped before it finished; '
                                                 'the next run carried on where it stopped.'))  # type: ignore
            await session.commit()
        return LeaseHeld(token, taken_over)

    async def attach_run(self, token: str, run_id: int) -> None:
        await self._update(token, run_id=run_id)

    async def heartbeat(self, token: str) -> bool:
        """Push the expiry forward; False when the lease is no longer ours (it expired and was taken over)."""
        now = self._now()
        return await self._update(token, heartbeat_at=now, expires_at=now + self.ttl)

    async def release(self, token: str) -> None:
        await self._update(token, token=None, run_id=None, expires_at=None)

    async def current(self) -> SyncLease | None:
        """The live lease (held and not expired), or None when nobody runs."""
        async with self._db.session() as session:
            row = await session.get(SyncLease, self._name)
        if row is None or row.token is None or row.expires_at is None or row.expires_at < self._now():
            return None
        return row

    async def _update(self, holder_token: str, **values: object) -> bool:
        async with self._db.session() as session:
            result = await session.exec(update(SyncLease).where(col(SyncLease.name) == self._name,
                                                                col(SyncLease.token) == holder_token)
                                        .values(**values))  # type: ignore[call-overload]
            await session.commit()
        return bool(result.rowcount == 1)

    async def _ensure_row(self) -> None:
        async with self._db.session() as session:
            if await session.get(SyncLease, self._name) is not None:
                return
            session.add(SyncLease(name=self._name))
            try:
                await session.commit()
            except IntegrityError:  # another process created it at the same moment: fine
                await session.rollback()
