"""The in-process transport must not let the called ASGI app's context variables leak back into the caller."""
from __future__ import annotations

import contextvars

import httpx

from qbsync.web.loopback import LoopbackTransport

current_request: contextvars.ContextVar[str | None] = contextvars.ContextVar('current_request', default=None)


async def tracking_app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    """Like NiceGUI's request-tracking middleware: remembers the request in a context variable."""
    current_request.set(scope['path'])
    await send({'type': 'http.response.start', 'status': 200, 'headers': [(b'content-type', b'text/plain')]})
    await send({'type': 'http.response.body', 'body': b'ok'})


async def _call(transport: httpx.AsyncBaseTransport) -> str:
    async with httpx.AsyncClient(transport=transport, base_url='http://app.test') as client:
        response = await client.get('/sandbox/v3/company/1/query')
    return response.text


async def test_plain_asgi_transport_leaks_the_request_into_the_caller() -> None:
    current_request.set('/settings/integrations/quickbooks')
    assert await _call(httpx.ASGITransport(app=tracking_app)) == 'ok'
    assert current_request.get() == '/sandbox/v3/company/1/query'  # why LoopbackTransport exists


async def test_loopback_transport_keeps_the_callers_context() -> None:
    current_request.set('/settings/integrations/quickbooks')
    assert await _call(LoopbackTransport(app=tracking_app)) == 'ok'
    assert current_request.get() == '/settings/integrations/quickbooks'
