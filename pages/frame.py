"""The page frame every signed-in page is built inside: header, left navigation, signed-in user, Log out.

Modelled on NiceGUI's ``examples/modularization/theme.py``: a context manager, so a page reads

    with frame('Customers', user=user):
        ...page content...

The navigation only *hides* what a role may not use; every page and action checks the role on the server again
(``pages.auth``), so a forged link or click is refused all the same.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nicegui import app, ui

from qbsync.models import Role, User

from .theme import apply_theme

__all__ = ['frame', 'auth_card', 'NavEntry', 'NAVIGATION', 'ROLE_LABELS']

ROLE_LABELS = {Role.OWNER: 'Owner', Role.ADMIN: 'Admin', Role.VIEWER: 'Viewer (read-only)'}


@dataclass(frozen=True)
class NavEntry:
    label: str
    path: str
    icon: str
    marker: str
    owner_only: bool = False


NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry('Home', '/', 'home', 'nav-home'),
    NavEntry('Customers', '/customers', 'people', 'nav-customers'),
    NavEntry('Items', '/items', 'inventory_2', 'nav-items'),
    NavEntry('Invoices', '/invoices', 'receipt_long', 'nav-invoices'),
    NavEntry('Payments', '/payments', 'payments', 'nav-payments'),
    NavEntry('Expenses', '/expenses', 'shopping_cart', 'nav-expenses'),
    NavEntry('Credit memos', '/credit-memos', 'assignment_return', 'nav-credit-memos'),
    NavEntry('Integrations', '/settings/integrations', 'settings', 'nav-integrations'),
    NavEntry('Region and formats', '/settings/region', 'language', 'nav-region'),
    NavEntry('Users', '/users', 'manage_accounts', 'nav-users', owner_only=True),
)


@contextmanager
def frame(title: str, *, user: User) -> Iterator[ui.column]:
    """Build the shared layout around a page's content and yield the content column.

    :param title: the page heading, also shown in the header and the browser tab
    :param user: the signed-in user (from ``pages.auth.current_user``); decides which entries the navigation shows
    """
    ui.page_title(f'{title} · qbsync')
    apply_theme()
    with ui.header().classes('items-center justify-between bg-primary text-white px-2 sm:px-4 py-2 no-wrap'):
        with ui.row().classes('items-center gap-2 no-wrap min-w-0'):
            ui.button(icon='menu', on_click=lambda: drawer.toggle()).props(
                'flat round color=white dense aria-label="Show or hide the navigation"').mark('nav-toggle')
            ui.link('qbsync', '/').classes('text-lg font-bold text-white no-underline')
            ui.label('·').classes('opacity-80 gt-xs')
            ui.label(title).classes('text-lg truncate').props('role=heading aria-level=1').mark('page-title')
        with ui.row().classes('items-center gap-1 sm:gap-3 no-wrap'):
            ui.label(f'{user.name or user.email} · {ROLE_LABELS.get(user.role, user.role)}') \
                .classes('gt-sm').mark('signed-in-user')
            ui.button(icon='key', on_click=lambda: ui.navigate.to('/account/password')) \
                .props('flat round color=white dense aria-label="Change my password"').tooltip('Change my password') \
                .mark('nav-password')
            ui.button('Log out', icon='logout', on_click=_log_out).props('flat no-caps color=white').mark('logout')
    # value=None: open beside the page on a wide screen, a slide-over behind the menu button on a phone
    with ui.left_drawer(value=None, bordered=True).classes('bg-grey-1 q-pa-sm').props('aria-label=Navigation') \
            as drawer:
        current = _current_path()
        with ui.element('nav').classes('w-full').props('aria-label=Main'):
            for entry in NAVIGATION:
                if entry.owner_only and user.role != Role.OWNER:
                    continue
                active = current == entry.path or (entry.path != '/' and current.startswith(entry.path + '/'))
                with ui.link(target=entry.path).classes('no-underline w-full').mark(entry.marker) as link:
                    if active:
                        link.props('aria-current=page')
                    with ui.row().classes('items-center gap-3 px-3 py-2 rounded w-full no-wrap ' +
                                          ('bg-green-1 text-primary font-bold' if active else 'text-grey-9')):
                        ui.icon(entry.icon).props('aria-hidden=true')
                        ui.label(entry.label)
    with ui.element('main').classes('w-full max-w-6xl mx-auto p-2 sm:p-4'):
        with ui.column().classes('w-full gap-4') as content:
            yield content


@contextmanager
def auth_card(title: str, subtitle: str = '') -> Iterator[ui.card]:
    """The layout of the pages before signing in (login, first-run setup): the same colours and type as the app,
    one centred card that fits a phone."""
    apply_theme()
    with ui.element('main').classes('w-full min-h-screen flex items-center justify-center p-4'):
        with ui.card().classes('w-full max-w-md gap-4 p-6').props('flat bordered') as card:
            with ui.row().classes('items-center gap-2'):
                ui.icon('sync', size='2rem').classes('text-primary').props('aria-hidden=true')
                ui.label('qbsync').classes('text-xl font-bold text-primary')
            ui.label(title).classes('text-2xl font-bold').props('role=heading aria-level=1')
            if subtitle:
                ui.label(subtitle).classes('text-grey-8')
            yield card


def _current_path() -> str:
    request = ui.context.client.request
    return request.url.path if request is not None else ''


def _log_out() -> None:
    """Forget the signed-in user for this browser and give it a new session (qbsync.web.sessions)."""
    app.storage.user.clear()
    ui.navigate.to('/logout')
