"""Inbound sync: QuickBooks versions (from webhooks or CDC) applied to the app's records, with the conflict policy.

For each changed object, in dependency order (customers and items, then documents, then payments):

* the app's own write coming back (the link already holds its SyncToken, or the content equals the record) changes
  nothing and logs nothing;
* a new object gets a local record and a link (an unlinked local record of the same name or number is adopted);
  references it makes to objects the app does not know yet are read and created first, or, when their entity is
  not synced, the object is held with the reason;
* a changed object updates the record, unless the app changed it too since the last sync: then the conflict
  policy decides (app wins, QuickBooks wins, newest wins by QuickBooks' LastUpdatedTime, or ask me: held);
* voids void, deactivations deactivate, a deletion unlinks and flags the record (never deletes local data), a
  merge moves references from the merged-away record to the survivor and keeps the loser inactive.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db import Database
from ..mapping import Refs
from ..models import AccountMapping, EntityLink, LinkStatus, MappingPurpose, SyncLogEntry
from ..models.records import utcnow
from ..quickbooks.changes import ChangedObject
from ..quickbooks.client import QuickBooksClient
from ..quickbooks.errors import QuickBooksError
from .entities import EntitySpec, by_qbo_name, entity
from .held import hold_change
from .inbound_changes import ApplyResult, InboundChange
from .inbound_merge import bump_version, merge_records
from .inbound_record import (UNIQUE_FIELDS, StaleRecord, create_record, current_values, find_link, same,
                             unique_value, write_record)
from .inbound_values import LocalValues, content_hash, local_values, wire_refs
from .inbound_lists import ListCache
from .field_context import inbound_tax_keys
from .references import Call, direct_call

__all__ = ['InboundApplier', 'POLICIES']

log = logging.getLogger(__name__)

POLICIES = ('app_wins', 'quickbooks_wins', 'newest_wins', 'ask_me')
STALE_RETRIES = 3
# the record's state after a logged inbound change (SyncLogEntry.status)
_STATUS = {'inbound_create': 'synced', 'inbound_update': 'synced', 'inbound_void': 'synced',
           'inbound_deactivate': 'synced', 'inbound_merge': 'synced', 'inbound_delete': 'deleted',
           'inbound_held': 'held', 'conflict_held': 'held', 'conflict_app_wins': 'pending'}
CHUNK = 200  # changes per transaction


class _Held(Exception):
    """The change cannot be applied as it stands (a reference unknown to the app); logged, not retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InboundApplier:
    def __init__(self, db: Database, client: QuickBooksClient, *, policy: str,
                 enabled: Callable[[str], bool], run_id: int | None = None,
                 now: Callable[[], datetime] = utcnow, call: Call = direct_call,
                 lists: ListCache | None = None) -> None:
        """:param enabled: local entity type -> is it synced (the per-entity switches)
        :param call: runs each QuickBooks request (under the rate limiter, with retries, in the app)"""
        self._call = call
        self._lists = lists or ListCache()
        self._db = db
        self._client = client
        self._realm = client.realm_id
        self._tax_read = False  # the company's tax codes, read for the first sales lines (_load_tax_keys)
        self._policy = policy if policy in POLICIES else 'app_wins'
        self._enabled = enabled
        self._run_id = run_id
        self._now = now
        self._ids: dict[tuple[str, str], int] = {}  # (entity type, QBO Id) -> local id, for references
        self._refs: Refs | None = None  # what the mapping resolves through: links, lists, expense categories
        self._at_hand: dict[tuple[str, str], EntityLink] | None = None  # the current chunk's links (_prefetch)
        self._records_at_hand: list[object] = []  # and its records

    async def apply(self, changes: Sequence[InboundChange]) -> ApplyResult:
        result = ApplyResult()
        await self._load_refs([c.object.data for c in changes])
        wanted = [c for c in changes if by_qbo_name(c.entity) is not None]
        merged_away = {(c.entity, i) for c in wanted for i in c.merged_away}
        wanted = [c for c in wanted if not (c.object.deleted and c.key in merged_away)]  # the merge handles them
        await self._create_missing_references(wanted, result)
        await self._apply_all(sorted(wanted, key=lambda c: _local(c.entity).tier), result)
        return result

    async def _apply_all(self, changes: Sequence[InboundChange], result: ApplyResult) -> None:
        """Chunks in one transaction each (fast); a chunk that fails is redone one change per transaction, so a
        bad record costs only itself."""
        for start in range(0, len(changes), CHUNK):
            chunk, known, links = changes[start:start + CHUNK], dict(self._ids), dict(self._mapping_refs().links)
            partial = ApplyResult()
            try:
                async with self._db.session() as session:
                    self._at_hand = await self._prefetch(session, chunk)
                    try:
                        for change in chunk:
                            await self._apply_in(session, change, partial)
                        await session.commit()
                    finally:
                        self._at_hand, self._records_at_hand = None, []
            except Exception:
                self._ids = known  # the chunk's creations were rolled back
                self._refs = replace(self._mapping_refs(), links=links, _reverse={})
                for change in chunk:
                    await self._apply_one(change, result)
            else:
                result.add(partial)

    async def _prefetch(self, session: AsyncSession, chunk: Sequence[InboundChange]) -> dict[tuple[str, str],
                                                                                           EntityLink] | None:
        """The chunk's links, and their records into the session, in one query each per entity type: a query per
        change (each one also flushing the previous change's writes) cost more than the changes themselves. None
        when the chunk merges records (a merge re-points links under the changes that follow)."""
        if any(change.merged_away for change in chunk):
            return None
        at_hand: dict[tuple[str, str], EntityLink] = {}
        for entity_type in {_local(change.entity).name for change in chunk}:
            ids = [change.object.id for change in chunk if _local(change.entity).name == entity_type]
            links = (await session.exec(select(EntityLink).where(
                EntityLink.realm_id == self._realm, EntityLink.entity_type == entity_type,
                col(EntityLink.qbo_id).in_(ids)).order_by(col(EntityLink.id)))).all()
            for link in links:
                at_hand.setdefault((entity_type, str(link.qbo_id)), link)  # the oldest, as find_link answers
            model = entity(entity_type).model
            local_ids = [link.local_id for link in links]
            if local_ids:  # loaded into the session (held here: its identity map only keeps weak references),
                # so that session.get() answers without a query
                self._records_at_hand += (await session.exec(select(model).where(  # type: ignore[call-overload]
                    col(model.id).in_(local_ids)))).all()
        return at_hand

    async def _link(self, session: AsyncSession, entity_type: str, qbo_id: str) -> EntityLink | None:
        """The link of a QuickBooks object: from the chunk's prefetch (with the links the chunk created since, so a
        miss means there is none), else by a query."""
        if self._at_hand is None:
            return await find_link(session, self._realm, entity_type, qbo_id)
        return self._at_hand.get((entity_type, qbo_id))

    async def _apply_in(self, session: AsyncSession, change: InboundChange, result: ApplyResult) -> None:
        try:
            outcome = await self._decide(session, _local(change.entity).name, change)
        except _Held as held:
            await self._log_in(session)(_local(change.entity).name, None, change.object.id, 'warning',
                                        'inbound_held', _held_message(change, held))
            _count(result, _local(change.entity).name, 'held')
            return
        _count(result, _local(change.entity).name, outcome)

    # -- references ----------------------------------------------------------------------------------------------
    async def _create_missing_references(self, changes: Sequence[InboundChange], result: ApplyResult,
                                         depth: int = 0) -> None:
        """Read and apply, first, the customers, items and invoices referenced but unknown locally."""
        in_batch = {(_local(c.entity).name, c.object.id) for c in changes}
        refs = {(r.entity_type, r.qbo_id) for c in changes if not c.object.deleted
                for r in wire_refs(_local(c.entity).name, c.object.data)}
        await self._load_ids(refs)
        missing = sorted(key for key in refs - in_batch if key not in self._ids and self._enabled(key[0]))
        if not missing or depth > 2:
            return
        fetched: list[InboundChange] = []
        for entity_type in sorted({t for t, _ in missing}, key=lambda t: entity(t).tier):
            ids = [i for t, i in missing if t == entity_type]
            try:
                found = await self._call(lambda t=entity_type, i=ids: self._client.read_many(entity(t).qbo_name, i))
                fetched += [InboundChange(o) for o in found]
            except QuickBooksError as exc:
                log.warning('could not read referenced %s %s: %s', entity_type, ids, exc)
        await self._load_refs([c.object.data for c in fetched])
        await self._create_missing_references(fetched, result, depth + 1)
        await self._apply_all(sorted(fetched, key=lambda c: _local(c.entity).tier), result)

    async def _load_ids(self, keys: set[tuple[str, str]]) -> None:
        unknown = [k for k in keys if k not in self._ids]
        if not unknown:
            return
        async with self._db.session() as session:
            for entity_type in {t for t, _ in unknown}:
                ids = [i for t, i in unknown if t == entity_type]
                rows = await session.exec(select(EntityLink).where(
                    EntityLink.realm_id == self._realm, EntityLink.entity_type == entity_type,
                    col(EntityLink.qbo_id).in_(ids), EntityLink.status != LinkStatus.DELETED_IN_QBO))
                for link in rows.all():
                    self._known(entity_type, str(link.qbo_id), link.local_id)

    async def _load_refs(self, objects: list[dict]) -> None:
        """The lists these objects name (terms, payment methods, vendors); once per applier the expense categories."""
        if self._refs is not None:
            await self._lists.fill(self._refs, self._client, objects, self._call)
            await self._load_tax_keys(self._refs, objects)
            return
        refs = Refs()
        await self._lists.fill(refs, self._client, objects, self._call)
        async with self._db.session() as session:
            rows = (await session.exec(select(AccountMapping).where(
                AccountMapping.realm_id == self._realm, AccountMapping.purpose == MappingPurpose.EXPENSE_CATEGORY,
                AccountMapping.local_key != ''))).all()
        refs.category_accounts = {row.local_key.strip().lower(): row.qbo_account_id for row in rows}
        for (entity_type, qbo_id), local_id in self._ids.items():
            refs.link(entity_type, local_id, qbo_id)
        self._refs = refs
        await self._load_tax_keys(refs, objects)

    async def _load_tax_keys(self, refs: Refs, objects: list[dict]) -> None:
        """Once per applier, when sales lines come in: their tax codes read back as the app's rates."""
        if self._tax_read or not any(line.get('DetailType') == 'SalesItemLineDetail'
                                     for obj in objects for line in obj.get('Line') or []):
            return
        refs.tax_keys = await inbound_tax_keys(self._db, self._client, self._realm, self._call)
        self._tax_read = True

    def _mapping_refs(self) -> Refs:
        assert self._refs is not None, 'apply() loads the references first'
        return self._refs

    def _known(self, entity_type: str, qbo_id: str, local_id: int) -> None:
        self._ids[(entity_type, qbo_id)] = local_id
        if self._refs is not None:
            self._refs.link(entity_type, local_id, qbo_id)

    def _values(self, entity_type: str, obj: ChangedObject) -> LocalValues:
        """The local values of the object; held (before any write) when it refers to a record the app lacks."""
        for ref in wire_refs(entity_type, obj.data):
            if (ref.entity_type, ref.qbo_id) not in self._ids:
                what = ref.name or f'QuickBooks #{ref.qbo_id}'
                kind = entity(ref.entity_type)
                why = f'{kind.label.lower()} are not synced' if not self._enabled(ref.entity_type) \
                    else 'it could not be read from QuickBooks'
                raise _Held(f'refers to {kind.singular.lower()} {what}, unknown to the app ({why})')
        return local_values(entity_type, obj.data, self._mapping_refs(), voided=obj.voided)

    # -- one change ----------------------------------------------------------------------------------------------
    async def _apply_one(self, change: InboundChange, result: ApplyResult) -> None:
        entity_type = _local(change.entity).name
        for _ in range(STALE_RETRIES):
            try:
                async with self._db.session() as session:
                    outcome = await self._decide(session, entity_type, change)
                    await session.commit()
                break
            except StaleRecord:
                continue
            except _Held as held:
                await self._log(entity_type, None, change.object.id, 'warning', 'inbound_held',
                                _held_message(change, held))
                _count(result, entity_type, 'held')
                return
            except Exception as exc:  # one bad record never stops the rest
                log.warning('inbound %s %s failed: %s', change.entity, change.object.id, exc, exc_info=True)
                result.failed[change.key] = f'{type(exc).__name__}: {exc}'[:500]
                result.outcomes[(entity_type, 'failed')] += 1
                return
        else:
            result.failed[change.key] = 'the record kept changing while QuickBooks\' version was applied'
            result.outcomes[(entity_type, 'failed')] += 1
            return
        _count(result, entity_type, outcome)

    async def _decide(self, session: AsyncSession, entity_type: str, change: InboundChange) -> str:
        obj = change.object
        link = await self._link(session, entity_type, obj.id)
        if obj.deleted:
            return await self._deleted(session, entity_type, link, obj.id)
        resolved = self._values(entity_type, obj)  # before any write: a held change writes nothing
        if change.merged_away:
            link = await merge_records(session, self._realm, entity_type, obj.id, change.merged_away, link,
                                       self._now(), self._log_in(session))
            if link is not None:
                self._known(entity_type, obj.id, link.local_id)
        if link is None:
            return await self._create(session, entity_type, change, resolved)
        if link.sync_token == obj.sync_token and link.status != LinkStatus.DELETED_IN_QBO and not link.needs_inbound:
            return 'unchanged'  # our own write coming back, or a version already applied
        record = await session.get(entity(entity_type).model, link.local_id)
        if record is None:
            return 'unchanged'
        local = await current_values(session, entity_type, record, resolved)
        dirty = record.version > link.synced_version  # type: ignore[attr-defined]
        if same(local, resolved):  # the same content (an echo, or both sides made the same edit)
            self._stamp(link, obj, resolved, record.version)  # type: ignore[attr-defined]
            session.add(link)
            return 'unchanged'
        if dirty and link.status != LinkStatus.DELETED_IN_QBO and not link.needs_inbound:  # (decided already)
            winner = self._winner(record, obj)
            if winner == 'ask':
                await self._hold(session, entity_type, record, link, change, local, resolved)
                return 'held'
            if winner == 'app':
                self._stamp(link, obj, resolved, None)  # the next outbound run overwrites QuickBooks' edit
                session.add(link)
                await self._log_in(session)(entity_type, record.id, obj.id, 'info', 'conflict_app_wins',
                                            f'{_label(entity_type)} {_name(record)} changed in both places: the '
                                            f'app\'s version is kept and will be sent to QuickBooks.')
                return 'unchanged'
        version = await write_record(session, entity_type, record, resolved, self._now())
        self._stamp(link, obj, resolved, version)
        session.add(link)
        action, what = _describe(entity_type, local, resolved)
        await self._log_in(session)(entity_type, record.id, obj.id, 'info', action,
                                    f'{_label(entity_type)} {_name(record, resolved)} {what} in QuickBooks.')
        return 'updated'

    def _winner(self, record: object, obj: object) -> str:
        if self._policy == 'quickbooks_wins':
            return 'quickbooks'
        if self._policy == 'ask_me':
            return 'ask'
        if self._policy == 'newest_wins':
            stamp = getattr(obj, 'last_updated', None)
            return 'quickbooks' if stamp is not None and stamp > record.updated_at else 'app'
        return 'app'

    async def _create(self, session: AsyncSession, entity_type: str, change: InboundChange,
                      values: LocalValues) -> str:
        obj = change.object
        adopt, free = await unique_value(session, entity_type, values, obj.id, self._realm)
        if free is not None:
            values.fields[UNIQUE_FIELDS[entity_type]] = free
        if adopt is not None:  # same name/number, never sent: the two are one record
            link = (await session.exec(select(EntityLink).where(
                EntityLink.realm_id == self._realm, EntityLink.entity_type == entity_type,
                EntityLink.local_id == adopt.id))).first() or EntityLink(  # type: ignore[attr-defined]
                realm_id=self._realm, entity_type=entity_type, local_id=adopt.id)  # type: ignore[attr-defined]
            local = await current_values(session, entity_type, adopt, values)
            version = adopt.version if same(local, values) else \
                await write_record(session, entity_type, adopt, values, self._now())  # type: ignore[attr-defined]
            record = adopt
        else:
            record = await create_record(session, entity_type, values, self._now())
            link = EntityLink(realm_id=self._realm, entity_type=entity_type, local_id=record.id)  # type: ignore
            version = record.version  # type: ignore[attr-defined]
        link.qbo_id = obj.id
        self._stamp(link, obj, values, version)
        session.add(link)
        if self._at_hand is not None:
            self._at_hand[(entity_type, obj.id)] = link
        self._known(entity_type, obj.id, record.id)  # type: ignore[arg-type]
        await self._log_in(session)(entity_type, record.id, obj.id, 'info', 'inbound_create',  # type: ignore
                                    f'{_label(entity_type)} {_name(record)} '
                                    f'{"linked to" if adopt is not None else "created from"} QuickBooks.')
        return 'created'

    async def _deleted(self, session: AsyncSession, entity_type: str, link: EntityLink | None, qbo_id: str) -> str:
        if link is None or link.status == LinkStatus.DELETED_IN_QBO:
            return 'unchanged'
        record = await session.get(entity(entity_type).model, link.local_id)
        named = getattr(record, 'active', None) is not None  # names vanish only when merged into another one
        link.status, link.updated_at = LinkStatus.DELETED_IN_QBO, self._now()
        link.last_error = 'Removed in QuickBooks (merged into another record)' if named else 'Deleted in QuickBooks'
        session.add(link)
        self._ids.pop((entity_type, qbo_id), None)
        if named and record is not None and record.active:
            await bump_version(session, self._realm, entity_type, record, self._now(), active=False)
        what = 'was removed in QuickBooks (merged into another record): the app keeps it, inactive' if named else \
            'was deleted in QuickBooks: the app keeps it, unlinked and flagged "deleted in QuickBooks"'
        await self._log_in(session)(entity_type, link.local_id, qbo_id, 'warning', 'inbound_delete',
                                    f'{_label(entity_type)} {_name(record) if record else link.local_id} {what}.')
        return 'deleted'

    async def _hold(self, session: AsyncSession, entity_type: str, record: object, link: EntityLink,
                    change: InboundChange, local: LocalValues, incoming: LocalValues) -> None:
        obj = change.object
        if await hold_change(session, link, obj, local_version=record.version, now=self._now()):
            await self._log_in(session)(entity_type, link.local_id, obj.id, 'warning', 'conflict_held',
                                        f'{_label(entity_type)} {_name(record)} changed in both the app and '
                                        f'QuickBooks: held until you choose which version to keep.')

    def _stamp(self, link: EntityLink, obj: object, values: LocalValues, synced_version: int | None) -> None:
        """The link now knows QuickBooks' version; ``synced_version`` None leaves the record pending."""
        link.sync_token = getattr(obj, 'sync_token', None)
        link.qbo_updated_at = getattr(obj, 'last_updated', None) or link.qbo_updated_at
        now = self._now()
        link.updated_at = now
        if synced_version is not None:
            link.synced_version, link.status, link.last_error = synced_version, LinkStatus.SYNCED, ''
            link.needs_inbound = False
            link.last_hash, link.last_synced_at = content_hash(values), now

    # -- log -----------------------------------------------------------------------------------------------------
    def _log_in(self, session: AsyncSession):  # type: ignore[no-untyped-def]
        async def write(entity_type: str, local_id: int | None, qbo_id: str | None, level: str, action: str,
                        message: str) -> None:
            session.add(SyncLogEntry(run_id=self._run_id, realm_id=self._realm, level=level, direction='inbound',
                                     status=_STATUS.get(action, ''), entity_type=entity_type, local_id=local_id,
                                     qbo_id=qbo_id, action=action, message=message[:2000]))
        return write

    async def _log(self, *args: object) -> None:
        async with self._db.session() as session:
            await self._log_in(session)(*args)
            await session.commit()


