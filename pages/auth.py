"""Login, first-run owner setup, the auth middleware and the role checks every page and action uses.

Sessions: ``app.storage.user`` is keyed by NiceGUI's signed browser cookie (``ui.run(storage_secret=...)``, the
secret is ``settings.storage_secret``: configured, or generated once and kept in the data folder). After login it
holds ``user_id``; nothing else about the user is trusted from it: every page build and every action handler
re-reads the user from the database, so a removed user or a changed role takes effect at once.

Public API (used by every page module):

- ``await current_user(services, *, manage=False, owner=False) -> User | None`` for page builds. ``None`` means the
  request was refused (redirected to /login, or a "not allowed" page was rendered): the page must simply return.
- ``await authorize(services, *, manage=False, owner=False) -> User | None`` for action handlers (button clicks,
  form submits). ``None`` means refused (a negative notification was shown): the handler must stop.
- ``manage=True`` requires ``Role.MANAGERS`` (owner, admin); ``owner=True`` requires the owner.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response
from starlette.types import ASGIApp

from qbsync.models import Role, User
from qbsync.services.errors import LoginLocked, PermissionDenied, ValidationError
from qbsync.web.sessions import FINISH_PATH, local_path

from .frame import ROLE_LABELS, auth_card, frame
from .forms import show_field_errors

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register', 'current_user', 'authorize', 'allowed', 'is_public', 'PUBLIC_PREFIXES', 'AuthMiddleware',
           'OwnerGate']

# never behind the login: the login itself, NiceGUI's assets and websocket (and socket.io's long-polling fallback
# under /_nicegui_ws), health checks, Intuit's webhook (it sends no cookie) and the embedded sandbox (it plays
# Intuit, whose pages the browser visits during connect)
PUBLIC_PREFIXES = ('/login', '/logout', '/setup', '/_nicegui', '/_nicegui_ws', '/healthz', '/api/quickbooks/webhook',
                   '/sandbox', '/favicon.ico')


def is_public(path: str) -> bool:
    """Whether ``path`` is one of PUBLIC_PREFIXES or below one ('/sandbox/v3/...' yes, '/sandboxes' no)."""
    return any(path == prefix or path.startswith(prefix + '/') for prefix in PUBLIC_PREFIXES)


def allowed(user: User, *, manage: bool = False, owner: bool = False) -> bool:
    """Whether ``user`` may do what needs ``manage`` (owner/admin) or ``owner`` rights; everyone active may read."""
    if not user.active:
        return False
    if owner:
        return user.role == Role.OWNER
    if manage:
        return user.role in Role.MANAGERS
    return user.role in Role.ALL


async def current_user(services: Services, *, manage: bool = False, owner: bool = False) -> User | None:
    """The signed-in user for a page build, re-read from the database; ``None`` when refused (the page returns)."""
    user = await _session_user(services)
    if user is None:
        ui.navigate.to('/login')
        return None
    if not allowed(user, manage=manage, owner=owner):
        with frame('Not allowed', user=user):
            ui.label(_refusal(user, owner=owner)).classes('text-lg').mark('access-denied')
            ui.link('Back to Home', '/')
        return None
    return user


async def authorize(services: Services, *, manage: bool = False, owner: bool = False) -> User | None:
    """The signed-in user for an action handler, re-read now; ``None`` (after a notification) when refused."""
    user = await _session_user(services)
    if user is None:
        ui.notify('Your session has ended. Please log in again.', type='negative')
        ui.navigate.to('/login')
        return None
    if not allowed(user, manage=manage, owner=owner):
        ui.notify(_refusal(user, owner=owner), type='negative')
        return None
    return user


def _refusal(user: User, *, owner: bool) -> str:
    needed = 'the owner' if owner else 'owners and admins'
    return f'Not allowed: you are signed in as {ROLE_LABELS.get(user.role, user.role)}; only {needed} can do this.'


async def _session_user(services: Services) -> User | None:
    data = app.storage.user
    user_id = data.get('user_id')
    if not isinstance(user_id, int):
        return None
    user = await services.users.get(user_id)
    if user is None or not user.active or not services.sessions.valid(data, user):
        data.clear()  # removed, deactivated, idle too long, too old, or the password changed: worth nothing now
        return None
    services.sessions.touch(data)
    return user


def _client_address() -> str:
    request = ui.context.client.request
    return request.client.host if request is not None and request.client is not None else ''


def _finish_login(services: Services, user: User, target: str) -> None:
    """Hand the login to the HTTP route that gives this browser a new session (a websocket cannot set cookies)."""
    ticket = services.sessions.issue_ticket(str(app.storage.browser.get('id', '')), user, target)
    ui.navigate.to(f'{FINISH_PATH}?ticket={ticket}')


class OwnerGate:
    """Knows whether the first-run setup is done; shared by the middleware and the /login and /setup pages.

    The owner comes from the /setup form, or from QBSYNC_ADMIN_EMAIL / QBSYNC_ADMIN_PASSWORD at boot
    (``qbsync.services.users.ensure_owner``). The lock serialises the form's creation, so two browsers finishing
    the setup at the same moment cannot both create an owner.
    """

    def __init__(self, services: Services) -> None:
        self.services = services
        self._known = False  # the last owner can never be removed, so once true it stays true
        self.lock = asyncio.Lock()

    async def ready(self) -> bool:
        if not self._known:
            async with self.lock:
                self._known = await self.services.users.owner_exists()
        return self._known


class AuthMiddleware(BaseHTTPMiddleware):
    """Sends every non-public request to /setup until an owner exists, then to /login until someone signs in.

    Page builds check roles themselves (``current_user``); this only makes sure no page or route is reached
    without a live account.
    """

    def __init__(self, asgi_app: ASGIApp, services: Services, gate: OwnerGate) -> None:
        super().__init__(asgi_app)
        self.services = services
        self.gate = gate

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if is_public(path):
            return await call_next(request)
        if not await self.gate.ready():
            return RedirectResponse('/setup')
        if await _session_user(self.services) is None:
            target = path + (f'?{request.url.query}' if request.url.query else '')
            return RedirectResponse(f'/login?redirect_to={quote(target, safe="")}')
        return await call_next(request)


def register(services: Services) -> None:
    gate = OwnerGate(services)
    app.add_middleware(AuthMiddleware, services=services, gate=gate)

    @ui.page('/login', title='Log in · qbsync')
    async def login_page(redirect_to: str = '/') -> RedirectResponse | None:
        if not await gate.ready():
            return RedirectResponse('/setup')
        target = local_path(redirect_to)
        if await _session_user(services) is not None:
            return RedirectResponse(target)

        async def log_in() -> None:
            try:
                user = await services.users.authenticate((email.value or '').strip(), password.value or '',
                                                         address=_client_address())
            except LoginLocked as locked:
                user, reason = None, str(locked)
            else:
                reason = 'Wrong email or password.'
            if user is None:
                password.value = ''
                message.set_text(reason)
                message.set_visibility(True)
                return
            _finish_login(services, user, target)

        with auth_card('Log in to qbsync', 'Keep your records and QuickBooks in step.'):
            # a real <form>: password managers offer to save and fill it, and Enter submits it (the browser clicks
            # the submit button, whose handler logs in); the page itself never reloads
            with ui.element('form').classes('w-full flex flex-col gap-3') \
                    .on('submit', js_handler='(event) => event.preventDefault()').props('method=post action=/login'):
                email = ui.input('Email').props('autofocus autocomplete=username name=username type=email outlined') \
                    .classes('w-full').mark('login-email')
                password = ui.input('Password', password=True, password_toggle_button=True) \
                    .props('autocomplete=current-password name=password outlined').classes('w-full') \
                    .mark('login-password')
                message = ui.label().classes('text-negative').props('role=alert').mark('login-error')
                message.set_visibility(False)
                ui.button('Log in', on_click=log_in).props('type=submit unelevated no-caps size=lg') \
                    .classes('w-full').mark('login-submit')
        return None

    @ui.page('/setup', title='Set up qbsync')
    async def setup_page() -> RedirectResponse | None:
        if await gate.ready():
            return RedirectResponse('/login')

        async def create_owner() -> None:
            for field in (*fields.values(), confirm):
                field.error = None
            if (fields['password'].value or '') != (confirm.value or ''):
                confirm.error = 'The two passwords do not match.'
                return
            async with gate.lock:
                if await services.users.owner_exists():  # someone finished the setup in another tab meanwhile
                    ui.notify('The owner account already exists. Please log in.', type='warning')
                    ui.navigate.to('/login')
                    return
                try:
                    user = await services.users.create_user(email=(fields['email'].value or '').strip(),
                                                            name=(fields['name'].value or '').strip(),
                                                            password=fields['password'].value or '', role=Role.OWNER)
                except ValidationError as error:
                    show_field_errors(fields, error)
                    return
                except PermissionDenied:  # an owner appeared meanwhile (e.g. from another process)
                    ui.navigate.to('/login')
                    return
            _finish_login(services, user, '/')

        with auth_card('Welcome to qbsync', 'Create the owner account. The owner can add other users later.'):
            with ui.element('form').classes('w-full flex flex-col gap-3') \
                    .on('submit', js_handler='(event) => event.preventDefault()'):
                fields = {
                    'name': ui.input('Your name').props('autocomplete=name outlined').classes('w-full')
                    .mark('setup-name'),
                    'email': ui.input('Email').props('autocomplete=username type=email outlined').classes('w-full')
                    .mark('setup-email'),
                    'password': ui.input('Password', password=True, password_toggle_button=True)
                    .props('autocomplete=new-password outlined').classes('w-full').mark('setup-password'),
                }
                confirm = ui.input('Repeat the password', password=True) \
                    .props('autocomplete=new-password outlined').classes('w-full').mark('setup-confirm')
                ui.button('Create owner account', on_click=create_owner) \
                    .props('type=submit unelevated no-caps size=lg').classes('w-full').mark('setup-submit')
        return None
