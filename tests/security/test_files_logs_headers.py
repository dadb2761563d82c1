"""Files and logs (issue 10, item 7) and headers and public endpoints (item 8)."""
from __future__ import annotations

import dataclasses
import io
import logging
import stat
from pathlib import Path

import httpx
import pytest
from nicegui import app
from nicegui.storage import Storage
from nicegui.testing import User
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from qbsync.db import Database
from qbsync.logs import OneLineFormatter, RedactClientId, configure_logging
from qbsync.models import Role
from qbsync.settings import load_settings
from qbsync.web.page_limits import PageBuildLimit

from ui.accounts import log_in, make_account


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_data_folder_is_private_and_holds_the_session_storage(user: User) -> None:
    await make_account(Role.OWNER)
    await log_in(user, 'owner@example.com')
    data_dir = app.state.services.settings.data_dir
    assert Storage.path == data_dir / 'sessions'
    assert _mode(data_dir) == 0o700
    files = [p for p in data_dir.rglob('*') if p.is_file()]
    assert {'qbsync.db', 'session-secret', 'token-encryption-key'} <= {p.name for p in files}
    assert {oct(_mode(p)) for p in files} == {oct(0o600)}, [(p.name, oct(_mode(p))) for p in files]
    assert {oct(_mode(p)) for p in data_dir.rglob('*') if p.is_dir()} <= {oct(0o700)}


def test_an_existing_open_data_folder_is_closed_at_start(tmp_path: Path) -> None:
    data_dir = tmp_path / 'open'
    data_dir.mkdir(mode=0o755)
    (data_dir / 'qbsync.db').write_text('x')
    (data_dir / 'qbsync.db').chmod(0o644)
    (data_dir / 'session-secret').write_text('')  # left empty by a kill mid-write in an older version
    settings = load_settings({'QBSYNC_DATA_DIR': str(data_dir)})
    assert _mode(data_dir) == 0o700 and _mode(data_dir / 'qbsync.db') == 0o600
    assert settings.storage_secret  # an empty secret file counts as missing, never as an empty secret


async def test_database_loggers_never_print_parameters_whatever_the_level(tmp_path: Path) -> None:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    stream = io.StringIO()
    try:
        configure_logging('DEBUG')
        root.addHandler(logging.StreamHandler(stream))
        db = Database(f'sqlite+aiosqlite:///{tmp_path / "log.db"}')
        async with db.engine.begin() as connection:
            await connection.execute(text('CREATE TABLE t (v TEXT UNIQUE)'))
            await connection.execute(text('INSERT INTO t VALUES (:v)'), {'v': 'refresh-token-SECRET'})
            with pytest.raises(IntegrityError) as caught:
                await connection.execute(text('INSERT INTO t VALUES (:v)'), {'v': 'refresh-token-SECRET'})
        await db.dispose()
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
    assert 'refresh-token-SECRET' not in stream.getvalue()
    assert 'refresh-token-SECRET' not in str(caught.value)


def test_newlines_in_logged_values_are_escaped() -> None:
    record = logging.LogRecord('qbsync', logging.WARNING, __file__, 1, 'login failed for %s', ('a@x.com\nFAKE ok',),
                               None)
    assert OneLineFormatter('%(message)s').format(record) == 'login failed for a@x.com\\nFAKE ok'


def test_nicegui_client_id_is_redacted_from_access_logs() -> None:
    record = logging.LogRecord('uvicorn.access', logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', (
        '127.0.0.1:5000', 'GET', '/_nicegui_ws/socket.io/?client_id=6b1f-secret&EIO=4', '1.1', 200), None)
    RedactClientId().filter(record)
    assert '6b1f-secret' not in record.getMessage() and 'client_id=[redacted]' in record.getMessage()


async def test_every_page_carries_the_security_headers(user: User) -> None:
    for path in ('/login', '/healthz', '/customers', '/api/quickbooks/callback'):
        response = await user.http_client.get(path)
        assert response.headers['x-frame-options'] == 'DENY', path
        assert response.headers['content-security-policy'] == "frame-ancestors 'none'"
        assert response.headers['x-content-type-options'] == 'nosniff'
        assert response.headers['referrer-policy'] == 'same-origin'
        assert 'strict-transport-security' not in response.headers  # served over http here


async def test_healthz_tells_the_public_only_ok_or_not(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    local = await user.http_client.get('/healthz')  # the test client is a loopback peer
    assert local.status_code == 200 and 'database' in local.json()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app, client=('203.0.113.7', 4000)),
                                 base_url='http://test') as stranger:
        assert (await stranger.get('/healthz')).json() == {'status': 'ok'}
        services = app.state.services
        monkeypatch.setattr(services, 'settings', dataclasses.replace(services.settings, health_token='probe-123'))
        assert (await stranger.get('/healthz', headers={'authorization': 'Bearer wrong'})).json() == {'status': 'ok'}
        detailed = await stranger.get('/healthz', headers={'authorization': 'Bearer probe-123'})
        assert 'database' in detailed.json()
    proxied = await user.http_client.get('/healthz', headers={'x-forwarded-for': '203.0.113.7'})
    assert proxied.json() == {'status': 'ok'}  # a proxy on this machine makes strangers look local


async def test_socketio_polling_fallback_is_reachable_before_login(user: User) -> None:
    response = await user.http_client.get('/_nicegui_ws/socket.io/?EIO=4&transport=polling')
    assert response.status_code != 307  # not sent to the login page: the login page needs it to work


async def test_anonymous_page_builds_are_rate_limited() -> None:
    now = [1000.0]
    calls: list[str] = []

    async def page(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        calls.append(scope['path'])
        await send({'type': 'http.response.start', 'status': 200, 'headers': []})
        await send({'type': 'http.response.body', 'body': b'page'})

    limited = PageBuildLimit(page, per_address=5, overall=8, clock=lambda: now[0])
    client = httpx.AsyncClient(transport=httpx.ASGITransport(limited, client=('198.51.100.1', 1)), base_url='http://t')
    other = httpx.AsyncClient(transport=httpx.ASGITransport(limited, client=('198.51.100.2', 1)), base_url='http://t')
    statuses = [(await client.get('/login')).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    refused = await client.get('/login')
    assert refused.headers['retry-after'] == '12'
    assert [(await other.get('/login')).status_code for _ in range(4)] == [200, 200, 200, 429]  # overall cap
    assert (await client.get('/customers')).status_code == 200  # only anonymous page builds are counted
    now[0] += 60
    assert (await client.get('/login')).status_code == 200
    await client.aclose()
    await other.aclose()
    assert any(m.cls is PageBuildLimit for m in app.user_middleware)
