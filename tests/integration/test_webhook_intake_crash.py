"""A SIGKILL at any moment of webhook intake loses no delivery that was acknowledged (issue 8, item 1).

The route answers 200 once ``WebhookInbox.accept`` returns, before the database is written. A helper process
accepts deliveries as fast as it can (its writer storing them meanwhile, in batches) and prints each one's id as
its acknowledgement; it is killed with SIGKILL at random moments: mid-append, mid-store, between the two. A last
run only starts (which reads back the journal) and drains. Every acknowledged change must then be stored once.
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

KILLS = 5

CHILD = textwrap.dedent('''
    import asyncio, json, sys
    from pathlib import Path
    from qbsync.db import Database, upgrade_schema
    from qbsync.models import QuickBooksConnection
    from qbsync.services.webhook_inbox import WebhookInbox

    folder, first, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

    async def main():
        url = f'sqlite+aiosqlite:///{folder}/intake.db'
        upgrade_schema(url)
        db = Database(url)
        async with db.session() as session:
            if await session.get(QuickBooksConnection, 1) is None:
                session.add(QuickBooksConnection(realm_id='R1', company_name='Crash Co'))
                await session.commit()
        inbox = WebhookInbox(db, folder / 'webhooks')
        inbox.start()
        print('ready', flush=True)
        for n in range(first, first + count):
            inbox.accept(json.dumps({'eventNotifications': [{'realmId': 'R1', 'dataChangeEvent': {'entities': [
                {'name': 'Customer', 'id': str(n), 'operation': 'Update',
                 'lastUpdated': '2026-11-02T09:00:00Z'}]}}]}).encode())
            print(n, flush=True)  # the 200 Intuit would now receive
            if n % 7 == 0:
                await asyncio.sleep(0.001)  # the writer stores what has queued meanwhile
        await inbox.drain()
        await db.dispose()
        print('done', flush=True)

    asyncio.run(main())
''')


def _run(folder: Path, first: int, count: int, kill_after: float | None) -> list[int]:
    """The ids acknowledged by one run (killed after ``kill_after`` seconds of accepting, or left to finish)."""
    child = subprocess.Popen([sys.executable, '-c', CHILD, str(folder), str(first), str(count)],
                             stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2],
                             env={k: v for k, v in os.environ.items() if k != 'PYTEST_CURRENT_TEST'})
    assert child.stdout is not None
    assert child.stdout.readline().strip() == 'ready'
    if kill_after is None:
        out, _ = child.communicate(timeout=120)
        assert child.returncode == 0 and out.split()[-1] == 'done', out
    else:
        time.sleep(kill_after)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=60)
    return [int(word) for word in out.split() if word.isdigit()]


def test_every_acknowledged_delivery_survives_a_sigkill(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get('KILL_SEED', '0')) or None)
    acknowledged: list[int] = []
    for run in range(KILLS):
        acknowledged += _run(tmp_path, run * 100_000, 100_000, rng.uniform(0.01, 0.4))
    assert len(acknowledged) > KILLS * 10  # the kills landed while deliveries were being accepted and stored
    _run(tmp_path, 10_000_000, 0, None)  # starts, reads the journal back, stores, stops
    engine = create_engine(f'sqlite:///{tmp_path}/intake.db')
    with engine.connect() as db:
        stored = [int(row[0]) for row in db.execute(text('SELECT entity_qbo_id FROM webhookevent'))]
    engine.dispose()
    assert sorted(set(acknowledged) - set(stored)) == []
    assert len(stored) == len(set(stored))
    assert list((tmp_path / 'webhooks').iterdir()) == []
