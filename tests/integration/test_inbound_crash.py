"""A SIGKILL while webhook events are being applied loses nothing and applies nothing twice (issue 8, item 2).

A helper process builds the same sandbox company every time (fixed clock, same customers, hence the same Ids and
SyncTokens), stores one notice per customer and works them off with the real webhook pass and applier on a SQLite
file. It is killed with SIGKILL at random moments, then run again with its clock past the claim lease of the
killed run, until it finishes. Afterwards every customer exists locally exactly once, with one link and exactly one
"created" log entry (log entries commit with the change they report, so two would mean a double apply), and every
notice is finished.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import create_engine, text

CUSTOMERS = 300
KILLS = 2

CHILD = textwrap.dedent('''
    import asyncio, sys
    from pathlib import Path
    from datetime import datetime, timedelta, timezone
    import httpx
    from qbsync.db import Database, upgrade_schema
    from qbsync.models import QuickBooksConnection, SyncSettings
    from qbsync.quickbooks.client import QuickBooksClient
    from qbsync.quickbooks.webhooks import EntityChange
    from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState, create_sandbox_app
    from qbsync.services.webhook_inbox import WebhookInbox
    from qbsync.settings import sandbox_endpoints
    from qbsync.sync.inbound_sync import InboundSync, SettingsPreferences

    path, customers, run = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    start = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)

    class Tokens:
        def __init__(self, token): self.token = token
        async def access_token(self): return self.token
        async def renew(self, rejected): return self.token

    async def main():
        sandbox = SandboxState(SandboxConfig(clock=ManualClock(start)))
        sandbox.apps.register('crash', 'crash-secret-0123456789', redirect_uris=['https://x/cb'], throttling=False)
        company = sandbox.companies.create_company('Crash Co', profile='new')
        made = [sandbox.companies.get(company.realm_id).create('Customer', {'DisplayName': f'Crash {n:04d}'})
                for n in range(customers)]
        token = sandbox.grants.connect('crash', company.realm_id).access_token
        url = f'sqlite+aiosqlite:///{path}'
        upgrade_schema(url)
        db = Database(url)
        async with db.session() as session:
            if await session.get(SyncSettings, 1) is None:
                session.add(SyncSettings(id=1, inbound_enabled=True))
                session.add(QuickBooksConnection(realm_id=company.realm_id, company_name='Crash Co'))
                await session.commit()
        now = lambda: start + timedelta(minutes=10 * run)  # each run starts past the last one's claim lease
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)))
        client = QuickBooksClient(http, api_base_url=sandbox_endpoints('http://sb').api_base_url,
                                  realm_id=company.realm_id, tokens=Tokens(token))

        async def api(): return client
        async def realm(): return company.realm_id
        async def preferences():
            async with db.session() as session:
                return SettingsPreferences(await session.get(SyncSettings, 1))

        await WebhookInbox(db, Path(path).parent / 'journal', now=now).record([
            EntityChange(f'crash-{c["Id"]}', company.realm_id, 'Customer', c['Id'], 'Create') for c in made])
        inbound = InboundSync(db, realm=realm, api=api, preferences=preferences, now=now)
        print('ready', flush=True)
        while (await inbound.process_events()).claimed:
            pass
        await http.aclose()
        await db.dispose()
        print('done', flush=True)

    asyncio.run(main())
''')


def _run(path: Path, run: int, kill_after: float | None) -> str:
    child = subprocess.Popen([sys.executable, '-c', CHILD, str(path), str(CUSTOMERS), str(run)],
                             stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2],
                             env={k: v for k, v in os.environ.items() if k != 'PYTEST_CURRENT_TEST'})
    assert child.stdout is not None
    assert child.stdout.readline().strip() == 'ready'  # the notices are stored; processing starts now
    if kill_after is None:
        out, _ = child.communicate(timeout=300)
        assert child.returncode == 0, out
        return 'done' if 'done' in out.split() else f'no "done" in {out!r}'
    time.sleep(kill_after)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)  # reaps it and closes the pipe
    return 'killed'


def test_a_sigkill_mid_processing_neither_loses_nor_doubles(tmp_path: Path) -> None:
    path = tmp_path / 'crash.db'
    rng = random.Random(int(os.environ.get('KILL_SEED', '0')) or None)
    for run in range(KILLS):  # processing 300 notices takes a few seconds: the kills land in the middle of it
        _run(path, run, rng.uniform(0.05, 1.5))
    assert _run(path, KILLS, None) == 'done'
    engine = create_engine(f'sqlite:///{path}')
    with engine.connect() as db:
        customers = db.execute(text("SELECT count(*), count(DISTINCT display_name) FROM customer")).one()
        links = db.execute(text("SELECT count(*), count(DISTINCT qbo_id), count(DISTINCT local_id) FROM entitylink "
                                "WHERE entity_type = 'customer'")).one()
        created = db.execute(text("SELECT qbo_id, count(*) FROM synclogentry WHERE action = 'inbound_create' "
                                  "GROUP BY qbo_id HAVING count(*) > 1")).all()
        creations = db.execute(text("SELECT count(*) FROM synclogentry WHERE action = 'inbound_create'")).scalar()
        events = dict(db.execute(text('SELECT status, count(*) FROM webhookevent GROUP BY status')).all())
    engine.dispose()
    assert tuple(customers) == (CUSTOMERS, CUSTOMERS)
    assert tuple(links) == (CUSTOMERS, CUSTOMERS, CUSTOMERS)
    assert created == [] and creations == CUSTOMERS
    assert events == {'done': CUSTOMERS}
