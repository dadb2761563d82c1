"""Automatic sync on the real AsyncIOScheduler: on, off, interval change, the debounced push, shutdown."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from qbsync.sync.scheduler import AUTO_SYNC_JOB, PUSH_JOB, SyncScheduler


class Recorder:
    """The bound auto-sync job: records each trigger and lets the test wait for it."""

    def __init__(self) -> None:
        self.triggers: list[str] = []
        self.ran = asyncio.Event()
        self.release = asyncio.Event()
        self.release.set()
        self.cancelled = False

    async def __call__(self, trigger: str) -> None:
        self.triggers.append(trigger)
        self.ran.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise


@pytest.fixture
async def scheduler():  # type: ignore[no-untyped-def]
    made: list[SyncScheduler] = []

    def make(push_delay: timedelta = timedelta(seconds=30)) -> tuple[SyncScheduler, Recorder]:
        recorder = Recorder()
        scheduler = SyncScheduler(push_delay=push_delay)
        scheduler.bind_auto_sync(recorder)
        scheduler.start()
        made.append(scheduler)
        return scheduler, recorder
    yield make
    for scheduler in made:
        scheduler.shutdown()
    await asyncio.sleep(0)


def _soon(moment: datetime | None, delta: timedelta) -> bool:
    expected = datetime.now(timezone.utc) + delta
    return moment is not None and abs((moment - expected).total_seconds()) < 5


async def test_on_off_and_interval_change(scheduler) -> None:  # type: ignore[no-untyped-def]
    sched, _ = scheduler()
    assert sched.next_run_at() is None and not sched.auto_sync_enabled
    sched.configure_auto_sync(enabled=True, interval_minutes=15)
    first = sched.next_run_at()
    assert _soon(first, timedelta(minutes=15))
    assert {job.id: job.interval_seconds for job in sched.scheduled_jobs()} == {AUTO_SYNC_JOB: 900}
    sched.configure_auto_sync(enabled=True, interval_minutes=15)  # another setting saved: the next run stays
    assert sched.next_run_at() == first
    sched.configure_auto_sync(enabled=True, interval_minutes=60)
    assert _soon(sched.next_run_at(), timedelta(minutes=60))
    sched.configure_auto_sync(enabled=False, interval_minutes=60)
    assert sched.next_run_at() is None and sched.jobs() == [] and not sched.auto_sync_enabled


async def test_a_switch_on_before_the_job_is_bound_waits_for_it() -> None:
    sched = SyncScheduler()
    sched.start()
    try:
        sched.configure_auto_sync(enabled=True, interval_minutes=30)  # settings applied before the engine is ready
        assert sched.next_run_at() is None and sched.request_push() is None
        sched.bind_auto_sync(Recorder())
        assert _soon(sched.next_run_at(), timedelta(minutes=30))
    finally:
        sched.shutdown()
        await asyncio.sleep(0)


async def test_push_is_debounced_and_only_while_on(scheduler) -> None:  # type: ignore[no-untyped-def]
    sched, _ = scheduler()
    assert sched.request_push() is None  # automatic sync is off: saving a record schedules nothing
    sched.configure_auto_sync(enabled=True, interval_minutes=15)
    when = sched.request_push()
    assert _soon(when, timedelta(seconds=30))
    assert sched.request_push() == when  # a burst of saves: still one push, never later than the first asked
    assert {job.id for job in sched.scheduled_jobs()} == {AUTO_SYNC_JOB, PUSH_JOB}
    sched.configure_auto_sync(enabled=False, interval_minutes=15)
    assert sched.next_run_at(PUSH_JOB) is None


async def test_no_push_when_the_interval_run_comes_first(scheduler) -> None:  # type: ignore[no-untyped-def]
    sched, _ = scheduler(push_delay=timedelta(minutes=10))
    sched.configure_auto_sync(enabled=True, interval_minutes=5)
    assert sched.request_push() == sched.next_run_at()
    assert sched.next_run_at(PUSH_JOB) is None


async def test_the_push_runs_the_job_and_can_be_asked_again(scheduler) -> None:  # type: ignore[no-untyped-def]
    sched, recorder = scheduler(push_delay=timedelta(milliseconds=20))
    sched.configure_auto_sync(enabled=True, interval_minutes=15)
    sched.request_push()
    await asyncio.wait_for(recorder.ran.wait(), 5)
    assert recorder.triggers == ['push']
    assert sched.next_run_at(PUSH_JOB) is None  # a one-off: gone once started, so the next save asks anew
    recorder.ran.clear()
    sched.request_push()
    await asyncio.wait_for(recorder.ran.wait(), 5)
    assert recorder.triggers == ['push', 'push']


async def test_the_interval_job_runs_with_the_scheduled_trigger(scheduler) -> None:  # type: ignore[no-untyped-def]
    sched, recorder = scheduler()
    sched.configure_auto_sync(enabled=True, interval_minutes=15)
    sched.run_now(AUTO_SYNC_JOB)
    await asyncio.wait_for(recorder.ran.wait(), 5)
    assert recorder.triggers == ['scheduled']
    assert _soon(sched.next_run_at(), timedelta(minutes=15))


async def test_a_job_never_overlaps_itself_and_shutdown_cancels_it(scheduler) -> None:  # type: ignore[no-untyped-def]
    sched, recorder = scheduler()
    recorder.release.clear()  # the run hangs until released
    sched.configure_auto_sync(enabled=True, interval_minutes=15)
    sched.run_now(AUTO_SYNC_JOB)
    await asyncio.wait_for(recorder.ran.wait(), 5)
    sched.run_now(AUTO_SYNC_JOB)  # due again while the first is still going: max_instances=1 skips it
    for _ in range(5):
        await asyncio.sleep(0)
    assert recorder.triggers == ['scheduled']
    sched.shutdown()
    for _ in range(5):
        await asyncio.sleep(0)
    assert recorder.cancelled and not sched.running


async def test_aclose_lets_a_job_in_flight_finish_and_cancels_one_that_does_not(scheduler) -> None:  # type: ignore[no-untyped-def]
    sched, recorder = scheduler()
    recorder.release.clear()
    sched.configure_auto_sync(enabled=True, interval_minutes=15)
    sched.run_now(AUTO_SYNC_JOB)
    await asyncio.wait_for(recorder.ran.wait(), 5)
    asyncio.get_running_loop().call_later(0.01, recorder.release.set)  # finishes soon after the stop begins
    await sched.aclose(timeout=5)
    assert not recorder.cancelled and not sched.running

    late, stuck = scheduler()
    stuck.release.clear()
    late.configure_auto_sync(enabled=True, interval_minutes=15)
    late.run_now(AUTO_SYNC_JOB)
    await asyncio.wait_for(stuck.ran.wait(), 5)
    await late.aclose(timeout=0.01)
    assert stuck.cancelled and not late.running
