"""The outbound pass: send what the plan says, tier by tier, in batches of 30 through the outbox.

Order of work in a run: first any batch a previous run left unanswered (same requestid, so Intuit replays its
answers), then the reference lists the planned records need (payment methods, vendors), then each tier. Within an
entity, records without a link are first matched to what QuickBooks already has (``duplicates``), then mapped,
written to the outbox, sent with bounded concurrency under the rate limiter, and their answers applied per
batch. Failures stay per record: a record QuickBooks refuses is marked failed with an explanation, records that
need it are skipped as "blocked by", and the run goes on. 5010 conflicts go to the conflict policy.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlmodel import col, select

from ..mapping import MODULES, Blocked, LocalRecord, MappingError, Refs
from ..mapping.expense import VENDOR_LIST
from ..mapping.payment import METHOD_LIST
from ..mapping.rules import LINE_ENTITIES
from ..mapping.tracking import clear_untracked
from ..models import LinkStatus, OutboxBatch, SyncLogEntry
from ..quickbooks.client import MAX_BATCH_ITEMS, BatchAnswer
from ..quickbooks.errors import QuickBooksError
from ..quickbooks.explain import is_transient
from ..quickbooks.limits import RateLimiter
from ..quickbooks.retry import RetryPolicy, with_retries
from . import bulk
from .answers import LinkWrites, apply_answers
from .conflicts import resolve_conflicts
from .context import RunContext
from .duplicates import match_existing
from .entities import NAME_LIST, entity, tiers
from .field_context import RunFieldMapping
from .outbox import Operation, Outbox, PendingItem
from .plan import Action, EntityPlan, PlanEntry, build_plan
from .references import ensure_list_entries, load_refs

__all__ = ['OutboundPass']

log = logging.getLogger(__name__)
T = TypeVar('T')


class OutboundPass:
    def __init__(self, *, limiter: RateLimiter | None = None, policy: RetryPolicy | None = None,
                 concurrency: int = 3, batch_size: int = MAX_BATCH_ITEMS) -> None:
        """:param limiter: shared by every run of the process (Intuit's limits are per company and app)"""
        self.limiter = limiter or RateLimiter()
        self.policy = policy or RetryPolicy()
        self.concurrency = concurrency
        self.batch_size = min(batch_size, MAX_BATCH_ITEMS)

    async def execute(self, ctx: RunContext) -> None:
        async with bulk.Writer(ctx.db) as writer:  # the run's batches write through one kept connection
            await _OutboundRun(ctx, self, writer).go()

    async def call(self, fn: Callable[[], Awaitable[T]], *, batch: bool = False) -> T:
        """A QuickBooks call under this pass's limiter and retries (runs, and reads such as the preview's)."""
        return await with_retries(fn, limiter=self.limiter, policy=self.policy, batch=batch)


class _OutboundRun:
    def __init__(self, ctx: RunContext, config: OutboundPass, writer: bulk.Writer | None = None) -> None:
        self.ctx, self.config = ctx, config
        self.writer = writer
        self.outbox = Outbox(ctx.db, ctx.realm_id, writer)
        self.refs = Refs()
        self.titles: dict[tuple[str, int], str] = {}
        self.linked: set[tuple[str, int]] = set()
        self.unlinked: set[tuple[str, int]] = set()  # being created and without a link row: no need to look for one
        self.refused: dict[str, dict[str, str]] = {}  # list kind -> name -> why QuickBooks would not add it
        self.fields = RunFieldMapping.none()  # the Field Mapping tab's rules (classes, locations, custom fields)

    async def call(self, fn: Callable[[], Awaitable[T]], *, batch: bool = False) -> T:
        return await self.config.call(fn, batch=batch)

    async def go(self) -> None:
        ctx = self.ctx
        await self.recover()
        async with ctx.db.session() as session:
            plan = await build_plan(session, ctx.realm_id, settings=ctx.settings, entities=ctx.entities,
                                    only=ctx.only)
        ctx.add_total(plan.to_send + plan.skipped)
        for part in plan.entities:
            await self.report_skips(part)
        if not plan.to_send:
            await ctx.progress('')
            return
        self.refs = await load_refs(ctx, self.call)
        self.fields = await RunFieldMapping.load(ctx.db, ctx.client, ctx.realm_id, self.call, sales=any(
            part.send for part in plan.entities if part.entity_type in LINE_ENTITIES))
        await self.ensure_lists(plan.entities)
        for level in tiers():
            for spec in level:
                part = next((p for p in plan.entities if p.spec is spec), None)
                if part is not None and part.send:
                    await self.send_entity(part)
                    ctx.check_cancelled()

    # -- a previous run's unanswered batches ------------------------------------------------------------------
    async def recover(self) -> None:
        open_batches = await self.outbox.open_batches()
        await self.expect_recovered([item for _, items in open_batches for item in items])
        for batch, items in open_batches:
            log.info('re-sending outbox batch %s (requestid %s) left by run %s', batch.id, batch.request_id,
                     batch.run_id)
            await self.outbox.resent(batch)
            await self.send_recorded(batch, items)

    async def expect_recovered(self, items: list[PendingItem]) -> None:
        """The app's own totals for the sales forms of recovered batches, so that their replayed answers are checked
        like any other (a record changed since is left to its next send, under its new version)."""
        sales = [item for item in items if item.entity_type in LINE_ENTITIES and item.operation != Operation.VOID]
        if not sales:
            return
        self.fields = await RunFieldMapping.load(self.ctx.db, self.ctx.client, self.ctx.realm_id, self.call)
        for entity_type in {item.entity_type for item in sales}:
            wanted = {item.local_id: item.version for item in sales if item.entity_type == entity_type}
            records = [local for local in (await _load(self.ctx, entity_type, list(wanted))).values()
                       if local.record.version == wanted[local.record.id]]  # type: ignore[attr-defined]
            await self.fields.prepare(self.ctx.db, entity_type, records, create=False)
            for local in records:
                try:
                    self.fields.expect(entity_type, local)
                except MappingError:
                    continue  # it cannot be mapped now: there is nothing to check its answer against

    # -- skipped records: one log line per entity and reason, not one per record per run ----------------------
    async def report_skips(self, part: EntityPlan) -> None:
        if not part.skipped:
            return
        self.ctx.count(part.entity_type, 'skipped', len(part.skipped))
        by_reason: dict[str, list[PlanEntry]] = defaultdict(list)
        for entry in part.skipped:
            by_reason[entry.reason if not entry.blocked_by else f'Blocked by {entry.blocked_by}.'].append(entry)
        for reason, entries in by_reason.items():
            names = ', '.join(e.title for e in entries[:5]) + (f' and {len(entries) - 5} more' if len(entries) > 5
                                                                else '')
            await self.ctx.log(entity_type=part.entity_type, action='skip', status='skipped', level='warning',
                               message=f'{len(entries)} skipped ({names}): {reason}'[:2000],
                               local_id=entries[0].local_id if len(entries) == 1 else None)

    async def ensure_lists(self, parts: list[EntityPlan]) -> None:
        methods: set[str] = set()
        payees: set[str] = set()
        async with self.ctx.db.session() as session:
            for part in parts:
                ids = [e.local_id for e in part.send if e.action != Action.VOID]
                if part.entity_type == 'payment' and ids:
                    methods |= set(await _column(session, part.spec.model, 'method', ids))
                if part.entity_type == 'expense' and ids:
                    payees |= set(await _column(session, part.spec.model, 'payee', ids))
        self.refused[METHOD_LIST] = await ensure_list_entries(self.ctx, self.refs, self.call, METHOD_LIST, methods)
        self.refused[VENDOR_LIST] = await ensure_list_entries(self.ctx, self.refs, self.call, VENDOR_LIST, payees)

    # -- one entity ---------------------------------------------------------------------------------------------
    async def send_entity(self, part: EntityPlan) -> None:
        entries = list(part.send)
        for entry in entries:
            self.titles[(entry.entity_type, entry.local_id)] = entry.title
        if part.spec.kind == NAME_LIST:
            entries = await match_existing(self, part.spec, entries)
        chunks = [entries[i:i + self.config.batch_size] for i in range(0, len(entries), self.config.batch_size)]
        slabs = _Slabs(self, part.spec.name, chunks)
        gate = asyncio.Semaphore(self.config.concurrency)

        async def one(index: int, chunk: list[PlanEntry]) -> None:
            async with gate:
                if not self.ctx.cancelled():
                    await self.send_chunk(part.spec.name, chunk, await slabs.records(index))
        await asyncio.gather(*(one(index, chunk) for index, chunk in enumerate(chunks)))

    async def send_chunk(self, entity_type: str, entries: list[PlanEntry], records: dict[int, LocalRecord]) -> None:
        items = await self.build_items(entity_type, entries, records)
        if items:
            async with self.ctx.write_lock:
                batch = await self.outbox.record(self.ctx.run_id, items)
            await self.send_recorded(batch, items)
        await self.ctx.progress(entity_type)

    async def load_records(self, entity_type: str, entries: list[PlanEntry]) -> dict[int, LocalRecord]:
        """The records of ``entries`` with their lines, and the field mapping's facts about them."""
        records = await _load(self.ctx, entity_type, [e.local_id for e in entries])
        await self.fields.prepare(self.ctx.db, entity_type, list(records.values()))
        return records

    async def build_items(self, entity_type: str, entries: list[PlanEntry],
                          records: dict[int, LocalRecord]) -> list[PendingItem]:
        spec = entity(entity_type)
        items: list[PendingItem] = []
        failures: list[tuple[PlanEntry, MappingError]] = []
        for entry in entries:
            local = records.get(entry.local_id)
            if local is None:  # deleted since the plan was made
                continue
            try:
                body = self.item_body(spec.name, spec.qbo_name, entry, local)
            except MappingError as problem:
                failures.append((entry, problem))
                continue
            items.append(PendingItem(str(len(items)), entity_type, entry.local_id, local.record.version,  # type: ignore
                                     _operation(entry), body))
            if entry.action == Action.CREATE and not entry.has_link:
                self.unlinked.add((entity_type, entry.local_id))
        if failures:
            await self.record_failures(entity_type, failures)
        return items

    def item_body(self, entity_type: str, qbo_name: str, entry: PlanEntry, local: LocalRecord) -> dict[str, Any]:
        if entry.action == Action.VOID:
            ident = {'Id': entry.qbo_id, 'SyncToken': entry.sync_token or '0'}
            if entity_type == 'payment':  # Intuit voids payments through an update (qbo-api.md 3.5)
                return {'operation': 'update', 'optionsData': 'void', qbo_name: {**ident, 'sparse': True}}
            return {'operation': 'void', qbo_name: ident}
        self.check_refused(entity_type, local)
        payload = self.fields.apply(entity_type, local, MODULES[entity_type].to_qbo(local, self.refs))
        if entry.action == Action.CREATE:
            return {'operation': 'create', qbo_name: payload}
        if self.fields.active:
            clear_untracked(entity_type, payload, self.fields.context.rules)
        return {'operation': 'update', qbo_name: {**payload, 'Id': entry.qbo_id, 'SyncToken': entry.sync_token or '0',
                                                 'sparse': True}}

    def check_refused(self, entity_type: str, local: LocalRecord) -> None:
        column, kind = _LIST_COLUMNS.get(entity_type, ('', ''))
        refused = self.refused.get(kind) if kind else None
        if not refused:  # nothing refused (the usual case): no need to read the record
            return
        why = refused.get((getattr(local.record, column, '') or '').strip())
        if why:
            raise MappingError(why, 'Rename it here or in QuickBooks, then sync again.')

    async def record_failures(self, entity_type: str, failures: list[tuple[PlanEntry, MappingError]]) -> None:
        """Records that cannot even be expressed (unmapped account, blocked): failed or skipped, with the why."""
        ctx = self.ctx
        links = LinkWrites(ctx.realm_id)
        entries = []
        for entry, problem in failures:
            key = (entity_type, entry.local_id)
            blocked = isinstance(problem, Blocked)
            if not blocked:  # a blocked record keeps its state: it goes by itself once its blocker does
                links.set(key, status=LinkStatus.FAILED, last_error=f'{problem} {problem.suggestion}'.strip()[:2000])
                self.refs.blocked[key] = entry.title
            ctx.count(entity_type, 'skipped' if blocked else 'failed')
            entries.append(ctx.entry_values(
                entity_type=entity_type, local_id=entry.local_id, action='skip' if blocked else _operation(entry),
                status='skipped' if blocked else LinkStatus.FAILED, level='warning' if blocked else 'error',
                message=str(problem), suggestion=problem.suggestion))
        async with ctx.write_lock, ctx.db.session() as session:
            await links.write(session)
            await (await session.connection()).execute(insert(SyncLogEntry), entries)
            await session.commit()

    # -- the wire -----------------------------------------------------------------------------------------------
    async def send_recorded(self, batch: OutboxBatch, items: list[PendingItem], *, rounds: int = 2) -> None:
        encoded = [item.wire_json for item in items]
        client = self.ctx.client
        whole: QuickBooksError | None = None
        answers: dict[str, BatchAnswer] | None = None
        try:
            answers = await self.call(lambda: client.batch_encoded(encoded, request_id=batch.request_id), batch=True)
        except QuickBooksError as error:
            if is_transient(error):
                raise  # retries are spent: stop the run; the batch stays open for the next run
            whole = error
        outcome = await apply_answers(self.ctx, batch, items, answers, whole_error=whole, linked=self.linked,
                                      check=self.fields.check, unlinked=self.unlinked, writer=self.writer)
        for item, _obj in outcome.succeeded:
            key = (item.entity_type, item.local_id)
            self.refs.link(item.entity_type, item.local_id, str(_obj.get('Id')))
            self.ctx.count(item.entity_type, 'linked' if key in self.linked else
                           'created' if item.operation == Operation.CREATE else 'updated')
        for item, _why in outcome.failed:
            self.refs.blocked[(item.entity_type, item.local_id)] = self.titles.get(
                (item.entity_type, item.local_id), entity(item.entity_type).singular)
            self.ctx.count(item.entity_type, 'failed')
        again = outcome.transient
        if outcome.conflicts:
            again = again + await resolve_conflicts(self, outcome.conflicts)
        if again and rounds > 0:
            async with self.ctx.write_lock:
                retry = await self.outbox.record(self.ctx.run_id, again)
            await self.send_recorded(retry, again, rounds=rounds - 1)
        elif again:
            await apply_answers(self.ctx, batch, again, {}, whole_error=QuickBooksError(
                'QuickBooks kept refusing this record for a passing reason; it will be tried in the next run.'))
            for item in again:
                self.ctx.count(item.entity_type, 'failed')


_LIST_COLUMNS = {'payment': ('method', METHOD_LIST), 'expense': ('payee', VENDOR_LIST)}  # record column, list


class _Slabs:
    """The records of an entity's chunks, read a slab of chunks at a time: one query (with the lines) for
    ``SLAB_CHUNKS`` batches instead of one per batch, while memory stays bounded by the slab, not the history.
    Chunks run concurrently, so the first chunk of a slab to ask reads it and the others wait for that read."""

    def __init__(self, run: _OutboundRun, entity_type: str, chunks: list[list[PlanEntry]]) -> None:
        self.run, self.entity_type, self.chunks = run, entity_type, chunks
        self.reads: dict[int, asyncio.Future[dict[int, LocalRecord]]] = {}
        self.waiting = {slab: len(chunks[slab * SLAB_CHUNKS:(slab + 1) * SLAB_CHUNKS])
                        for slab in range((len(chunks) + SLAB_CHUNKS - 1) // SLAB_CHUNKS)}

    async def records(self, index: int) -> dict[int, LocalRecord]:
        slab = index // SLAB_CHUNKS
        read = self.reads.get(slab)
        if read is None:
            entries = [e for chunk in self.chunks[slab * SLAB_CHUNKS:(slab + 1) * SLAB_CHUNKS] for e in chunk]
            read = self.reads[slab] = asyncio.ensure_future(self.run.load_records(self.entity_type, entries))
        try:
            return await read
        finally:
            self.waiting[slab] -= 1
            if not self.waiting[slab]:
                del self.reads[slab]  # every chunk of the slab has its records: let them go


SLAB_CHUNKS = 20  # batches whose records are read together (600 records at 30 a batch)


def _operation(entry: PlanEntry) -> str:
    return {Action.CREATE: Operation.CREATE, Action.VOID: Operation.VOID}.get(entry.action, Operation.UPDATE)


async def _column(session: Any, model: Any, name: str, ids: list[int]) -> list[str]:
    values: list[str] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        values += (await session.exec(select(getattr(model, name)).where(col(model.id).in_(chunk)))).all()
    return [v for v in values if v]


async def _load(ctx: RunContext, entity_type: str, ids: list[int]) -> dict[int, LocalRecord]:
    """The records of one chunk with their lines, in two queries, as plain rows (the mapping reads attributes)."""
    spec = entity(entity_type)
    table = spec.model.__table__  # type: ignore[attr-defined]
    async with ctx.db.session() as session:
        rows = (await session.exec(select(*table.c).where(table.c.id.in_(ids)))).all()  # type: ignore
        found = {row.id: LocalRecord(row) for row in rows}
        if spec.line_model is not None:
            lines = spec.line_model.__table__  # type: ignore[attr-defined]
            owner = lines.c[spec.line_owner]
            for line in (await session.exec(select(*lines.c).where(owner.in_(ids)))).all():  # type: ignore
                found[getattr(line, spec.line_owner)].lines.append(line)
    return found
