"""Applying a batch's answers: links, sync tokens and log entries, committed together with the outbox row.

One transaction per batch: either every answer of the batch is recorded (and the batch marked answered) or none
is, in which case the batch is still open and the next run re-sends it with its requestid and gets the same
answers back. A link only ever confirms the version that was sent, so a record edited during the run stays
pending. Links and log entries are written with bulk statements (a batch is 30 of each), not one ORM object each;
when every link is new (records created), the whole transaction goes to SQLite in one round trip (``bulk``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from ..mapping.tax import TotalsMismatch
from ..models import EntityLink, LinkStatus, OutboxBatch, SyncLogEntry
from ..models.records import utcnow
from ..quickbooks.client import BatchAnswer
from ..quickbooks.errors import QuickBooksError, StaleObjectError
from ..quickbooks.explain import explain, is_transient
from . import bulk
from .context import RunContext
from .entities import entity
from .outbox import Operation, PendingItem

__all__ = ['Outcome', 'apply_answers', 'qbo_time', 'link_rows', 'LinkWrites', 'TotalsCheck']

# (entity type, local id, version, QuickBooks' answer) -> why its totals disagree with the app's, or None
TotalsCheck = Callable[[str, int, int, dict[str, Any]], TotalsMismatch | None]


@dataclass
class Outcome:
    """What a batch's answers leave for the pass to do next."""
    succeeded: list[tuple[PendingItem, dict[str, Any]]] = field(default_factory=list)
    failed: list[tuple[PendingItem, str]] = field(default_factory=list)  # item, plain-language reason
    conflicts: list[PendingItem] = field(default_factory=list)  # 5010: the conflict policy decides
    transient: list[PendingItem] = field(default_factory=list)  # "try again" answers for single items


def qbo_time(obj: dict[str, Any]) -> datetime | None:
    stamp = (obj.get('MetaData') or {}).get('LastUpdatedTime')
    try:
        return datetime.fromisoformat(str(stamp)) if stamp else None
    except ValueError:
        return None


async def link_rows(session: Any, realm_id: str, keys: list[tuple[str, int]]) -> dict[tuple[str, int], EntityLink]:
    """The links of ``keys``, one indexed IN query per entity type (a batch holds one type)."""
    found: dict[tuple[str, int], EntityLink] = {}
    for kind, ids in _by_type(keys).items():
        rows = (await session.exec(select(EntityLink).where(
            EntityLink.realm_id == realm_id, EntityLink.entity_type == kind, col(EntityLink.local_id).in_(ids)))).all()
        found.update({(row.entity_type, row.local_id): row for row in rows})
    return found


class LinkWrites:
    """Link changes for many records, written as one UPDATE ... executemany and one INSERT ... executemany."""

    def __init__(self, realm_id: str, unlinked: set[tuple[str, int]] | None = None) -> None:
        """:param unlinked: records known to have no link row yet (the plan saw none, and nothing wrote one since):
            their links are inserted without first looking for them; ``write`` removes the ones it inserts"""
        self.realm_id = realm_id
        self.unlinked = unlinked if unlinked is not None else set()
        self.changes: dict[tuple[str, int], dict[str, Any]] = {}

    def set(self, key: tuple[str, int], **values: Any) -> None:
        self.changes.setdefault(key, {}).update(values, updated_at=utcnow())

    def new_rows(self) -> list[dict[str, Any]] | None:
        """The changes as link rows to insert, when every one is for a record known to have no link (else None)."""
        if any(key not in self.unlinked for key in self.changes):
            return None
        rows = [{**_NEW_LINK, 'realm_id': self.realm_id, 'entity_type': key[0], 'local_id': key[1], **values}
                for key, values in self.changes.items()]
        if len({tuple(row) for row in rows}) > 1:
            return None  # one statement needs the same columns in every row
        return rows

    def inserted(self) -> None:
        """The changes are written: those records have links now."""
        self.unlinked.difference_update(self.changes)

    async def write(self, session: Any) -> None:
        """In the transaction of ``session`` (an AsyncSession, or an AsyncConnection for Core-only writers)."""
        if not self.changes:
            return
        connection = session if isinstance(session, AsyncConnection) else await session.connection()
        unknown = [key for key in self.changes if key not in self.unlinked]
        existing = await _link_ids(connection, self.realm_id, unknown) if unknown else {}
        columns = sorted({name for values in self.changes.values() for name in values})
        updates = [{'link_id': existing[key], **{f'v_{c}': values.get(c, _KEEP) for c in columns}}
                   for key, values in self.changes.items() if key in existing]
        for group in _same_columns(updates):
            names = [c for c in columns if group[0][f'v_{c}'] is not _KEEP]
            await connection.execute(
                update(EntityLink).where(col(EntityLink.id) == bindparam('link_id'))
                .values({c: bindparam(f'v_{c}') for c in names}),
                [{'link_id': row['link_id'], **{f'v_{c}': row[f'v_{c}'] for c in names}} for row in group])
        inserts = [{**_NEW_LINK, 'realm_id': self.realm_id, 'entity_type': key[0], 'local_id': key[1], **values}
                   for key, values in self.changes.items() if key not in existing]
        if inserts:
            await connection.execute(insert(EntityLink), inserts)
        self.inserted()


_KEEP = object()
_NEW_LINK = {'qbo_id': None, 'sync_token': None, 'last_hash': '', 'synced_version': 0, 'status': LinkStatus.PENDING,
             'last_error': '', 'last_synced_at': None, 'qbo_updated_at': None, 'needs_inbound': False}


