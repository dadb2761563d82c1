"""Every log line written during a connection's whole life, at DEBUG and from every library, is free of secrets:
tokens, the authorization code and state, the client secret."""
from __future__ import annotations

import logging

import pytest

from qbsync.services.connection_views import ConnectResult

from connection_env import CLIENT_SECRET, ConnectionEnv, connection_env  # noqa: F401 (fixture)


async def test_connect_refresh_and_disconnect_log_no_secret(connection_env: ConnectionEnv,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    env = connection_env
    caplog.set_level(logging.DEBUG)
    url = await env.authorize()
    params = await env.consent(url)
    outcome = await env.callback(params)
    assert outcome.result == ConnectResult.CONNECTED, outcome.message
    seen = [await env.stored_tokens()]
    await (await env.service.api()).company_info()
    env.clock.advance(hours=2)  # expired: the next call refreshes
    await (await env.service.api()).company_info()
    seen.append(await env.stored_tokens())
    env.sandbox.grants.expire_access_tokens(env.realm_id)  # a 401 mid-life: refresh and retry
    await (await env.service.api()).company_info()
    seen.append(await env.stored_tokens())
    assert len({tokens.refresh_token for tokens in seen}) == 3
    owner = next(iter(env.users.values()))
    await env.service.disconnect(owner)

    assert caplog.records, 'the flow logs something, or this test proves nothing'
    text = caplog.text
    secrets = {CLIENT_SECRET, params['code'], params['state']}
    for tokens in seen:
        secrets |= {tokens.access_token, tokens.refresh_token}
    for secret in secrets:
        assert secret[:16] not in text
