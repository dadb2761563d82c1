"""An in-process ASGI transport that keeps the called app's context variables to itself.

In demo mode the app calls its own embedded sandbox through ``httpx.ASGITransport``, which runs the ASGI app in the
caller's task. NiceGUI's request-tracking middleware sets a request context variable for every HTTP request it
sees; run in the caller's context, that value leaks back into the page or event handler that made the QuickBooks
call, and every element created afterwards is bound to the sandbox request instead of the browser's (its session,
hence ``app.storage.user``, is then empty: the next click looks signed out). Running each request in its own task
gives the app a copy of the context, so nothing flows back.
"""
from __future__ import annotations

import asyncio

import httpx

__all__ = ['LoopbackTransport']


class LoopbackTransport(httpx.ASGITransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await asyncio.ensure_future(super().handle_async_request(request))
