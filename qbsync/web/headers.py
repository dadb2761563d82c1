"""Security headers on every HTTP response: no framing (clickjacking), no MIME sniffing, no full URLs in
Referer headers to other sites, and HSTS when the app is served over https.

A pure ASGI middleware (not BaseHTTPMiddleware): it only adds headers to ``http.response.start`` and never
buffers a body, so streaming responses and websockets pass untouched. A full script CSP is not set: NiceGUI's
pages rely on inline scripts; ``frame-ancestors 'none'`` is the part of CSP that matters here.
"""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ['SecurityHeadersMiddleware', 'security_headers']

HSTS = 'max-age=31536000; includeSubDomains'


def security_headers(*, https: bool) -> list[tuple[bytes, bytes]]:
    headers = [(b'x-frame-options', b'DENY'), (b'content-security-policy', b"frame-ancestors 'none'"),
               (b'x-content-type-options', b'nosniff'), (b'referrer-policy', b'same-origin')]
    if https:
        headers.append((b'strict-transport-security', HSTS.encode()))
    return headers


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.headers = security_headers(https=https)
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message['type'] == 'http.response.start':
                kept = [(k, v) for k, v in message.get('headers', []) if k.lower() not in self.names]
                message = {**message, 'headers': kept + self.headers}
            await send(message)

        await self.app(scope, receive, with_headers)
