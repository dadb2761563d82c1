"""Crash safety, proven: `qbsync sync` runs in a subprocess against the sandbox served over loopback HTTP and is
killed with SIGKILL at random points (by time, and right after the sandbox committed a write); after every kill
the next run takes over at once (the dead holder's lease), re-sends the unanswered outbox batch with its
requestid, and carries on. At the end every record is in QuickBooks exactly once and every link is synced."""
from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from cryptography.fernet import Fernet
from sqlmodel import func, select

from bench.books import BookSize, make_books, map_accounts
from qbsync.db import Database, upgrade_schema
from qbsync.models import EntityLink, LinkStatus, OutboxBatch, Role, SyncRun, User
from qbsync.sandbox import SandboxConfig, SandboxState, create_sandbox_app
from qbsync.security import TokenCipher
from qbsync.services.connection import ConnectionService
from qbsync.settings import load_settings
from qbsync.sync.stats import all_entity_counts, derived_entity_counts

SIZE = BookSize(customers=20, items=5, invoices=40, payments=20, expenses=10, credit_memos=5)
KILLS = 10
CLIENT_ID, SECRET = 'crash-test-app', 'crash-test-secret-0123456789'
REDIRECT = 'http://localhost:8080/api/quickbooks/callback'
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served_sandbox() -> Iterator[tuple[SandboxState, str]]:
    state = SandboxState(SandboxConfig(fault_injection=True))
    state.apps.register(CLIENT_ID, SECRET, name='crash tests', redirect_uris=[REDIRECT], throttling=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_sandbox_app(state), host='127.0.0.1', port=port,
                                           log_level='warning', lifespan='off'))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield state, f'http://127.0.0.1:{port}'
    server.should_exit = True
    thread.join(timeout=5)


async def _connect(env: dict[str, str], base: str, realm_id: str) -> None:
    settings = load_settings(env)
    upgrade_schema(settings.database_url)
    db = Database(settings.database_url)
    service = ConnectionService(settings, db, TokenCipher(settings.token_encryption_keys))
    try:
        async with db.session() as session:
            owner = User(email='owner@example.com', name='owner', password_hash='-', role=Role.OWNER)
            session.add(owner)
            await session.commit()
        url = await service.begin_connect('cli', owner.id)
        query = httpx.URL(url).params
        async with httpx.AsyncClient(base_url=base) as client:
            answer = await client.post('/_sandbox/consent', json={
                'client_id': query['client_id'], 'redirect_uri': query['redirect_uri'], 'scope': query['scope'],
                'state': query['state'], 'realm_id': realm_id, 'decision': 'allow'})
        back = httpx.URL(answer.json()['redirect_url']).params
        outcome = await service.complete_connect('cli', owner.id, state=back['state'], code=back['code'],
                                                 realm_id=back['realmId'])
        assert outcome.ok, outcome
        await map_accounts(db, realm_id)
        await make_books(db, SIZE)
    finally:
        await service.aclose()
        await db.dispose()


def _sync(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, '-m', 'qbsync.cli', 'sync'], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _writes(state: SandboxState, realm_id: str) -> int:
    company = state.companies.get(realm_id)
    return sum(len(company.objects.get(name, {})) for name in ('Customer', 'Item', 'Invoice', 'Payment',
                                                                 'Purchase', 'CreditMemo', 'Vendor'))


def _edit_invoices(database: Path, ids: list[int], round_: int) -> None:
    """Change some invoices the way the app does (new memo, next version), from outside the engine."""
    with sqlite3.connect(database) as connection:
        connection.executemany('UPDATE invoice SET memo = ?, version = version + 1 WHERE id = ?',
                               [(f'edited in round {round_}', invoice_id) for invoice_id in ids])


def _assert_no_duplicates(state: SandboxState, realm_id: str) -> None:
    company = state.companies.get(realm_id)
    names = Counter(o['DisplayName'] for o in company.objects.get('Customer', {}).values())
    numbers = Counter(o.get('DocNumber') for o in company.objects.get('Invoice', {}).values())
    memos = Counter(o.get('DocNumber') for o in company.objects.get('CreditMemo', {}).values())
    refs = Counter(o.get('PaymentRefNum') for o in company.objects.get('Payment', {}).values())
    vendors = Counter(o['DisplayName'] for o in company.objects.get('Vendor', {}).values())
    for counter in (names, numbers, memos, refs, vendors):
        assert not [key for key, n in counter.items() if n > 1 and key], counter


