"""Records held under the "ask me" conflict policy: both versions side by side, and the user's choice applied.

"Keep app version" lets the next outbound run overwrite QuickBooks (the link learns QuickBooks' SyncToken so the
update is not refused as stale); "Keep QuickBooks version" applies the held QuickBooks object as any inbound change
would. Either way the hold ends, the log says who chose what, and the record moves again.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db import Database
from ..models import EntityLink, HeldChange, LinkStatus, SyncLogEntry, User
from ..models.records import utcnow
from ..quickbooks.changes import changed_object
from ..quickbooks.client import QuickBooksClient
from ..sync.inbound import InboundApplier
from ..sync.inbound_changes import InboundChange
from ..sync.inbound_record import current_values
from ..sync.entities import entity
from ..mapping import Refs
from ..sync.inbound_values import LocalValues, local_values, wire_refs
from .errors import NotFound, ValidationError
from .permissions import require_manager

__all__ = ['ConflictService', 'ConflictView', 'FieldPair', 'KEEP_APP', 'KEEP_QUICKBOOKS']

KEEP_APP = 'app'
KEEP_QUICKBOOKS = 'quickbooks'
_REFERENCES = {'customer_id': 'customer', 'item_id': 'item', 'invoice_id': 'invoice'}


@dataclass(frozen=True)
class FieldPair:
    label: str
    app: str
    quickbooks: str

    @property
    def differs(self) -> bool:
        return self.app != self.quickbooks


@dataclass(frozen=True)
class ConflictView:
    id: int
    entity_type: str
    local_id: int
    qbo_id: str
    title: str  # e.g. 'Customer Acme Plumbing'
    detected_at: datetime
    qbo_updated_at: datetime | None
    fields: list[FieldPair]
    resolved: str = ''  # '' while open, else app | quickbooks


class ConflictService:
    def __init__(self, db: Database, *, api: Callable[[], Awaitable[QuickBooksClient]],
                 realm: Callable[[], Awaitable[str | None]], now: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._api = api
        self._realm = realm
        self._now = now

    async def open_conflicts(self) -> list[ConflictView]:
        """Every held record of the connected company, oldest first."""
        realm_id = await self._realm()
        async with self._db.session() as session:
            rows = (await session.exec(select(HeldChange).where(
                HeldChange.realm_id == (realm_id or ''), col(HeldChange.resolved_at).is_(None))
                .order_by(col(HeldChange.detected_at)))).all()
            return [await self._view(session, row) for row in rows]

    async def open_for(self, entity_type: str, local_id: int) -> ConflictView | None:
        """The open conflict of one record (its page shows it), if any."""
        return next((c for c in await self.open_conflicts()
                     if c.entity_type == entity_type and c.local_id == local_id), None)

    async def get(self, conflict_id: int) -> ConflictView:
        async with self._db.session() as session:
            row = await session.get(HeldChange, conflict_id)
            if row is None:
                raise NotFound(f'There is no conflict {conflict_id}.')
            return await self._view(session, row)

    async def resolve(self, conflict_id: int, keep: str, *, acting: User) -> ConflictView:
        """Apply the user's choice (``KEEP_APP`` or ``KEEP_QUICKBOOKS``); a conflict is resolved only once."""
        require_manager(acting, 'resolve sync conflicts')
        if keep not in (KEEP_APP, KEEP_QUICKBOOKS):
            raise ValidationError({'keep': 'Choose the app version or the QuickBooks version.'})
        async with self._db.session() as session:
            held = await session.get(HeldChange, conflict_id)
            if held is None:
                raise NotFound(f'There is no conflict {conflict_id}.')
            if held.resolved_at is not None:
                raise ValidationError({'keep': 'This conflict was already resolved.'})
            link = (await session.exec(select(EntityLink).where(
                EntityLink.realm_id == held.realm_id, EntityLink.entity_type == held.entity_type,
                EntityLink.local_id == held.local_id))).first()
        if keep == KEEP_QUICKBOOKS:
            await self._keep_quickbooks(held)
        async with self._db.session() as session:
            held = await session.get(HeldChange, conflict_id)
            assert held is not None
            link = await session.get(EntityLink, link.id) if link is not None else None
            if link is not None and keep == KEEP_APP:
                # QuickBooks' version is known and overruled: the next outbound run sends the app's version
                link.sync_token, link.status, link.last_error = held.qbo_sync_token, LinkStatus.PENDING, ''
                link.qbo_updated_at = held.qbo_updated_at
                link.updated_at = self._now()
                session.add(link)
            held.resolved_at, held.resolution, held.resolved_by = self._now(), keep, acting.email[:255]
            session.add(held)
            view = await self._view(session, held)
            session.add(SyncLogEntry(realm_id=held.realm_id, level='info', entity_type=held.entity_type,
                                     local_id=held.local_id, qbo_id=held.qbo_id, action='conflict_resolved',
                                     message=f'{view.title}: kept the {"app" if keep == KEEP_APP else "QuickBooks"} '
                                             f'version (chosen by {acting.email}).'))
            await session.commit()
        return view

    async def _keep_quickbooks(self, held: HeldChange) -> None:
        api = await self._api()
        applier = InboundApplier(self._db, api, policy='quickbooks_wins', enabled=lambda _: True, now=self._now)
        obj = changed_object(entity(held.entity_type).qbo_name, json.loads(held.qbo_payload, parse_float=Decimal))
        async with self._db.session() as session:  # the hold is lifted so that the change applies like any other
            link = (await session.exec(select(EntityLink).where(
                EntityLink.realm_id == held.realm_id, EntityLink.entity_type == held.entity_type,
                EntityLink.local_id == held.local_id))).first()
            if link is not None:
                link.status, link.sync_token = LinkStatus.PENDING, None
                session.add(link)
                await session.commit()
        result = await applier.apply([InboundChange(obj)])
        if result.failed or result.held:
            raise ValidationError({'keep': 'The QuickBooks version could not be applied; see the Sync Log.'})

    async def _view(self, session: AsyncSession, held: HeldChange) -> ConflictView:
        record = await session.get(entity(held.entity_type).model, held.local_id)
        payload = json.loads(held.qbo_payload, parse_float=Decimal)
        refs = Refs()
        for ref in wire_refs(held.entity_type, payload):
            link = (await session.exec(select(EntityLink).where(
                EntityLink.realm_id == held.realm_id, EntityLink.entity_type == ref.entity_type,
                EntityLink.qbo_id == ref.qbo_id))).first()
            if link is not None:
                refs.link(ref.entity_type, link.local_id, ref.qbo_id)
        theirs = local_values(held.entity_type, payload, refs, voided=changed_object('', payload).voided)
        ours = await current_values(session, held.entity_type, record, theirs) if record is not None else \
            LocalValues({})
        fields = [FieldPair(_label(key), await _shown(session, key, ours.fields.get(key)),
                            await _shown(session, key, value)) for key, value in theirs.fields.items()]
        if theirs.lines is not None:
            fields.append(FieldPair('Lines', await _lines(session, ours.lines or []),
                                    await _lines(session, theirs.lines)))
        name = _record_name(record) if record is not None else f'#{held.local_id}'
        title = entity(held.entity_type).title(record) if record is not None else name
        return ConflictView(id=held.id or 0, entity_type=held.entity_type, local_id=held.local_id,
                            qbo_id=held.qbo_id, title=title,
                            detected_at=held.detected_at, qbo_updated_at=held.qbo_updated_at, fields=fields,
                            resolved=held.resolution)


async def _shown(session: AsyncSession, key: str, value: Any) -> str:
    if key in _REFERENCES and isinstance(value, int):
        found = await session.get(entity(_REFERENCES[key]).model, value)
        return _record_name(found) if found is not None else f'#{value}'
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'Yes' if value else 'No'
    if isinstance(value, Decimal):
        return f'{value:,.2f}'
    return str(value)


async def _lines(session: AsyncSession, rows: list[dict[str, Any]]) -> str:
    parts = []
    for row in rows:
        what = row.get('description') or row.get('category') or ''
        item = row.get('item_id')
        if item is not None:
            what = await _shown(session, 'item_id', item) or what
        amount = row.get('amount')
        parts.append(f'{what}: {amount:,.2f}' if isinstance(amount, Decimal) else str(what))
    return '; '.join(parts)


def _label(key: str) -> str:
    return key.replace('_id', '').replace('_', ' ').capitalize()


def _record_name(record: Any) -> str:
    for key in ('display_name', 'name', 'doc_number'):
        if getattr(record, key, None):
            return str(getattr(record, key))
    return f'#{record.id}'
