"""Automatic sync end to end on the real runner and scheduler: direction from settings, skipped (and logged) while
another run holds the lease, the debounced push after a record is saved, and the settings a restart applies."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from center_db import database, manager  # noqa: F401 (fixtures)
from qbsync.models import SyncLogEntry
from qbsync.services.auto_sync import AutoSync
from qbsync.services.record_inputs import CustomerInput
from qbsync.services.records import RecordService
from qbsync.services.sync_settings import SyncPreferences, SyncSettingsService
from qbsync.sync.context import RunContext
from qbsync.sync.scheduler import PUSH_JOB, SyncScheduler
from sync_fakes import ActiveConnection, offline_runner

REALM = '9130350000000001'
ON = SyncPreferences(auto_sync_enabled=True, interval_minutes=15)


class Pass:
    """Records each context; ``hold`` keeps the run (and its lease) going until released."""

    def __init__(self) -> None:
        self.contexts: list[RunContext] = []
        self.started = asyncio.Event()
        self.hold = asyncio.Event()
        self.hold.set()

    async def execute(self, ctx: RunContext) -> None:
        self.contexts.append(ctx)
        self.started.set()
        await self.hold.wait()


@pytest.fixture
async def world(database):  # type: ignore[no-untyped-def]  # noqa: F811
    scheduler = SyncScheduler(push_delay=timedelta(milliseconds=20))
    scheduler.start()
    settings = SyncSettingsService(database, scheduler=scheduler)
    async with offline_runner(database, REALM) as runner:
        outbound = Pass()
        runner.register_pass('outbound', outbound)
        auto = AutoSync(database, settings, runner, scheduler, ActiveConnection(REALM))  # type: ignore[arg-type]
        scheduler.bind_auto_sync(auto.run)
        yield auto, settings, runner, scheduler, outbound
        await scheduler.aclose()


async def test_off_runs_nothing_on_runs_outbound_then_inbound(world, manager) -> None:  # noqa: F811
    auto, settings, runner, _, outbound = world
    assert await auto.run('scheduled') is None and outbound.contexts == []
    await settings.save(ON, acting=manager)
    summary = await auto.run('scheduled')
    assert (summary.trigger, summary.direction) == ('scheduled', 'outbound')
    await settings.save(replace(ON, inbound_enabled=True), acting=manager)
    assert (await auto.run('scheduled')).direction == 'outbound'  # inbound is on, but not installed
    inbound = Pass()
    runner.register_pass('inbound', inbound)
    summary = await auto.run('scheduled')
    assert summary.direction == 'both'
    assert [c.direction for c in (inbound.contexts[-1], outbound.contexts[-1])] == ['inbound', 'outbound']


async def test_skipped_and_logged_while_another_run_is_going(world, manager, database) -> None:  # noqa: F811
    auto, settings, runner, scheduler, outbound = world
    await settings.save(ON, acting=manager)
    outbound.hold.clear()
    manual = asyncio.create_task(runner.run(trigger='manual'))  # from the dashboard, say
    await asyncio.wait_for(outbound.started.wait(), 5)
    assert await auto.run('scheduled') is None
    assert await auto.run('push') is None
    assert scheduler.next_run_at(PUSH_JOB) is not None  # the skipped push asked for another
    scheduler.remove_job(PUSH_JOB)
    outbound.hold.set()
    await manual
    assert [c.trigger for c in outbound.contexts] == ['manual']  # nothing overlapped it
    async with database.session() as session:
        notes = (await session.exec(select(SyncLogEntry).where(SyncLogEntry.action == 'skip'))).all()
    assert len(notes) == 2 and all(n.message.startswith('Automatic sync skipped: a run is going.') for n in notes)
    assert notes[0].realm_id == REALM and notes[0].level == 'warning'


async def test_a_saved_record_is_pushed_soon(world, manager, database) -> None:  # noqa: F811
    auto, settings, _, scheduler, outbound = world
    records = RecordService(database, on_saved=auto.record_saved)
    await records.create(CustomerInput(display_name='Saved While Off'))
    assert scheduler.next_run_at(PUSH_JOB) is None  # automatic sync off: nothing is pushed
    await settings.save(ON, acting=manager)
    await records.create(CustomerInput(display_name='Pushed Soon'))
    await asyncio.wait_for(outbound.started.wait(), 5)
    assert [c.trigger for c in outbound.contexts] == ['push']
