"""The sandbox's admin API (issue 10, item 10): a token beyond loopback, explicit overwrite, full masking, and the
embedded sandbox's token from the data folder."""
from __future__ import annotations

import httpx
import pytest
from nicegui import app
from nicegui.testing import User

from qbsync import cli
from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState, create_sandbox_app

APP_BODY = {'client_id': 'intruder', 'client_secret': 'secret-0123456789', 'name': 'Intruder',
            'redirect_uris': ['https://evil.example/cb'], 'verifier_token': 'verifier-0123456789'}


def _client(state: SandboxState, host: str, token: str | None = None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_sandbox_app(state), client=(host, 40000))
    headers = {'authorization': f'Bearer {token}'} if token else {}
    return httpx.AsyncClient(transport=transport, base_url='http://sandbox.test', headers=headers)


async def test_with_a_token_every_caller_needs_it_loopback_included() -> None:
    state = SandboxState(SandboxConfig(clock=ManualClock(), admin_token='admin-token-42'))
    for host, token in (('127.0.0.1', None), ('127.0.0.1', 'wrong'), ('203.0.113.9', None)):
        async with _client(state, host, token) as caller:
            assert (await caller.post('/_sandbox/apps', json=APP_BODY)).status_code == 401
            assert (await caller.post('/_sandbox/tokens', json={'client_id': 'x', 'client_secret': 'y'})
                    ).status_code == 401
    assert state.apps.get('intruder') is None
    async with _client(state, '203.0.113.9', 'admin-token-42') as admin:
        assert (await admin.post('/_sandbox/apps', json=APP_BODY)).status_code == 201
        listing = await admin.get('/_sandbox/apps')
    assert 'secret-0123456789' not in listing.text and '6789' not in listing.text  # fully masked


async def test_re_registering_an_existing_client_id_needs_an_explicit_overwrite() -> None:
    state = SandboxState(SandboxConfig(clock=ManualClock()))
    async with _client(state, '127.0.0.1') as local:
        assert (await local.post('/_sandbox/apps', json=APP_BODY)).status_code == 201
        hijack = {**APP_BODY, 'redirect_uris': ['https://attacker.example/cb']}
        assert (await local.post('/_sandbox/apps', json=hijack)).status_code == 409
        assert state.apps.get('intruder').redirect_uris == ['https://evil.example/cb']
        assert (await local.post('/_sandbox/apps', json={**hijack, 'overwrite': True})).status_code == 201
    assert state.apps.get('intruder').redirect_uris == ['https://attacker.example/cb']


def test_standalone_refuses_a_public_host_without_a_token(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    served: list[dict] = []
    monkeypatch.setattr('uvicorn.run', lambda app, **options: served.append(options))
    monkeypatch.delenv('QBSYNC_SANDBOX_ADMIN_TOKEN', raising=False)
    assert cli.main(['sandbox', '--host', '0.0.0.0', '--port', '9124']) == 2
    assert 'admin token' in capsys.readouterr().err and served == []
    assert cli.main(['sandbox', '--host', '0.0.0.0', '--port', '9124', '--admin-token', 'tok-123']) == 0
    assert served and served[0]['host'] == '0.0.0.0'


async def test_embedded_admin_calls_need_the_token_from_the_data_folder(user: User) -> None:
    token_file = app.state.services.settings.data_dir / 'sandbox-admin-token'
    token = token_file.read_text().strip()
    assert token and app.state.sandbox.config.admin_token == token
    body = {'client_id': 'qbsync-demo-app', 'decision': 'allow'}
    local = await user.http_client.post('/sandbox/_sandbox/consent', json=body)  # a loopback peer, no token
    assert local.status_code == 401
    allowed = await user.http_client.post('/sandbox/_sandbox/consent', json=body,
                                          headers={'authorization': f'Bearer {token}'})
    assert allowed.status_code == 200
