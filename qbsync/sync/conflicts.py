"""5010 (someone changed the object in QuickBooks since our SyncToken): re-read it and apply the conflict policy.

app_wins: send ours again on the fresh SyncToken. quickbooks_wins: keep theirs, remember the fresh token and mark
the record for inbound sync to bring QuickBooks' version into the app. newest_wins: whichever side changed last
(the record's updated_at against QuickBooks' MetaData.LastUpdatedTime) wins as above.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..models import LinkStatus
from ..models.records import utcnow
from .answers import link_rows, qbo_time
from .entities import entity
from .outbox import PendingItem

if TYPE_CHECKING:
    from .outbound import _OutboundRun

__all__ = ['resolve_conflicts', 'POLICIES']

POLICIES = ('app_wins', 'quickbooks_wins', 'newest_wins')
KEPT_REMOTE = 'QuickBooks kept its own version (conflict policy); inbound sync brings it into the app.'


async def resolve_conflicts(run: _OutboundRun, items: list[PendingItem]) -> list[PendingItem]:
    """The items to send again (ours wins); the others are settled here."""
    ctx = run.ctx
    policy = ctx.settings.conflict_policy if ctx.settings.conflict_policy in POLICIES else 'app_wins'
    again: list[PendingItem] = []
    kept: list[tuple[PendingItem, dict]] = []
    for item in items:
        qbo_name = entity(item.entity_type).qbo_name
        current = dict(item.body[qbo_name])
        fresh = await run.call(lambda name=qbo_name, qbo_id=str(current['Id']): ctx.client.read(name, qbo_id))
        ours = policy == 'app_wins'
        if policy == 'newest_wins':
            remote_time = qbo_time(fresh)
            local_time = await _updated_at(run, item)
            ours = remote_time is None or (local_time is not None and local_time > remote_time)
        if ours:
            body = {**item.body, qbo_name: {**current, 'SyncToken': str(fresh.get('SyncToken', '0'))}}
            again.append(PendingItem(item.bid, item.entity_type, item.local_id, item.version, item.operation, body))
        else:
            kept.append((item, fresh))
    if kept:
        async with ctx.write_lock, ctx.db.session() as session:
            links = await link_rows(session, ctx.realm_id, [(i.entity_type, i.local_id) for i, _ in kept])
            for item, fresh in kept:
                link = links[(item.entity_type, item.local_id)]
                link.sync_token, link.qbo_updated_at = str(fresh.get('SyncToken', '0')), qbo_time(fresh)
                link.needs_inbound, link.status, link.last_error = True, LinkStatus.PENDING, KEPT_REMOTE
                link.updated_at = utcnow()
                session.add(link)
                session.add(ctx.entry(entity_type=item.entity_type, local_id=item.local_id, qbo_id=link.qbo_id,
                                      action='conflict', status='skipped', level='warning', code='5010',
                                      message=KEPT_REMOTE))
                ctx.count(item.entity_type, 'skipped')
            await session.commit()
    return again


async def _updated_at(run: _OutboundRun, item: PendingItem):  # type: ignore[no-untyped-def]
    async with run.ctx.db.session() as session:
        record = await session.get(entity(item.entity_type).model, item.local_id)
    return getattr(record, 'updated_at', None)
