"""Applying a batch's answers: links, sync tokens and log entries, committed together with the outbox row.

One transaction per batch: either every answer of the batch is recorded (and the batch marked answered) or none
is, in which case the batch is still open and the next run re-sends it with its requestid and gets the same
answers back. A link only ever confirms the version that was sent, so a record edited during the run stays
pending.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import select

from ..models import EntityLink, LinkStatus, OutboxBatch
from ..models.records import utcnow
from ..quickbooks.client import BatchAnswer
from ..quickbooks.errors import QuickBooksError, StaleObjectError
from ..quickbooks.explain import explain, is_transient
from .context import RunContext
from .entities import entity
from .outbox import Operation, Outbox, PendingItem, payload_hash

__all__ = ['Outcome', 'apply_answers', 'qbo_time', 'link_rows', 'fail_link']


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
    if not keys:
        return {}
    condition = or_(*[and_(EntityLink.entity_type == kind, EntityLink.local_id == local) for kind, local in keys])
    rows = (await session.exec(select(EntityLink).where(EntityLink.realm_id == realm_id, condition))).all()
    return {(row.entity_type, row.local_id): row for row in rows}


def _link(links: dict[tuple[str, int], EntityLink], realm_id: str, key: tuple[str, int]) -> EntityLink:
    if key not in links:
        links[key] = EntityLink(realm_id=realm_id, entity_type=key[0], local_id=key[1])
    return links[key]


def fail_link(link: EntityLink, message: str) -> None:
    link.status, link.last_error, link.updated_at = LinkStatus.FAILED, message[:2000], utcnow()


async def apply_answers(ctx: RunContext, batch: OutboxBatch, items: list[PendingItem],
                        answers: dict[str, BatchAnswer] | None, *, whole_error: QuickBooksError | None = None,
                        linked: set[tuple[str, int]] | None = None) -> Outcome:
    """Record every answer of ``batch`` (or ``whole_error`` for all of it) in one transaction."""
    outcome = Outcome()
    linked = linked or set()
    async with ctx.db.session() as session:
        links = await link_rows(session, ctx.realm_id, [(i.entity_type, i.local_id) for i in items])
        for item in items:
            key = (item.entity_type, item.local_id)
            answer = answers.get(item.bid) if answers is not None else None
            error = whole_error or (answer.error if answer is not None else
                                    QuickBooksError('QuickBooks answered the batch without this record.'))
            if answer is not None and answer.entity is not None and whole_error is None:
                obj = answer.entity
                link = _link(links, ctx.realm_id, key)
                link.qbo_id, link.sync_token = str(obj.get('Id')), str(obj.get('SyncToken', ''))
                link.synced_version, link.status, link.last_error = item.version, LinkStatus.SYNCED, ''
                link.last_hash, link.qbo_updated_at = payload_hash(item.body), qbo_time(obj)
                link.needs_inbound, link.last_synced_at = False, utcnow()
                link.updated_at = link.last_synced_at
                session.add(link)
                outcome.succeeded.append((item, obj))
                verb = _verb(item, key in linked)
                session.add(ctx.entry(entity_type=item.entity_type, local_id=item.local_id, qbo_id=link.qbo_id,
                                      action=item.operation, status=LinkStatus.SYNCED,
                                      message=f'{entity(item.entity_type).singular} {verb} in QuickBooks.'))
                continue
            assert error is not None
            if isinstance(error, StaleObjectError) and whole_error is None:
                outcome.conflicts.append(item)
                continue
            if is_transient(error) and whole_error is None:
                outcome.transient.append(item)
                continue
            why = explain(error)
            link = _link(links, ctx.realm_id, key)
            fail_link(link, why.message)
            session.add(link)
            outcome.failed.append((item, why.message))
            session.add(ctx.entry(entity_type=item.entity_type, local_id=item.local_id, qbo_id=link.qbo_id,
                                  action=item.operation, status=LinkStatus.FAILED, level='error',
                                  message=why.reason, code=why.code, element=why.element, detail=why.detail,
                                  suggestion=why.suggestion))
        if whole_error is None or not is_transient(whole_error):
            Outbox.mark_answered(session, batch)
        await session.commit()
    return outcome


def _verb(item: PendingItem, linked: bool) -> str:
    if linked:
        return 'matched to the existing record and updated'
    return {Operation.CREATE: 'created', Operation.VOID: 'voided'}.get(item.operation, 'updated')
