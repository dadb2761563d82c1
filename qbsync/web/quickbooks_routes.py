"""Plain routes for QuickBooks: start the OAuth connect, Intuit's callback, the company-switch choice, webhooks.

The browser session is NiceGUI's signed cookie session (``request.session['id']``, what ``app.storage.browser``
holds) and the signed-in user is ``app.storage.user['user_id']``, reached through ``request.app`` so that qbsync
does not import NiceGUI. Every failure of the connect flow is a readable HTML page, never a stack trace.
"""
from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..models import Role, User
from ..quickbooks.webhooks import verify_signature
from ..services.connection_views import ConnectOutcome, ConnectResult
from .limits import MAX_WEBHOOK_BODY, read_limited

if TYPE_CHECKING:
    from ..services import Services

__all__ = ['build_router', 'SUCCESS_PATH', 'INTEGRATIONS_PATH']

log = logging.getLogger(__name__)

SUCCESS_PATH = '/settings/integrations/quickbooks'
INTEGRATIONS_PATH = '/settings/integrations'


# (title, body HTML) -> the whole page: the app's header and navigation around the result (pages.static_layout)
PageLayout = Callable[[str, str], str]


def build_router(services: Services, *, layout: PageLayout | None = None) -> APIRouter:
    """:param layout: wraps the connect result pages in the app's own layout and navigation; without one they are
        plain, self-contained pages"""
    router = APIRouter(prefix='/api/quickbooks')

    def _page(title: str, message: str, *, status: int = 200, actions: str = '') -> HTMLResponse:
        return _result_page(title, message, status=status, actions=actions, layout=layout)

    def _render(outcome: ConnectOutcome) -> Response:
        return _render_outcome(outcome, _page)

    @router.get('/connect')
    async def connect(request: Request) -> Response:  # a company switch is always confirmed on its own page
        session_id, user = await _identity(services, request)
        if user is None or session_id is None:
            return RedirectResponse(f'/login?redirect_to={INTEGRATIONS_PATH}', status_code=303)
        if not user.active or user.role not in Role.MANAGERS:
            return _page('Not allowed', 'Only owners and admins may connect QuickBooks.', status=403)
        assert user.id is not None
        url = await services.connection.begin_connect(session_id, user.id)
        return RedirectResponse(url, status_code=303)

    @router.get('/callback')
    async def callback(request: Request, state: str | None = None, code: str | None = None,
                       realmId: str | None = None, error: str | None = None,  # noqa: N803 (Intuit's name)
                       error_description: str | None = None) -> Response:
        session_id, user = await _identity(services, request)
        outcome = await services.connection.complete_connect(
            session_id, user.id if user else None, state=state, code=code, realm_id=realmId, error=error,
            error_description=error_description)
        if outcome.result in (ConnectResult.INVALID_STATE, ConnectResult.FAILED):
            log.warning('QuickBooks connect not completed: %s', outcome.message)
        return _render(outcome)

    @router.post('/switch/confirm')
    async def confirm_switch(request: Request, ticket: str = Form('')) -> Response:
        session_id, user = await _identity(services, request)
        return _render(await services.connection.confirm_switch(session_id, user.id if user else None, ticket))

    @router.post('/switch/cancel')
    async def cancel_switch(request: Request, ticket: str = Form('')) -> Response:
        session_id, user = await _identity(services, request)
        return _render(await services.connection.cancel_switch(session_id, user.id if user else None, ticket))

    @router.post('/webhook')
    async def webhook(request: Request) -> Response:
        body = await read_limited(request, MAX_WEBHOOK_BODY)  # the exact bytes Intuit signed, or None
        if body is None:  # refused before any hashing: an unsigned flood costs neither memory nor CPU
            log.warning('webhook refused: body over %d bytes', MAX_WEBHOOK_BODY)
            return Response('payload too large', status_code=413, media_type='text/plain')
        signature = request.headers.get('intuit-signature')
        if not verify_signature(body, signature, services.settings.webhook_verifier_token):
            log.warning('webhook refused: missing or wrong intuit-signature')
            return Response('invalid signature', status_code=401, media_type='text/plain')
        try:  # on disk when this returns; parsed and stored right after, never before the answer (Intuit: 3 s)
            services.webhooks.accept(body)
        except OSError as exc:  # a full or read-only disk: Intuit retries anything but a 200
            log.error('webhook: the delivery could not be kept (%s); answering 503 so that Intuit sends it again', exc)
            return Response('try again later', status_code=503, media_type='text/plain')
        return Response(status_code=200)

    return router


async def _identity(services: Services, request: Request) -> tuple[str | None, User | None]:
    """The browser session id and the signed-in user (re-read from the database), either possibly None."""
    session: Any = request.scope.get('session') or {}
    session_id = session.get('id') if isinstance(session, dict) else None
    storage = getattr(getattr(request.app, 'storage', None), 'user', None)
    user_id = storage.get('user_id') if storage is not None else None
    user = await services.users.get(user_id) if isinstance(user_id, int) else None
    if user is not None and not services.sessions.valid(storage, user):  # idle, too old, or password changed
        user = None
    return (str(session_id) if session_id else None), (user if user is not None and user.active else None)


def _render_outcome(outcome: ConnectOutcome, _page: Callable[..., HTMLResponse]) -> Response:
    if outcome.result == ConnectResult.CONNECTED:
        return RedirectResponse(SUCCESS_PATH, status_code=303)
    if outcome.result == ConnectResult.CONFIRM_SWITCH and outcome.switch is not None:
        ticket = html.escape(outcome.switch.ticket)
        actions = (
            f'<form method="post" action="/api/quickbooks/switch/confirm"><input type="hidden" name="ticket" '
            f'value="{ticket}"><button type="submit" class="danger" data-testid="confirm-switch">Switch to '
            f'{html.escape(outcome.switch.company_name or outcome.switch.realm_id)}</button></form>'
            f'<form method="post" action="/api/quickbooks/switch/cancel"><input type="hidden" name="ticket" '
            f'value="{ticket}"><button type="submit" data-testid="cancel-switch">Keep '
            f'{html.escape(outcome.switch.previous_company_name or outcome.switch.previous_realm_id)}</button></form>')
        return _page(outcome.title, outcome.message, actions=actions)
    status = 400 if outcome.result in (ConnectResult.INVALID_STATE, ConnectResult.FAILED) else 200
    return _page(outcome.title, outcome.message, status=status)


def _result_page(title: str, message: str, *, status: int, actions: str, layout: PageLayout | None) -> HTMLResponse:
    content = (f'<h1 data-testid="title">{html.escape(title)}</h1><p data-testid="message">{html.escape(message)}</p>'
               f'<div class="actions">{actions}</div><p><a href="{INTEGRATIONS_PATH}">Back to Integrations</a></p>')
    if layout is not None:
        return HTMLResponse(layout(title, content), status_code=status)
    body = f'''<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · qbsync</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}}
h1{{font-size:1.5rem}}form{{display:inline-block;margin:0 .5rem 0 0}}button{{padding:.5rem 1rem;cursor:pointer}}
button.danger{{background:#b91c1c;color:#fff;border:0;border-radius:4px}}</style></head>
<body>{content}</body></html>'''
    return HTMLResponse(body, status_code=status)