def test_sigkill_at_random_points_loses_nothing_and_duplicates_nothing(served_sandbox, tmp_path) -> None:
    state, base = served_sandbox
    calls = [0]

    async def counted_latency(seconds: float) -> None:  # the sandbox waits this before every API call
        calls[0] += 1
        await asyncio.sleep(seconds)
    state.faults.sleep = counted_latency
    state.faults.update(latency_ms=10)
    realm_id = state.companies.create_company('Crash Test Co', profile='new').realm_id
    for prefs in state.companies.get(realm_id).objects['Preferences'].values():
        prefs['SalesFormsPrefs']['CustomTxnNumbers'] = True  # the documents keep the app's numbers
    env = {**os.environ, 'QBSYNC_DATA_DIR': str(tmp_path / 'data'), 'QUICKBOOKS_CLIENT_ID': CLIENT_ID,
           'QUICKBOOKS_CLIENT_SECRET': SECRET, 'QUICKBOOKS_REDIRECT_URI': REDIRECT, 'QBSYNC_SANDBOX_URL': base,
           'QUICKBOOKS_TOKEN_ENCRYPTION_KEY': Fernet.generate_key().decode(), 'QBSYNC_LOG_LEVEL': 'WARNING'}
    asyncio.run(_connect(env, base, realm_id))
    before = _writes(state, realm_id)
    rng = random.Random(20261201)
    kills = point = 0
    database = Path(env['QBSYNC_DATA_DIR']) / 'qbsync.db'
    while kills < KILLS and point < 3 * KILLS:
        point += 1
        process = _sync(env)
        started = time.monotonic()
        if point % 2:  # right after the sandbox committed the n-th new write (the answer may be in flight)
            target, count = _writes(state, realm_id) + rng.randint(1, 40), lambda: _writes(state, realm_id)
        else:  # a random moment after the n-th API call arrived: reading lists, sending, or applying answers
            target, count = calls[0] + rng.randint(1, 8), lambda: calls[0]
        while count() < target and process.poll() is None and time.monotonic() - started < 60:
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.05))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.communicate()  # reaps it (a zombie would still look alive) and closes its pipes
        if process.returncode == 0:  # it finished before the kill point: give the next run work (updates)
            _edit_invoices(database, rng.sample(range(1, SIZE.invoices + 1), 8), point)
        _assert_no_duplicates(state, realm_id)
    final = _sync(env)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, (out.decode(), err.decode())
    assert out.decode().strip().splitlines()[-1].endswith('0 failed, 0 skipped'), out.decode()
    assert kills >= 10
    _assert_no_duplicates(state, realm_id)
    company = state.companies.get(realm_id)
    ours = {
        'Customer': [o for o in company.objects.get('Customer', {}).values()
                     if o['DisplayName'].startswith('Customer ')],
        'Item': [o for o in company.objects.get('Item', {}).values() if o['Name'].startswith('Item ')],
        'Invoice': [o for o in company.objects.get('Invoice', {}).values()
                    if o.get('DocNumber', '').startswith('1000')],
        'CreditMemo': [o for o in company.objects.get('CreditMemo', {}).values() if o.get('DocNumber', '')
                       .startswith('CM')],
        'Payment': list(company.objects.get('Payment', {}).values()),
        'Purchase': list(company.objects.get('Purchase', {}).values())}
    assert {k: len(v) for k, v in ours.items()} == {
        'Customer': SIZE.customers, 'Item': SIZE.items, 'Invoice': SIZE.invoices, 'CreditMemo': SIZE.credit_memos,
        'Payment': SIZE.payments, 'Purchase': SIZE.expenses}
    assert _writes(state, realm_id) - before >= SIZE.total
    asyncio.run(_check_database(env))


async def _check_database(env: dict[str, str]) -> None:
    db = Database(load_settings(env).database_url)
    try:
        async with db.session() as session:
            synced = (await session.exec(select(func.count()).select_from(EntityLink).where(
                EntityLink.status == LinkStatus.SYNCED))).one()
            open_batches = (await session.exec(select(func.count()).select_from(OutboxBatch).where(
                OutboxBatch.answered_at.is_(None)))).one()  # type: ignore[union-attr]
            statuses = Counter((await session.exec(select(SyncRun.status))).all())
            # the dashboard's kept counts (moved by triggers) survived every kill equal to the join they stand for
            kept, joined = await all_entity_counts(session), await derived_entity_counts(session)
    finally:
        await db.dispose()
    assert synced == SIZE.total and open_batches == 0
    assert kept == joined and sum(e.synced for e in kept) == SIZE.total, (kept, joined)
    assert statuses['interrupted'] >= 1 and statuses['running'] == 0, statuses
