"""Holding a record for the user's choice ("ask me"): one open HeldChange per record with QuickBooks' latest
version, and the link marked held so neither direction moves the record until the user decides.

Used by inbound sync (a QuickBooks change meets an unsent app edit) and by the outbound run (QuickBooks refuses
an update as stale, 5010, and the policy is "ask me").
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import EntityLink, HeldChange, LinkStatus
from ..quickbooks.changes import ChangedObject

__all__ = ['hold_change', 'HELD_REASON']

HELD_REASON = 'Changed in both places: waiting for your choice'


async def hold_change(session: AsyncSession, link: EntityLink, obj: ChangedObject, *, local_version: int,
                      now: datetime) -> bool:
    """Record (or refresh) the open hold of the link's record; True when the record was not held before."""
    held = (await session.exec(select(HeldChange).where(
        HeldChange.realm_id == link.realm_id, HeldChange.entity_type == link.entity_type,
        HeldChange.local_id == link.local_id, col(HeldChange.resolved_at).is_(None)))).first()
    held = held or HeldChange(realm_id=link.realm_id, entity_type=link.entity_type, local_id=link.local_id,
                              qbo_id=obj.id)
    held.qbo_sync_token, held.qbo_updated_at = obj.sync_token or '', obj.last_updated
    held.qbo_payload = json.dumps(obj.data, default=str)
    held.local_version, held.detected_at = local_version, now
    session.add(held)
    fresh = link.status != LinkStatus.HELD
    link.status, link.last_error, link.updated_at = LinkStatus.HELD, HELD_REASON, now
    session.add(link)
    return fresh
