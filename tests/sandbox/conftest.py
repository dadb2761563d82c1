"""Fixtures for sandbox tests: a manual clock, a fresh SandboxState, an in-process client, a live loopback server.

Generic on purpose: every sandbox test module (OAuth, accounting, webhooks, throttling) can build on them.
"""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState, create_sandbox_app
from qbsync.sandbox.accounting.store import Company
from qbsync.sandbox.events import ChangeEvent
from qbsync.sandbox.oauth.registry import RegisteredApp

SANDBOX_TEST_URL = 'http://sandbox.test'
TEST_CLIENT_ID = 'test-client'
TEST_CLIENT_SECRET = 'test-secret-0123456789'
TEST_REDIRECT_URI = 'https://app.example.com/callback'


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox_state(clock: ManualClock) -> SandboxState:
    return SandboxState(SandboxConfig(clock=clock))


@pytest.fixture
def company(sandbox_state: SandboxState, realm_id: str) -> Company:
    """The first sandbox company, for tests that call the accounting layer directly."""
    return sandbox_state.companies.get(realm_id)


@pytest.fixture
def events(sandbox_state: SandboxState) -> list[ChangeEvent]:
    """Every change event the sandbox emits during the test, in order."""
    seen: list[ChangeEvent] = []
    sandbox_state.events.subscribe(seen.append)
    return seen


@pytest.fixture
def sandbox_app(sandbox_state: SandboxState) -> FastAPI:
    return create_sandbox_app(sandbox_state)


@pytest.fixture
async def sandbox_client(sandbox_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client talking to the sandbox in-process (no lifespan, no network)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app), base_url=SANDBOX_TEST_URL) as client:
        yield client


@pytest.fixture
def test_app(sandbox_state: SandboxState) -> RegisteredApp:
    """A registered app with known credentials (TEST_CLIENT_ID / TEST_CLIENT_SECRET / TEST_REDIRECT_URI)."""
    return sandbox_state.apps.register(TEST_CLIENT_ID, TEST_CLIENT_SECRET, name='Test App',
                                       redirect_uris=[TEST_REDIRECT_URI])


@pytest.fixture
def realm_id(sandbox_state: SandboxState) -> str:
    """The seeded company every fresh sandbox starts with."""
    return sandbox_state.companies.realms()[0].realm_id


@dataclass(frozen=True)
class LiveSandbox:
    base_url: str
    state: SandboxState
    clock: ManualClock


@pytest.fixture(scope='session')
def live_sandbox() -> Iterator[LiveSandbox]:
    """The sandbox served by uvicorn on 127.0.0.1 and a free port, for clients that need a real socket (requests).

    Shared by the whole session: register apps under names of your own. The clock starts at the real time, because
    such clients check token timestamps (e.g. id_token ``exp``) against the wall clock.
    """
    clock = ManualClock(datetime.now(timezone.utc))
    state = SandboxState(SandboxConfig(clock=clock))
    server = uvicorn.Server(uvicorn.Config(create_sandbox_app(state), lifespan='off', ws='none', log_level='warning',
                                           access_log=False))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(('127.0.0.1', 0))
        thread = threading.Thread(target=server.run, kwargs={'sockets': [sock]}, name='live-sandbox', daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while not server.started:   # real time: waiting for a real socket, not for the sandbox clock
                if time.monotonic() > deadline or not thread.is_alive():
                    raise RuntimeError('the live sandbox did not start')
                time.sleep(0.01)
            yield LiveSandbox(base_url=f'http://127.0.0.1:{sock.getsockname()[1]}', state=state, clock=clock)
        finally:
            server.should_exit = True
            thread.join(timeout=10)


@pytest.fixture
async def qbo_api(sandbox_app: FastAPI, sandbox_state: SandboxState, test_app: RegisteredApp,
                  realm_id: str) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client for the seeded company's Accounting API: base URL ``.../v3/company/{realm}``, a live
    bearer token for ``test_app``, ``Accept: application/json`` (added by sandbox-accounting)."""
    tokens = sandbox_state.grants.connect(test_app.client_id, realm_id)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app),
                                 base_url=f'{SANDBOX_TEST_URL}/v3/company/{realm_id}',
                                 headers={'Authorization': f'Bearer {tokens.access_token}',
                                          'Accept': 'application/json'}) as client:
        yield client
