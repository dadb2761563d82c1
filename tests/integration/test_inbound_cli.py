"""`qbsync sync --direction in` from the shell: the same inbound pass as the app, against the sandbox on loopback."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from qbsync.settings import load_settings
from test_crash_safety import CLIENT_ID, REDIRECT, REPO, SECRET, _connect, served_sandbox  # noqa: F401 (fixture)


def test_sync_direction_in_brings_quickbooks_changes_into_the_app(served_sandbox, tmp_path) -> None:  # noqa: F811
    state, base = served_sandbox
    realm_id = state.companies.create_company('CLI Inbound Co', profile='new').realm_id
    env = {**os.environ, 'QBSYNC_DATA_DIR': str(tmp_path / 'data'), 'QUICKBOOKS_CLIENT_ID': CLIENT_ID,
           'QUICKBOOKS_CLIENT_SECRET': SECRET, 'QUICKBOOKS_REDIRECT_URI': REDIRECT, 'QBSYNC_SANDBOX_URL': base,
           'QUICKBOOKS_TOKEN_ENCRYPTION_KEY': Fernet.generate_key().decode(), 'QBSYNC_LOG_LEVEL': 'WARNING'}
    env.pop('PYTEST_CURRENT_TEST', None)
    asyncio.run(_connect(env, base, realm_id))
    state.companies.get(realm_id).create('Customer', {'DisplayName': 'From The Shell Co'})
    database = load_settings(env).database_url.replace('+aiosqlite', '')
    engine = create_engine(database)
    with engine.begin() as db:
        db.execute(text('UPDATE syncsettings SET inbound_enabled = 1'))
        if not db.execute(text('SELECT count(*) FROM syncsettings')).scalar():
            db.execute(text("INSERT INTO syncsettings (id, auto_sync_enabled, interval_minutes, inbound_enabled, "
                            "sync_customers, sync_items, sync_invoices, sync_payments, sync_expenses, "
                            "sync_credit_memos, conflict_policy, updated_at) VALUES (1, 0, 15, 1, 1, 1, 1, 1, 1, 1, "
                            "'app_wins', CURRENT_TIMESTAMP)"))
    done = subprocess.run([sys.executable, '-m', 'qbsync.cli', 'sync', '--direction', 'in'], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert 'synced' in done.stdout
    with engine.connect() as db:
        names = {row[0] for row in db.execute(text('SELECT display_name FROM customer'))}
        direction = db.execute(text('SELECT direction FROM syncrun ORDER BY id DESC')).scalar()
    engine.dispose()
    assert 'From The Shell Co' in names and direction == 'inbound'
