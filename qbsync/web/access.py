"""Who may read operational detail (/metrics, and the detailed /healthz): the machine itself, or a caller that
presents QBSYNC_HEALTH_TOKEN.

Loopback means the TCP peer is 127.0.0.1/::1 *and* no proxy header says the request came from elsewhere: behind a
reverse proxy on the same host every request looks local, so a forwarded one must bring the token.
"""
from __future__ import annotations

import hmac

from starlette.requests import Request

__all__ = ['operator_allowed', 'LOOPBACK']

LOOPBACK = frozenset({'127.0.0.1', '::1', 'localhost'})
_FORWARDED = ('forwarded', 'x-forwarded-for', 'x-real-ip')


def operator_allowed(request: Request, token: str) -> bool:
    """``Authorization: Bearer <token>`` (or ``?token=``) when a token is set; otherwise loopback only."""
    if token:
        offered = request.headers.get('authorization', '')
        offered = offered[7:].strip() if offered.lower().startswith('bearer ') else request.query_params.get('token',
                                                                                                              '')
        if offered and hmac.compare_digest(offered.encode(), token.encode()):
            return True
    client = request.client.host if request.client else ''
    return client in LOOPBACK and not any(name in request.headers for name in _FORWARDED)
