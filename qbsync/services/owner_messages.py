"""What to tell an owner about the connection and about QuickBooks errors: plain words and the one action that helps.

Pages draw these (``pages.widgets.problem``); the wording lives here, without NiceGUI, so the dashboard, the log,
the mapping tab and the home page say the same thing about the same problem. ``Action`` names what the page offers:
``RECONNECT`` (start the OAuth connect again), ``OPEN_MAPPING`` (Account Mapping), ``RETRY`` (try again later) or
``CONNECT`` (no company yet).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from ..formats import LocalFormats
from ..labels import plain
from ..quickbooks.errors import (AuthenticationError, AuthorizationError, NetworkError, NotConnectedError, OAuthError,
                                 QuickBooksError, ReconnectRequired, ServerError, ThrottledError, ValidationFault)
from .connection_views import ConnectionView

__all__ = ['OwnerMessage', 'connection_health', 'explain_error', 'RECONNECT', 'OPEN_MAPPING', 'RETRY', 'CONNECT']

RECONNECT, OPEN_MAPPING, RETRY, CONNECT = 'reconnect', 'open_mapping', 'retry', 'connect'
_RECONNECT_TEXT = re.compile(r'invalid_grant|token (is )?(invalid|expired|revoked)|reconnect', re.IGNORECASE)
_MAPPING_TEXT = re.compile(r'\b(map|mapping|mapped)\b', re.IGNORECASE)


@dataclass(frozen=True)
class OwnerMessage:
    title: str
    detail: str
    action: str | None = None  # RECONNECT | OPEN_MAPPING | RETRY | CONNECT
    tone: str = 'warning'  # positive | warning | negative (how the page colours it)
    support: str = ''  # what to quote to Intuit support (error code, intuit_tid); never a secret


def connection_health(view: ConnectionView | None, formats: LocalFormats) -> OwnerMessage:
    """'Connected to Acme. Access renews automatically; reconnect needed by 11 Mar 2027.' instead of countdowns.

    The date is when Intuit ends the authorization whatever happens (refresh tokens have a maximum lifetime), or
    the rolling refresh-token expiry when that is unknown (the keep-alive renews it long before).
    """
    if view is None or view.status == 'disconnected':
        name = f' from {view.company_name}' if view is not None and view.company_name else ''
        return OwnerMessage('Not connected to QuickBooks',
                            f'qbsync is disconnected{name}. Connect a QuickBooks Online company to start sending '
                            'customers, invoices and payments.', CONNECT, 'warning')
    name = view.company_name or 'your QuickBooks company'
    if view.needs_reconnect:
        return OwnerMessage(f'Reconnect {name}',
                            'QuickBooks no longer accepts qbsync\'s access (it was revoked, expired, or the '
                            'connecting user lost access). Syncing is paused until you reconnect; nothing is lost.',
                            RECONNECT, 'negative', support=view.last_error)
    if view.status == 'pending_switch':
        return OwnerMessage('Waiting for you to confirm a company switch',
                            'You connected a different QuickBooks company. Choose whether to switch to it or keep '
                            f'{name}.', CONNECT, 'warning')
    until = view.refresh_token_hard_expires_at or view.refresh_token_expires_at
    renew = 'Access renews automatically'
    detail = f'{renew}; reconnect needed by {formats.date(until)}.' if until else f'{renew}.'
    return OwnerMessage(f'Connected to {name}', detail, None, 'positive')


def explain_error(error: QuickBooksError | BaseException | str) -> OwnerMessage:
    """A QuickBooks or connection error in plain language, with the action that fixes it."""
    text = str(error)
    if isinstance(error, (ReconnectRequired, AuthorizationError)) or \
            (isinstance(error, OAuthError) and error.error == 'invalid_grant') or \
            (isinstance(error, str) and _RECONNECT_TEXT.search(error)):
        return OwnerMessage('QuickBooks needs to be reconnected',
                            'QuickBooks no longer accepts qbsync\'s access (it was revoked or expired). Reconnect '
                            'to continue; your records and settings are kept.', RECONNECT, 'negative',
                            support=_support(error))
    if isinstance(error, NotConnectedError):
        return OwnerMessage('QuickBooks is not connected', 'Connect a QuickBooks company first.', CONNECT)
    if isinstance(error, AuthenticationError):
        return OwnerMessage('QuickBooks did not accept the sign-in',
                            'qbsync will renew its access and try again. If this keeps happening, reconnect.',
                            RECONNECT, 'warning', support=_support(error))
    if isinstance(error, ThrottledError):
        return OwnerMessage('QuickBooks asked us to slow down',
                            'Too many requests in a short time. Try again in a minute.', RETRY, support=_support(error))
    if isinstance(error, (ServerError, NetworkError)):
        return OwnerMessage('QuickBooks could not be reached',
                            'QuickBooks did not answer or had a problem on its side. Nothing was lost; try again in '
                            'a few minutes.', RETRY, support=_support(error))
    if isinstance(error, ValidationFault):
        detail = error.detail or text
        return OwnerMessage('QuickBooks refused the change', f'QuickBooks said: {detail}',
                            OPEN_MAPPING if _MAPPING_TEXT.search(detail) else None, 'negative',
                            support=_support(error))
    if _MAPPING_TEXT.search(text):
        return OwnerMessage('An account is not mapped yet', text, OPEN_MAPPING)
    return OwnerMessage('Something went wrong with QuickBooks', text or plain(type(error).__name__), RETRY, 'negative',
                        support=_support(error))


def _support(error: object) -> str:
    if not isinstance(error, QuickBooksError):
        return str(error) if isinstance(error, str) else ''
    parts = [f'code {error.code}' if error.code else '', f'intuit_tid {error.intuit_tid}' if error.intuit_tid else '']
    return ', '.join(p for p in parts if p) or str(error)
