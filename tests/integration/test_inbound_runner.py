"""Inbound through the runner, with the real outbound engine: one run at a time, outbound then inbound, the app's
own writes coming back change nothing, "ask me" when QuickBooks refuses an update as stale (5010)."""
from __future__ import annotations

from sqlmodel import select

from connection_env import connection_env  # noqa: F401 (fixture)
from engine_env import EngineEnv, engine_env, sandbox_limiter  # noqa: F401 (fixture)
from qbsync.models import Customer, HeldChange, Invoice, LinkStatus, RunStatus, SyncLogEntry, SyncRun
from qbsync.services.sync_settings import SyncSettingsService
from qbsync.sync.inbound_sync import InboundPass, InboundSync

KINDS = {'acme': 'customer', 'bolt': 'customer', 'consult': 'item', 'pipe': 'item', 'invoice': 'invoice',
         'memo': 'credit_memo', 'payment': 'payment', 'expense': 'expense'}


def _inbound(engine_env: EngineEnv) -> InboundPass:
    env = engine_env.env

    async def realm() -> str:
        return engine_env.realm_id
    inbound = InboundPass(InboundSync(env.db, realm=realm, api=env.service.api,
                                      preferences=SyncSettingsService(env.db).load, now=env.clock.now,
                                      limiter=sandbox_limiter(env.clock)))
    engine_env.runner.register_pass('inbound', inbound)
    return inbound


async def _books(engine_env: EngineEnv) -> dict:
    """The engine tests' books, their invoice numbered clear of the seeded company's own invoices."""
    books = await engine_env.books()
    books['invoice'] = await engine_env.edit(Invoice, books['invoice'].id, doc_number='INB-1070')
    return books


async def _entries(engine_env: EngineEnv, **where: str) -> list[SyncLogEntry]:
    async with engine_env.db.session() as session:
        statement = select(SyncLogEntry).where(*(getattr(SyncLogEntry, k) == v for k, v in where.items()))
        return list((await session.exec(statement.order_by(SyncLogEntry.id))).all())


async def test_both_sends_then_reads_and_the_echo_of_every_write_changes_nothing(engine_env: EngineEnv) -> None:
    inbound = _inbound(engine_env)
    books = await _books(engine_env)
    await engine_env.settings(inbound_enabled=True)
    summary = await engine_env.runner.run(trigger='scheduled', direction='both')
    assert summary.status == RunStatus.SUCCEEDED, summary.message
    assert inbound.last_sweep is not None and inbound.last_sweep.mode == 'query'  # first sweep: everything
    result = inbound.last_sweep.result
    assert result.unchanged == len(books) and not result.failed  # every record the run just sent: untouched
    ours = {(kind, books[name].id) for name, kind in KINDS.items()}
    entries = await _entries(engine_env, direction='inbound')  # only the company's own seeded names arrive
    assert entries and all(e.action == 'inbound_create' and (e.entity_type, e.local_id) not in ours for e in entries)
    assert result.applied == len(entries)
    for name, kind in KINDS.items():
        link = await engine_env.link(kind, books[name].id)
        assert link.status == LinkStatus.SYNCED and link.synced_version == books[name].version, name
    engine_env.env.clock.advance(minutes=5)
    again = await engine_env.runner.run(trigger='scheduled', direction='both')
    assert inbound.last_sweep.mode == 'cdc' and inbound.last_sweep.result.applied == 0, again.message
    assert again.totals.synced == 0 and again.totals.failed == 0


async def test_sync_from_quickbooks_counts_in_the_run(engine_env: EngineEnv) -> None:
    _inbound(engine_env)
    await engine_env.settings(inbound_enabled=True)
    engine_env.company().create('Customer', {'DisplayName': 'Made In QuickBooks'})
    summary = await engine_env.runner.run(trigger='manual', direction='inbound')
    assert summary.status == RunStatus.SUCCEEDED and summary.entities['customer'].created >= 1
    async with engine_env.db.session() as session:
        run = await session.get(SyncRun, summary.run_id)
        assert run.direction == 'inbound' and run.created == summary.totals.created
        assert (await session.exec(select(Customer).where(Customer.display_name == 'Made In QuickBooks'))).first()


async def test_asked_for_with_inbound_off_says_so(engine_env: EngineEnv) -> None:
    _inbound(engine_env)
    summary = await engine_env.runner.run(trigger='manual', direction='inbound')
    assert summary.status == RunStatus.SUCCEEDED and summary.totals.done == 0
    (entry,) = await _entries(engine_env, action='inbound_off')
    assert 'Inbound sync is off' in entry.message


async def test_ask_me_holds_a_record_quickbooks_refused_as_stale(engine_env: EngineEnv) -> None:
    _inbound(engine_env)
    books = await _books(engine_env)
    await engine_env.settings(inbound_enabled=True, conflict_policy='ask_me')
    await engine_env.runner.run(trigger='manual', direction='both')
    link = await engine_env.link('customer', books['acme'].id)
    remote = engine_env.company().read('Customer', link.qbo_id)
    engine_env.company().update('Customer', {'Id': remote['Id'], 'SyncToken': remote['SyncToken'], 'sparse': True,
                                             'Notes': 'changed in QuickBooks'})
    await engine_env.edit(Customer, books['acme'].id, notes='changed in the app')
    summary = await engine_env.runner.run(trigger='manual', direction='both')
    assert summary.totals.failed == 0
    link = await engine_env.link('customer', books['acme'].id)
    assert link.status == LinkStatus.HELD
    assert engine_env.company().read('Customer', link.qbo_id)['Notes'] == 'changed in QuickBooks'  # not overwritten
    async with engine_env.db.session() as session:
        held = (await session.exec(select(HeldChange))).all()
        local = await session.get(Customer, books['acme'].id)
    assert len(held) == 1 and local.notes == 'changed in the app'  # one hold, neither side moved
    preview = await engine_env.runner.preview()
    assert any('choose the version to keep' in e.reason for p in preview.entities for e in p.skipped)
