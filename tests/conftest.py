"""Per-test isolation: a fresh data folder, demo mode (embedded sandbox), no demo data unless a test asks."""
from __future__ import annotations

import pytest

from smtp_support import smtp_server  # noqa: F401 (a real SMTP server for the tests that check emails)

INTUIT_VARIABLES = ('QUICKBOOKS_CLIENT_ID', 'QUICKBOOKS_CLIENT_SECRET', 'QUICKBOOKS_REDIRECT_URI',
                    'QUICKBOOKS_TOKEN_ENCRYPTION_KEY', 'QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN', 'QUICKBOOKS_ENVIRONMENT',
                    'QBSYNC_DATABASE_URL', 'QBSYNC_PUBLIC_URL', 'QBSYNC_SANDBOX_URL', 'QBSYNC_ADMIN_EMAIL',
                    'QBSYNC_ADMIN_PASSWORD', 'QBSYNC_STORAGE_SECRET', 'QBSYNC_PORT', 'QBSYNC_SMTP_HOST',
                    'QBSYNC_SMTP_PORT', 'QBSYNC_SMTP_USER', 'QBSYNC_SMTP_PASSWORD', 'QBSYNC_SMTP_FROM',
                    'QBSYNC_SMTP_SECURITY')


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    for name in INTUIT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('QBSYNC_DATA_DIR', str(tmp_path / 'data'))
    monkeypatch.setenv('QBSYNC_DEMO_DATA', '0')
    monkeypatch.setenv('QBSYNC_LOG_LEVEL', 'WARNING')


@pytest.fixture(autouse=True)
def _fresh_sandbox_mount():
    """NiceGUI's per-test reset removes routes but not Starlette mounts: without this, the /sandbox mount of the
    first test that ran app.py keeps answering (with that test's sandbox and client secret) in every later test."""
    from nicegui import app
    from starlette.routing import Mount

    from qbsync.settings import SANDBOX_MOUNT

    def drop() -> None:
        app.routes[:] = [r for r in app.routes if not (isinstance(r, Mount) and r.path == SANDBOX_MOUNT)]

    drop()
    yield
    drop()


@pytest.fixture(autouse=True)
def _collectable_heap():
    """The app freezes its start-up heap (qbsync/heap.py); a test process starts it hundreds of times, so each
    test's objects go back to the collector afterwards."""
    import gc

    yield
    gc.unfreeze()


# The database tests run on SQLite and, a second time, on a PostgreSQL server this session starts (tests/
# postgres_server.py); `-m "not postgresql"` leaves that pass out.
DATABASE_BACKENDS = ['sqlite', pytest.param('postgresql', marks=pytest.mark.postgresql)]


@pytest.fixture(scope='session')
def postgres_server():
    from postgres_server import PostgresUnavailable, start_server

    try:
        server = start_server()
    except PostgresUnavailable as error:
        pytest.skip(f'PostgreSQL pass skipped: {error}')
    yield server
    server.stop()


def _database_url(request, tmp_path, *, migrated: bool):  # type: ignore[no-untyped-def]
    """A fresh database on the parametrised backend, migrated to head unless ``migrated=False``."""
    if request.param == 'sqlite':
        url = f'sqlite+aiosqlite:///{tmp_path / "data.db"}'
        if migrated:
            from qbsync.db import upgrade_schema
            upgrade_schema(url)
        yield url
        return
    server = request.getfixturevalue('postgres_server')
    url = server.migrated_database() if migrated else server.create_database()
    yield url
    server.drop_database(url)


@pytest.fixture(params=DATABASE_BACKENDS)
def database_url(request, tmp_path):  # type: ignore[no-untyped-def]
    yield from _database_url(request, tmp_path, migrated=True)


@pytest.fixture(params=DATABASE_BACKENDS)
def empty_database_url(request, tmp_path):  # type: ignore[no-untyped-def]
    yield from _database_url(request, tmp_path, migrated=False)
