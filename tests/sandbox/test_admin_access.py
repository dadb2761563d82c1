"""The changing admin endpoints can be limited to loopback callers; the inspect page stays readable."""
from __future__ import annotations

import httpx

from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState, create_sandbox_app

APP_BODY = {'client_id': 'intruder', 'client_secret': 'secret-0123456789', 'name': 'Intruder',
            'redirect_uris': ['https://evil.example/cb']}


def _client(state: SandboxState, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_sandbox_app(state), client=(host, 40000))
    return httpx.AsyncClient(transport=transport, base_url='http://sandbox.test')


async def test_remote_caller_cannot_register_apps_or_mint_tokens_when_loopback_only() -> None:
    state = SandboxState(SandboxConfig(clock=ManualClock(), admin_loopback_only=True))
    async with _client(state, '203.0.113.9') as remote:
        assert (await remote.post('/_sandbox/apps', json=APP_BODY)).status_code == 403
        assert (await remote.post('/_sandbox/tokens', json={'client_id': 'x', 'client_secret': 'y'})).status_code == 403
        assert (await remote.post('/_sandbox/companies', json={})).status_code == 403
        assert (await remote.get('/_sandbox/inspect')).status_code == 200
    assert state.apps.get('intruder') is None
    async with _client(state, '127.0.0.1') as local:
        assert (await local.post('/_sandbox/apps', json=APP_BODY)).status_code == 201
    assert state.apps.get('intruder') is not None


async def test_admin_api_is_open_by_default_for_tests_and_the_standalone_cli() -> None:
    state = SandboxState(SandboxConfig(clock=ManualClock()))
    async with _client(state, '198.51.100.7') as remote:
        assert (await remote.post('/_sandbox/apps', json=APP_BODY)).status_code == 201
