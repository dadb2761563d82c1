"""Token lifecycle against the sandbox: refresh before expiry and on 401, rotation, one refresh at a time,
invalid_grant, disconnect, and no token in clear text in the database file."""
from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from qbsync.models import ConnectionStatus, SyncLogEntry
from qbsync.quickbooks.errors import NotConnectedError, ReconnectRequired
from qbsync.quickbooks.oauth import TokenSet
from qbsync.sandbox.oauth.grants import TokenError
from qbsync.security import TokenCipher
from qbsync.services.connection import ConnectionService
from qbsync.services.connection_views import ConnectResult

from connection_env import CLIENT_ID, ConnectionEnv, connection_env  # noqa: F401 (fixture)


async def _connected(env: ConnectionEnv) -> None:
    outcome = await env.connect()
    assert outcome.result == ConnectResult.CONNECTED, outcome.message


async def test_refresh_shortly_before_the_access_token_expires(connection_env: ConnectionEnv) -> None:
    env = connection_env
    await _connected(env)
    first = await env.stored_tokens()
    env.clock.advance(minutes=50)
    await (await env.service.api()).company_info()
    assert env.transport.refresh_grants == 0  # ten minutes left: no refresh yet
    env.clock.advance(minutes=6)
    await (await env.service.api()).company_info()
    assert env.transport.refresh_grants == 1  # under five minutes left
    second = await env.stored_tokens()
    assert second.access_token != first.access_token and second.refresh_token != first.refresh_token
    assert (await env.row()).last_refreshed_at == env.clock.now()


async def test_rotation_end_to_end_the_app_always_holds_the_newest_refresh_token(
        connection_env: ConnectionEnv) -> None:
    env = connection_env
    await _connected(env)
    original = (await env.stored_tokens()).refresh_token
    env.clock.advance(hours=2)
    await (await env.service.api()).company_info()
    rotated = (await env.stored_tokens()).refresh_token
    assert rotated != original
    env.clock.advance(hours=25)  # the original died 24 h after it was superseded
    with pytest.raises(TokenError) as dead:
        env.sandbox.grants.refresh(CLIENT_ID, original)
    assert dead.value.error == 'invalid_grant'
    await (await env.service.api()).preferences()  # the app refreshes with what it holds, so it must be the newest
    newest = (await env.stored_tokens()).refresh_token
    assert newest not in (original, rotated)
    assert env.transport.refresh_grants == 2


async def test_two_concurrent_calls_with_an_expired_access_token_refresh_once(connection_env: ConnectionEnv) -> None:
    env = connection_env
    await _connected(env)
    env.clock.advance(hours=2)
    api = await env.service.api()
    company, preferences = await asyncio.gather(api.company_info(), api.preferences())
    assert company.realm_id == env.realm_id and preferences
    assert env.transport.refresh_grants == 1


async def test_a_401_refreshes_once_and_retries(connection_env: ConnectionEnv) -> None:
    env = connection_env
    await _connected(env)
    before = await env.stored_tokens()
    assert env.sandbox.grants.expire_access_tokens(env.realm_id) >= 1  # Intuit says expired, our clock does not
    api = await env.service.api()
    results = await asyncio.gather(api.company_info(), api.preferences(), api.company_info())
    assert all(results)
    assert env.transport.refresh_grants == 1
    assert (await env.stored_tokens()).access_token != before.access_token


async def test_invalid_grant_after_a_revoke_in_quickbooks_needs_reconnect(connection_env: ConnectionEnv) -> None:
    env = connection_env
    await _connected(env)
    assert env.sandbox.grants.revoke_grant(env.realm_id, CLIENT_ID)  # the user removed the app in QuickBooks
    api = await env.service.api()
    with pytest.raises(ReconnectRequired):
        await api.company_info()
    view = await env.service.current()
    assert view is not None and view.needs_reconnect and 'reconnect' in view.last_error
    row = await env.row()
    assert row.encrypted_tokens == ''
    async with env.db.session() as session:
        entries = (await session.exec(select(SyncLogEntry).where(SyncLogEntry.action == 'reconnect_required'))).all()
    assert [(e.realm_id, e.level) for e in entries] == [(env.realm_id, 'error')]
    grants = env.transport.refresh_grants
    with pytest.raises(ReconnectRequired):
        await (await env.service.api()).company_info()
    assert env.transport.refresh_grants == grants  # known dead: no more calls to Intuit
    assert (await env.connect()).result == ConnectResult.CONNECTED  # Reconnect fixes it
    assert (await env.service.current()).connected


