"""The OAuth state: single use, expiring, bound to the browser session and user; denial and refused codes."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select

from qbsync.models import ConnectionStatus, OAuthState, Role
from qbsync.services.connection_views import ConnectResult
from qbsync.services.errors import PermissionDenied

from connection_env import SANDBOX_URL, ConnectionEnv, connection_env  # noqa: F401 (fixture)


async def test_connect_end_to_end_stores_company_and_encrypted_tokens(connection_env: ConnectionEnv) -> None:
    env = connection_env
    url = await env.authorize()
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f'{SANDBOX_URL}/connect/oauth2?')
    assert set(query) == {'client_id', 'response_type', 'scope', 'redirect_uri', 'state'}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=env.sandbox_app)) as browser:
        assert (await browser.get(url)).status_code == 200  # the sandbox's consent page accepts the request

    outcome = await env.callback(await env.consent(url))

    assert outcome.result == ConnectResult.CONNECTED, outcome.message
    view = await env.service.current()
    assert view is not None and view.connected
    assert (view.realm_id, view.environment) == (env.realm_id, 'sandbox')
    assert view.company_name == env.sandbox.companies.get(env.realm_id).name  # read from CompanyInfo
    row = await env.row()
    tokens = await env.stored_tokens()
    assert tokens.access_token not in row.encrypted_tokens and tokens.refresh_token not in row.encrypted_tokens
    assert row.access_token_expires_at == env.clock.now() + timedelta(hours=1)
    async with env.db.session() as session:
        (state_row,) = (await session.exec(select(OAuthState))).all()
    assert state_row.state_hash != query['state'][0] and len(state_row.state_hash) == 64  # only the hash is kept
    assert state_row.used_at is not None


async def test_wrong_state_is_refused(connection_env: ConnectionEnv) -> None:
    params = await connection_env.consent(await connection_env.authorize())
    outcome = await connection_env.callback({**params, 'state': 'forged-' + params['state']})
    assert outcome.result == ConnectResult.INVALID_STATE
    assert 'does not belong' in outcome.message
    assert await connection_env.service.current() is None


async def test_missing_state_is_refused(connection_env: ConnectionEnv) -> None:
    params = await connection_env.consent(await connection_env.authorize())
    params.pop('state')
    assert (await connection_env.callback(params)).result == ConnectResult.INVALID_STATE
    assert await connection_env.service.current() is None


async def test_reused_state_is_refused(connection_env: ConnectionEnv) -> None:
    params = await connection_env.consent(await connection_env.authorize())
    assert (await connection_env.callback(params)).result == ConnectResult.CONNECTED
    replay = await connection_env.callback(params)
    assert replay.result == ConnectResult.INVALID_STATE
    assert 'already used' in replay.message


async def test_expired_state_is_refused(connection_env: ConnectionEnv) -> None:
    params = await connection_env.consent(await connection_env.authorize())
    connection_env.clock.advance(minutes=10, seconds=1)
    outcome = await connection_env.callback(params)
    assert outcome.result == ConnectResult.INVALID_STATE
    assert 'expired' in outcome.message
    assert await connection_env.service.current() is None


async def test_state_from_another_browser_session_is_refused_and_stays_usable(connection_env: ConnectionEnv) -> None:
    params = await connection_env.consent(await connection_env.authorize(session_id='victim'))
    outcome = await connection_env.callback(params, session_id='attacker')
    assert outcome.result == ConnectResult.INVALID_STATE
    assert 'different browser session' in outcome.message
    assert await connection_env.service.current() is None
    assert (await connection_env.callback(params, session_id='victim')).result == ConnectResult.CONNECTED


async def test_state_from_another_user_is_refused(connection_env: ConnectionEnv) -> None:
    other = await connection_env.add_user('admin@example.com', Role.ADMIN)
    params = await connection_env.consent(await connection_env.authorize())
    assert (await connection_env.callback(params, user=other)).result == ConnectResult.INVALID_STATE


async def test_denial_on_the_consent_page(connection_env: ConnectionEnv) -> None:
    params = await connection_env.consent(await connection_env.authorize(), decision='deny')
    assert params['error'] == 'access_denied'
    outcome = await connection_env.callback(params)
    assert outcome.result == ConnectResult.DENIED
    assert 'declined' in outcome.message
    assert await connection_env.service.current() is None
    assert (await connection_env.callback(params)).result == ConnectResult.INVALID_STATE  # the state is spent


async def test_refused_code_is_a_clear_failure(connection_env: ConnectionEnv) -> None:
    params = await connection_env.consent(await connection_env.authorize())
    outcome = await connection_env.callback({**params, 'code': 'AB11' + 'x' * 46})
    assert outcome.result == ConnectResult.FAILED
    assert 'invalid_grant' in outcome.message
    assert await connection_env.service.current() is None


async def test_viewers_cannot_start_a_connection(connection_env: ConnectionEnv) -> None:
    viewer = await connection_env.add_user('viewer@example.com', Role.VIEWER)
    with pytest.raises(PermissionDenied):
        await connection_env.service.begin_connect('browser-1', viewer.id)


async def test_reconnect_after_disconnect_reuses_the_company_row(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    assert await env.service.disconnect(env.users['owner@example.com']) is True
    assert (await env.row()).status == ConnectionStatus.DISCONNECTED
    assert (await env.connect()).result == ConnectResult.CONNECTED
    assert (await env.row()).status == ConnectionStatus.CONNECTED
