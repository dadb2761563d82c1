"""The keep-alive job: an idle install stays connected far beyond the 100-day refresh-token window."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from qbsync.quickbooks.errors import ReconnectRequired
from qbsync.services.connection_views import ConnectResult
from qbsync.sync.scheduler import KEEPALIVE_JOB, SyncScheduler

from connection_env import ConnectionEnv, connection_env  # noqa: F401 (fixture)


async def test_idle_refresh_keeps_a_connection_alive_across_150_days(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    assert await env.service.refresh_idle_connections() == 0  # just connected: nothing to do
    for _ in range(30):  # 30 x 5 days, no API use at all in between
        env.clock.advance(days=5)
        assert await env.service.refresh_idle_connections() == 1
    company = await (await env.service.api()).company_info()
    assert company.realm_id == env.realm_id
    view = await env.service.current()
    assert view.connected and view.refresh_token_expires_at > env.clock.now() + timedelta(days=90)


async def test_only_connections_idle_for_a_day_are_refreshed(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    env.clock.advance(hours=23)
    assert await env.service.refresh_idle_connections() == 0
    env.clock.advance(hours=2)
    assert await env.service.refresh_idle_connections() == 1
    assert env.transport.refresh_grants == 1


async def test_without_the_job_a_101_day_idle_connection_needs_reconnect(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    env.clock.advance(days=101)
    with pytest.raises(ReconnectRequired):
        await (await env.service.api()).company_info()
    assert (await env.service.current()).needs_reconnect
    assert await env.service.refresh_idle_connections() == 0  # the job leaves a dead connection alone


async def test_scheduler_runs_the_keepalive_job(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    env.clock.advance(days=2)
    ran = asyncio.Event()

    async def keepalive() -> None:
        await env.service.refresh_idle_connections()
        ran.set()

    scheduler = SyncScheduler()
    scheduler.add_interval_job(KEEPALIVE_JOB, keepalive, timedelta(hours=1), name='QuickBooks token keep-alive')
    scheduler.start()
    try:
        assert scheduler.running
        (job,) = scheduler.scheduled_jobs()
        assert (job.id, job.interval_seconds) == (KEEPALIVE_JOB, 3600)
        assert scheduler.jobs()[0]['next_run_at'] == job.next_run_at.isoformat()
        scheduler.run_now(KEEPALIVE_JOB)
        await asyncio.wait_for(ran.wait(), timeout=5)
    finally:
        scheduler.shutdown()
        await asyncio.sleep(0)
    assert env.transport.refresh_grants == 1
    with pytest.raises(ValueError):
        scheduler.add_interval_job('bad', keepalive, timedelta(0))
