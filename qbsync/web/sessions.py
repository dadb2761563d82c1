"""Session rotation over plain HTTP: finishing a login, logging out, and the only redirect targets allowed.

A new session id (and fresh server-side storage under it) is given at login and at logout, so a session cookie
planted in a browser before its owner logs in signs nobody in, and a cookie copied before a logout opens nothing
after it. The storage is NiceGUI's per-browser user storage, reached through ``request.app.storage`` so that qbsync
does not import NiceGUI (as in ``quickbooks_routes``).
"""
from __future__ import annotations

import logging
import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

if TYPE_CHECKING:
    from ..services import Services

__all__ = ['build_router', 'local_path', 'rotate_session', 'FINISH_PATH', 'LOGOUT_PATH']

log = logging.getLogger(__name__)

FINISH_PATH = '/login/finish'
LOGOUT_PATH = '/logout'
_CONTROL = re.compile(r'[\x00-\x20\x7f-\x9f]')  # browsers drop tabs and newlines anywhere in a URL; spaces too


def local_path(target: str | None, default: str = '/') -> str:
    """``target`` if it is a path on this site, else ``default``: no scheme, no host, no ``//`` or ``/\\`` once
    control characters are gone and backslashes read as browsers read them (``/%09/evil.example`` arrives as
    ``/\\t/evil.example``, which a browser follows to evil.example)."""
    cleaned = _CONTROL.sub('', target or '')
    as_browser = cleaned.replace('\\', '/')
    if not as_browser.startswith('/') or as_browser.startswith('//'):
        return default
    parts = urlsplit(as_browser)
    if parts.scheme or parts.netloc:
        return default
    return cleaned.replace('\\', '/')


async def rotate_session(request: Request, values: dict[str, Any] | None = None) -> str:
    """Give this browser a new session id with fresh storage holding ``values``; the old storage is emptied.
    Returns the new id (the session cookie carrying it is set on the response by the session middleware)."""
    storage: Any = request.app.storage
    session: dict[str, Any] = request.session
    old = session.get('id')
    users: dict[str, Any] = storage._users  # noqa: SLF001 (NiceGUI keeps per-session storage here)
    if old in users:
        users[old].clear()
    new = str(uuid.uuid4())
    session.clear()
    session['id'] = new
    await storage._create_user_storage(new)  # noqa: SLF001
    users[new].update(values or {})
    return new


def build_router(services: Services) -> APIRouter:
    router = APIRouter()

    @router.get(FINISH_PATH, include_in_schema=False)
    async def finish_login(request: Request, ticket: str = '') -> Response:
        ticket_data = services.sessions.redeem_ticket(ticket, request.session.get('id'))
        user = await services.users.get(ticket_data.user_id) if ticket_data is not None else None
        if ticket_data is None or user is None:
            log.warning('login not finished: unknown, used, expired or foreign ticket')
            return RedirectResponse('/login', status_code=303)
        await rotate_session(request, services.sessions.start(user))
        return RedirectResponse(local_path(ticket_data.target), status_code=303)

    @router.get(LOGOUT_PATH, include_in_schema=False)
    async def log_out(request: Request) -> Response:
        await rotate_session(request)
        return RedirectResponse('/login', status_code=303)

    return router
