"""The connection service wired to a real in-process sandbox: one ManualClock drives both sides.

``ConnectionEnv.connect()`` walks the whole authorization-code flow the way a browser would: begin_connect gives
Intuit's authorize URL, the sandbox's consent endpoint answers with the redirect the user would follow, and the
callback parameters go to complete_connect.
"""
from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import select

from qbsync.db import Database, upgrade_schema
from qbsync.models import QuickBooksConnection, Role, User
from qbsync.quickbooks.oauth import TokenSet
from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState, create_sandbox_app
from qbsync.security import TokenCipher
from qbsync.services.connection import ConnectionService
from qbsync.services.connection_views import ConnectOutcome
from qbsync.settings import Settings, load_settings, sandbox_endpoints

__all__ = ['ConnectionEnv', 'connection_env', 'SANDBOX_URL', 'CLIENT_ID']

SANDBOX_URL = 'http://sandbox.test'
CLIENT_ID = 'qbsync-test-app'
CLIENT_SECRET = 'qbsync-test-secret-0123456789'
REDIRECT_URI = 'http://localhost:8080/api/quickbooks/callback'
TOKEN_PATH = '/oauth2/v1/tokens/bearer'


class CountingTransport(httpx.AsyncBaseTransport):
    """Passes every request to the sandbox and counts the refresh grants (an observer, not a fake)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.refresh_grants = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH and b'grant_type=refresh_token' in request.content:
            self.refresh_grants += 1
        return await self.inner.handle_async_request(request)


@dataclass
class ConnectionEnv:
    clock: ManualClock
    sandbox: SandboxState
    sandbox_app: FastAPI
    settings: Settings
    db: Database
    cipher: TokenCipher
    transport: CountingTransport
    service: ConnectionService
    database_file: str
    users: dict[str, User] = field(default_factory=dict)

    @property
    def realm_id(self) -> str:
        return self.sandbox.default_realm_id

    async def add_user(self, email: str, role: str = Role.OWNER) -> User:
        async with self.db.session() as session:
            user = User(email=email, name=email.split('@')[0], password_hash='-', role=role)
            session.add(user)
            await session.commit()
        self.users[email] = user
        return user

    async def authorize(self, *, session_id: str = 'browser-1', user: User | None = None,
                        allow_company_switch: bool = False) -> str:
        user = user or next(iter(self.users.values()))
        url = await self.service.begin_connect(session_id, user.id, allow_company_switch=allow_company_switch)
        return url

    async def consent(self, authorize_url: str, *, realm_id: str | None = None, decision: str = 'allow') -> dict:
        """What Intuit appends to the redirect URI after the user's choice on the consent page."""
        query = parse_qs(urlsplit(authorize_url).query)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.sandbox_app), base_url=SANDBOX_URL) as c:
            answer = await c.post('/_sandbox/consent', json={
                'client_id': query['client_id'][0], 'redirect_uri': query['redirect_uri'][0],
                'scope': query['scope'][0], 'state': query['state'][0], 'realm_id': realm_id or self.realm_id,
                'decision': decision})
        answer.raise_for_status()
        return {k: v[0] for k, v in parse_qs(urlsplit(answer.json()['redirect_url']).query).items()}

    async def callback(self, params: dict, *, session_id: str = 'browser-1',
                       user: User | None = None) -> ConnectOutcome:
        user = user or next(iter(self.users.values()))
        return await self.service.complete_connect(
            session_id, user.id, state=params.get('state'), code=params.get('code'), realm_id=params.get('realmId'),
            error=params.get('error'), error_description=params.get('error_description'))

    async def connect(self, *, realm_id: str | None = None, session_id: str = 'browser-1',
                      allow_company_switch: bool = False) -> ConnectOutcome:
        url = await self.authorize(session_id=session_id, allow_company_switch=allow_company_switch)
        return await self.callback(await self.consent(url, realm_id=realm_id), session_id=session_id)

    async def row(self, realm_id: str | None = None) -> QuickBooksConnection | None:
        async with self.db.session() as session:
            return (await session.exec(select(QuickBooksConnection).where(
                QuickBooksConnection.realm_id == (realm_id or self.realm_id)))).first()

    async def stored_tokens(self, realm_id: str | None = None) -> TokenSet:
        row = await self.row(realm_id)
        assert row is not None and row.encrypted_tokens
        return TokenSet.from_json(self.cipher.decrypt(row.encrypted_tokens))


@pytest.fixture
async def connection_env(tmp_path) -> AsyncIterator[ConnectionEnv]:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    sandbox = SandboxState(SandboxConfig(clock=clock))
    sandbox.apps.register(CLIENT_ID, CLIENT_SECRET, name='qbsync tests', redirect_uris=[REDIRECT_URI])
    sandbox_app = create_sandbox_app(sandbox)
    base = load_settings({'QBSYNC_DATA_DIR': str(tmp_path / 'data')})
    settings = dataclasses.replace(base, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri=REDIRECT_URI,
                                   environment='sandbox', endpoints=sandbox_endpoints(SANDBOX_URL))
    database_file = str(tmp_path / 'qbsync.db')
    url = f'sqlite+aiosqlite:///{database_file}'
    upgrade_schema(url)
    db = Database(url)
    cipher = TokenCipher(settings.token_encryption_keys)
    transport = CountingTransport(httpx.ASGITransport(app=sandbox_app))
    service = ConnectionService(settings, db, cipher, transport=transport, now=clock.now)
    env = ConnectionEnv(clock=clock, sandbox=sandbox, sandbox_app=sandbox_app, settings=settings, db=db,
                        cipher=cipher, transport=transport, service=service, database_file=database_file)
    await env.add_user('owner@example.com')
    yield env
    await service.aclose()
    await db.dispose()
