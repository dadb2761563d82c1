"""The sandbox's admin API under ``/_sandbox`` (mounted only when ``SandboxConfig.admin_api`` is on).

Each admin area is a sub-router without the ``/_sandbox`` prefix; this module gathers them. The areas that change
things (apps, grants, tokens, companies, faults) can be limited to loopback callers
(``SandboxConfig.admin_loopback_only``) and, better, to callers presenting ``SandboxConfig.admin_token``
(``Authorization: Bearer <token>``): the embedded demo sandbox is reachable by whoever reaches the app, and
re-registering the demo app's redirect URI or minting tokens must not be open to them. A loopback peer alone proves
little (a reverse proxy on the same machine makes every caller local), so when a token is set it is always required.
The read-only inspect page stays open: showing what arrived in "QuickBooks" is its purpose.
"""
from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, Depends, HTTPException, Request

from .. import inspect
from . import apps, companies, faults

__all__ = ['router']


def _trusted_caller(request: Request) -> None:
    config = request.app.state.sandbox.config
    if config.admin_token:
        scheme, _, presented = request.headers.get('authorization', '').partition(' ')
        expected = config.admin_token.encode()
        if scheme.lower() != 'bearer' or not hmac.compare_digest(presented.strip().encode(), expected):
            raise HTTPException(401, 'The sandbox admin API needs its admin token (Authorization: Bearer <token>).',
                                headers={'WWW-Authenticate': 'Bearer'})
        return
    if not config.admin_loopback_only:
        return
    host = request.client.host if request.client else ''
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == 'localhost'
    if not loopback:
        raise HTTPException(403, 'The sandbox admin API answers only on this machine (loopback callers).')


router = APIRouter(prefix='/_sandbox')
for area in (apps, faults, companies):
    router.include_router(area.router, dependencies=[Depends(_trusted_caller)])
router.include_router(inspect.router)
