"""The outbound engine on PostgreSQL (the PostgreSQL pass): the same books, run twice, against the sandbox, with the
app's database on the session's PostgreSQL server. The run lease, conditional writes and dashboard queries have
their own PostgreSQL cases (tests/unit/test_sync_runner.py, tests/security/test_lost_updates.py, test_stats.py)."""
from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from connection_env import ConnectionEnv, connection_env  # noqa: F401 (fixture)
from engine_env import EngineEnv, make_runner, map_accounts
from qbsync.db import Database
from qbsync.models import EntityLink, Invoice, LinkStatus, RunStatus
from qbsync.services.connection import ConnectionService
from qbsync.sync.stats import dashboard_stats

pytestmark = pytest.mark.postgresql


@pytest.fixture
async def pg_engine_env(connection_env: ConnectionEnv, postgres_server) -> AsyncIterator[EngineEnv]:  # noqa: F811
    db = Database(postgres_server.migrated_database())
    service = ConnectionService(connection_env.settings, db, connection_env.cipher, transport=connection_env.transport,
                                now=connection_env.clock.now)
    env = dataclasses.replace(connection_env, db=db, service=service, users={})
    await env.add_user('owner@example.com')
    company = env.sandbox.companies.create_company('Engine on PostgreSQL Co')
    assert (await env.connect(realm_id=company.realm_id)).ok
    await map_accounts(db, company.realm_id)
    engine = EngineEnv(env, company.realm_id, make_runner(env))
    engine.custom_numbers(True)
    yield engine
    await service.aclose()
    await db.dispose()


async def test_outbound_runs_on_postgresql(pg_engine_env: EngineEnv) -> None:
    engine = pg_engine_env
    assert engine.db.engine.dialect.name == 'postgresql'
    books = await engine.books()
    # the US seed company already holds an invoice 1070 (the same books fail on SQLite too since the seed grew one)
    await engine.edit(Invoice, books['invoice'].id, doc_number='PG-1070')
    summary = await engine.runner.run(trigger='manual')
    async with engine.db.session() as session:
        rows = (await session.exec(select(EntityLink))).all()
    failures = [(row.entity_type, row.last_error) for row in rows if row.status != LinkStatus.SYNCED]
    assert summary.status == RunStatus.SUCCEEDED and summary.message == '8 synced, 0 failed, 0 skipped', failures
    assert len(engine.remote_by('Invoice', 'DocNumber', 'PG-1070')) == 1
    link = await engine.link('invoice', books['invoice'].id)
    assert link is not None and link.status == LinkStatus.SYNCED and link.synced_version == 2
    invoices = len(engine.remote('Invoice'))
    again = await engine.runner.run(trigger='manual')
    assert again.total == 0 and len(engine.remote('Invoice')) == invoices
    async with engine.db.session() as session:
        stats = await dashboard_stats(session)
        links = (await session.exec(select(EntityLink))).all()
    assert stats.realm_id == engine.realm_id and stats.totals.synced == 8 == len(links)
