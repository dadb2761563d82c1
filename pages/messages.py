"""Shows a ``qbsync.services.owner_messages.OwnerMessage`` with the button its action calls for.

Reconnect and Connect start the OAuth flow (owners and admins; a viewer is told whom to ask), Open Account Mapping
goes to that tab. Whichever tab meets a broken connection offers Reconnect right there.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qbsync.services.owner_messages import CONNECT, OPEN_MAPPING, RECONNECT, RETRY, OwnerMessage

from .widgets import Action, problem

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['show_message', 'MAPPING_PATH']

MAPPING_PATH = '/settings/integrations/quickbooks/mapping'


def show_message(services: Services, message: OwnerMessage, *, can_manage: bool, marker: str = 'problem',
                 on_retry: Callable[[], Any] | None = None) -> None:
    from .integrations.common import start_connect  # NOTE: integrations imports this module too

    action: Action | None = None
    detail = message.detail
    if message.action in (RECONNECT, CONNECT):
        label = 'Reconnect QuickBooks' if message.action == RECONNECT else 'Connect QuickBooks'
        if can_manage:
            action = Action(label, on_click=lambda: start_connect(services), icon='link', marker=f'{marker}-connect')
        else:
            detail += ' Ask an owner or admin to do this.'
    elif message.action == OPEN_MAPPING:
        action = Action('Open Account Mapping', href=MAPPING_PATH, icon='account_tree', kind='secondary',
                        marker=f'{marker}-mapping')
    elif message.action == RETRY and on_retry is not None:
        action = Action('Try again', on_click=on_retry, icon='refresh', kind='secondary', marker=f'{marker}-retry')
    note = f'For support: {message.support}' if message.support else ''
    problem(message.title, detail, action=action, marker=marker, tone=message.tone, note=note)