def _same_columns(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(k for k, v in row.items() if v is not _KEEP), []).append(row)
    return list(groups.values())


def _by_type(keys: list[tuple[str, int]]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for kind, local in keys:
        grouped.setdefault(kind, []).append(local)
    return grouped


async def _link_ids(connection: Any, realm_id: str, keys: list[tuple[str, int]]) -> dict[tuple[str, int], int]:
    found: dict[tuple[str, int], int] = {}
    for kind, ids in _by_type(keys).items():
        rows = await connection.execute(select(EntityLink.id, EntityLink.local_id).where(
            EntityLink.realm_id == realm_id, EntityLink.entity_type == kind, col(EntityLink.local_id).in_(ids)))
        found.update({(kind, local): link_id for link_id, local in rows})
    return found


async def apply_answers(ctx: RunContext, batch: OutboxBatch, items: list[PendingItem],
                        answers: dict[str, BatchAnswer] | None, *, whole_error: QuickBooksError | None = None,
                        linked: set[tuple[str, int]] | None = None, check: TotalsCheck | None = None,
                        unlinked: set[tuple[str, int]] | None = None, writer: bulk.Writer | None = None) -> Outcome:
    """Record every answer of ``batch`` (or ``whole_error`` for all of it) in one transaction.

    :param check: QuickBooks' answer against the app's own totals; a mismatch fails the record (it stays linked to
        the object QuickBooks made, so the next run updates that one) with the reason in plain words
    :param unlinked: records known to have no link row (see ``LinkWrites``), shared by the run's batches
    :param writer: the run's connection for one-round-trip writes (else one is taken for this batch)
    """
    outcome = Outcome()
    linked = linked or set()
    links = LinkWrites(ctx.realm_id, unlinked)
    entries: list[dict[str, Any]] = []
    now = utcnow()
    for item in items:
        key = (item.entity_type, item.local_id)
        answer = answers.get(item.bid) if answers is not None else None
        error = whole_error or (answer.error if answer is not None else
                                QuickBooksError('QuickBooks answered the batch without this record.'))
        if answer is not None and answer.entity is not None and whole_error is None:
            obj = answer.entity
            qbo_id = str(obj.get('Id'))
            mismatch = check(item.entity_type, item.local_id, item.version, obj) \
                if check is not None and item.operation != Operation.VOID else None
            if mismatch is not None:
                links.set(key, qbo_id=qbo_id, sync_token=str(obj.get('SyncToken', '')), status=LinkStatus.FAILED,
                          last_error=f'{mismatch.message} {mismatch.suggestion}'[:2000], qbo_updated_at=qbo_time(obj),
                          needs_inbound=False, last_synced_at=now)
                outcome.failed.append((item, mismatch.message))
                entries.append(ctx.entry_values(
                    entity_type=item.entity_type, local_id=item.local_id, qbo_id=qbo_id, action=item.operation,
                    status=LinkStatus.FAILED, level='error', message=mismatch.message,
                    suggestion=mismatch.suggestion))
                continue
            links.set(key, qbo_id=qbo_id, sync_token=str(obj.get('SyncToken', '')), synced_version=item.version,
                      status=LinkStatus.SYNCED, last_error='', last_hash=item.content_hash,
                      qbo_updated_at=qbo_time(obj), needs_inbound=False, last_synced_at=now)
            outcome.succeeded.append((item, obj))
            entries.append(ctx.entry_values(
                entity_type=item.entity_type, local_id=item.local_id, qbo_id=qbo_id, action=item.operation,
                status=LinkStatus.SYNCED,
                message=f'{entity(item.entity_type).singular} {_verb(item, key in linked)} in QuickBooks.'))
            continue
        assert error is not None
        if isinstance(error, StaleObjectError) and whole_error is None:
            outcome.conflicts.append(item)
            continue
        if is_transient(error) and whole_error is None:
            outcome.transient.append(item)
            continue
        why = explain(error)
        links.set(key, status=LinkStatus.FAILED, last_error=why.message[:2000])
        outcome.failed.append((item, why.message))
        entries.append(ctx.entry_values(entity_type=item.entity_type, local_id=item.local_id, action=item.operation,
                                        status=LinkStatus.FAILED, level='error', message=why.reason, code=why.code,
                                        element=why.element, detail=why.detail, suggestion=why.suggestion))
    answered = whole_error is None or not is_transient(whole_error)
    new_links = links.new_rows()
    async with ctx.write_lock:
        if new_links is not None:  # records created: inserts only, in one round trip (see ``bulk``)
            assert batch.id is not None
            steps: list[bulk.Step] = [bulk.Insert(_LINKS, new_links), bulk.Insert(_LOG, entries),
                                      *([bulk.UpdateById(_BATCHES, batch.id, {'answered_at': now})] if answered
                                        else [])]
            await (writer.write(steps) if writer is not None else bulk.write(ctx.db, steps))
            links.inserted()
            return outcome
        async with ctx.db.engine.begin() as connection:  # Core statements only: no ORM session
            await links.write(connection)
            if entries:
                await connection.execute(insert(SyncLogEntry), entries)
            if answered:
                await connection.execute(update(OutboxBatch).where(col(OutboxBatch.id) == batch.id)
                                         .values(answered_at=now))
    return outcome


_LINKS, _LOG, _BATCHES = EntityLink.__table__, SyncLogEntry.__table__, OutboxBatch.__table__  # type: ignore[attr-defined]


def _verb(item: PendingItem, linked: bool) -> str:
    if linked:
        return 'matched to the existing record and updated'
    return {Operation.CREATE: 'created', Operation.VOID: 'voided'}.get(item.operation, 'updated')
