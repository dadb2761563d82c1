"""Shared pieces for the sandbox-ops tests (webhooks, throttle, faults, CDC, batch, persistence, inspect)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from starlette.requests import Request
from starlette.responses import Response

from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState
from qbsync.sandbox.webhooks import WebhookSettings

__all__ = ['Receiver', 'Received', 'make_state', 'connect_app', 'api_client', 'bearer', 'RECEIVER_URL', 'VERIFIER']

RECEIVER_URL = 'https://receiver.example/api/quickbooks/webhook'
VERIFIER = 'verifier-token-for-tests-0123456789'


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An in-process webhook endpoint: answers with ``status`` (or hangs while ``hang`` is set) and records calls."""
    status: int = 200
    hang: bool = False
    calls: list[Received] = field(default_factory=list)

    async def __call__(self, scope, receive, send) -> None:  # a bare ASGI app
        request = Request(scope, receive)
        self.calls.append(Received(dict(request.headers), await request.body()))
        if self.hang:
            await asyncio.Event().wait()
        await Response(status_code=self.status)(scope, receive, send)

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self)


def make_state(receiver: Receiver | None = None, *, window_seconds: float = 1.0, timeout: float = 3.0,
               **config: object) -> SandboxState:
    settings = WebhookSettings(aggregation_window=timedelta(seconds=window_seconds),
                               timeout_seconds=timeout)
    return SandboxState(SandboxConfig(clock=ManualClock(), webhook_transport=receiver.transport() if receiver else None,
                                      webhook_settings=settings, **config))


def connect_app(state: SandboxState, client_id: str = 'app-one', *, webhook_format: str = 'legacy',
                throttling: bool = True, webhook: bool = True, realm_id: str | None = None) -> str:
    """Register an app, connect it to the realm, and return a bearer access token."""
    state.apps.register(client_id, 'secret-' + client_id, redirect_uris=['https://app.example/callback'],
                        webhook_url=RECEIVER_URL if webhook else None, verifier_token=VERIFIER if webhook else None,
                        webhook_format=webhook_format, throttling=throttling)
    return state.grants.connect(client_id, realm_id or state.default_realm_id).access_token


def api_client(state: SandboxState) -> httpx.AsyncClient:
    """An in-process client for the whole sandbox app (gate, API, admin)."""
    from qbsync.sandbox import create_sandbox_app
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_sandbox_app(state)), base_url='http://sandbox')


def bearer(token: str) -> dict[str, str]:
    return {'Authorization': f'Bearer {token}', 'Accept': 'application/json'}