async def test_disconnect_revokes_at_intuit_and_deletes_the_tokens(connection_env: ConnectionEnv) -> None:
    env = connection_env
    await _connected(env)
    refresh_token = (await env.stored_tokens()).refresh_token
    assert await env.service.disconnect(env.users['owner@example.com']) is True
    assert env.sandbox.grants.grants(env.realm_id) == []
    with pytest.raises(TokenError):
        env.sandbox.grants.refresh(CLIENT_ID, refresh_token)
    row = await env.row()
    assert (row.status, row.encrypted_tokens, row.access_token_expires_at) == (ConnectionStatus.DISCONNECTED, '', None)
    assert await env.service.current() is None
    with pytest.raises(NotConnectedError):
        await env.service.api()
    async with env.db.session() as session:
        (entry,) = (await session.exec(select(SyncLogEntry).where(SyncLogEntry.action == 'disconnect'))).all()
    assert 'Disconnected' in entry.message and 'owner' in entry.message


async def test_list_accounts_is_live_and_typed(connection_env: ConnectionEnv) -> None:
    env = connection_env
    await _connected(env)
    accounts = await env.service.list_accounts()
    assert accounts and all(isinstance(a.current_balance, Decimal) for a in accounts)
    assert any(a.account_type == 'Income' for a in accounts)
    income = await env.service.list_accounts(['Income'])
    assert income and {a.account_type for a in income} == {'Income'}


async def test_no_token_is_ever_in_the_database_file_in_clear_text(connection_env: ConnectionEnv) -> None:
    env = connection_env
    await _connected(env)
    seen = [await env.stored_tokens()]
    for _ in range(3):
        env.clock.advance(hours=2)
        await (await env.service.api()).company_info()
        seen.append(await env.stored_tokens())
    await env.db.dispose()  # checkpoint and close, then read every byte SQLite wrote (database, WAL, journal)
    files = [p for p in Path(env.database_file).parent.glob(Path(env.database_file).name + '*') if p.is_file()]
    data = b''.join(p.read_bytes() for p in files)
    assert data
    for tokens in seen:
        for secret in (tokens.access_token, tokens.refresh_token):
            assert secret.encode() not in data
            assert secret[:40].encode() not in data  # not even a prefix
    assert env.settings.client_secret.encode() not in data


async def test_tokens_do_not_appear_in_reprs_or_logs(connection_env: ConnectionEnv,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    env = connection_env
    caplog.set_level('DEBUG')
    await _connected(env)
    env.sandbox.grants.revoke_grant(env.realm_id, CLIENT_ID)
    tokens = None
    with pytest.raises(ReconnectRequired) as error:
        tokens = await env.stored_tokens()
        await (await env.service.api()).company_info()
    assert tokens is not None
    assert tokens.access_token not in repr(tokens) and tokens.refresh_token not in repr(tokens)
    assert tokens.refresh_token not in str(error.value) and tokens.refresh_token not in caplog.text
    assert tokens.access_token not in caplog.text



async def test_encryption_key_rotation(connection_env: ConnectionEnv) -> None:
    """New key first, old key second: stored tokens still work and every refresh re-encrypts under the new key."""
    env = connection_env
    await _connected(env)
    new_key = Fernet.generate_key().decode()
    rotated = TokenCipher([new_key, *env.settings.token_encryption_keys])
    service = ConnectionService(env.settings, env.db, rotated, transport=env.transport, now=env.clock.now)
    try:
        env.clock.advance(hours=2)
        await (await service.api()).company_info()  # decrypts with the old key, refreshes, encrypts with the new
        stored = (await env.row()).encrypted_tokens
        assert TokenSet.from_json(TokenCipher([new_key]).decrypt(stored)).access_token
        only_unknown = ConnectionService(env.settings, env.db, TokenCipher([Fernet.generate_key().decode()]),
                                         transport=env.transport, now=env.clock.now)
        with pytest.raises(ReconnectRequired) as lost:
            await (await only_unknown.api()).company_info()
        assert 'QUICKBOOKS_TOKEN_ENCRYPTION_KEY' in lost.value.description
        await only_unknown.aclose()
    finally:
        await service.aclose()