def _local(qbo_name: str) -> EntitySpec:
    spec = by_qbo_name(qbo_name)
    assert spec is not None, qbo_name
    return spec


def _count(result: ApplyResult, entity_type: str, outcome: str) -> None:
    if outcome == 'unchanged':
        result.unchanged += 1
        return
    if outcome == 'held':
        result.held += 1
        result.outcomes[(entity_type, 'skipped')] += 1
        return
    result.applied += 1
    result.outcomes[(entity_type, 'created' if outcome == 'created' else 'updated')] += 1


def _held_message(change: InboundChange, held: _Held) -> str:
    entity_type = _local(change.entity).name
    return f'{_label(entity_type)} QuickBooks #{change.object.id} not applied: it {held.reason}.'


def _label(entity_type: str) -> str:
    return entity(entity_type).singular


def _name(record: object, values: LocalValues | None = None) -> str:
    for key in ('display_name', 'name', 'doc_number'):
        value = (values.fields.get(key) if values else None) or getattr(record, key, None)
        if value:
            return str(value)
    return f'#{getattr(record, "id", "?")}'


def _describe(entity_type: str, before: LocalValues, after: LocalValues) -> tuple[str, str]:
    if after.fields.get('voided') and not before.fields.get('voided'):
        return 'inbound_void', 'was voided'
    if after.fields.get('active') is False and before.fields.get('active') is not False:
        return 'inbound_deactivate', 'was made inactive'
    return 'inbound_update', 'was updated'
