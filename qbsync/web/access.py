"""Who may see operational details (/healthz details, /metrics): a caller on this machine, or one with the token.

"On this machine" means a loopback peer *and* no proxy headers: behind a reverse proxy on the same host every
request comes from 127.0.0.1, so a request that a proxy forwarded is treated as public unless it carries the token.
"""
from __future__ import annotations

import hmac
import ipaddress

from starlette.requests import HTTPConnection

__all__ = ['is_trusted_caller', 'is_loopback_peer', 'PROXY_HEADERS']

PROXY_HEADERS = ('x-forwarded-for', 'x-real-ip', 'forwarded', 'x-forwarded-host', 'x-forwarded-proto')


def is_trusted_caller(request: HTTPConnection, token: str) -> bool:
    """True for a direct loopback caller, or any caller presenting ``token`` (``Authorization: Bearer <token>``)."""
    if token:
        presented = request.headers.get('authorization', '')
        scheme, _, value = presented.partition(' ')
        if scheme.lower() == 'bearer' and hmac.compare_digest(value.strip().encode(), token.encode()):
            return True
    return is_loopback_peer(request)


def is_loopback_peer(request: HTTPConnection) -> bool:
    """A direct connection from this machine (no proxy headers)."""
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    host = request.client.host if request.client is not None else ''
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
