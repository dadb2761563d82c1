"""What the integrations pages and the control-center panels share: paths, the page context, connect, time labels."""
from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from nicegui import ui

from qbsync.formats import LocalFormats
from qbsync.models import User

from ..auth import allowed, authorize
from ..records.specs import PAGES_BY_TYPE

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['CENTER_PATH', 'CONNECT_PATH', 'INTEGRATIONS_PATH', 'CenterContext', 'start_connect', 'tab_path',
           'next_run_text', 'NextRunLabel', 'record_path']

INTEGRATIONS_PATH = '/settings/integrations'
CENTER_PATH = '/settings/integrations/quickbooks'
CONNECT_PATH = '/api/quickbooks/connect'  # the route redirects the browser to Intuit's consent page


def tab_path(tab: str) -> str:
    return f'{CENTER_PATH}/{tab}'


@dataclass
class CenterContext:
    """One control-center page (one browser tab): who is looking, and how panels tell each other about changes."""
    services: Services
    user: User
    active_tab: Callable[[], str]
    formats: LocalFormats = field(default_factory=LocalFormats)  # the business's time zone, locale and currency
    _listeners: list[Callable[[], Awaitable[None] | None | object]] = field(default_factory=list)

    @property
    def can_manage(self) -> bool:
        return allowed(self.user, manage=True)

    @property
    def is_owner(self) -> bool:
        return allowed(self.user, owner=True)

    def on_change(self, listener: Callable[[], Awaitable[None] | None]) -> None:
        """``listener`` runs after any panel changed the connection, the settings or the mapping."""
        self._listeners.append(listener)

    async def changed(self) -> None:
        for listener in self._listeners:
            result = listener()
            if inspect.isawaitable(result):
                await result


async def start_connect(services: Services) -> None:
    """Send the browser (a full navigation) to the connect route, owners and admins only."""
    if await authorize(services, manage=True) is None:
        return
    ui.navigate.to(CONNECT_PATH)


def record_path(entity_type: str, local_id: int) -> str:
    """The page of one record ('/invoices/7'); '' for an entity type without pages."""
    spec = PAGES_BY_TYPE.get(entity_type)
    return f'{spec.path}/{local_id}' if spec is not None else ''


def next_run_text(services: Services, formats: LocalFormats, now: datetime | None = None) -> str:
    """'Next automatic sync: Dec 1, 2026, 5:45 PM (in 12 minutes)' in the business's time zone, or that it is off."""
    moment = services.scheduler.next_run_at()
    if moment is None:
        return 'Automatic sync is off.'
    return f'Next automatic sync: {formats.when(moment, now or datetime.now(timezone.utc))}'


class NextRunLabel(ui.label):
    """The next automatic run, kept current every second; ``refresh()`` after the schedule changed."""

    def __init__(self, services: Services, formats: LocalFormats) -> None:
        super().__init__(next_run_text(services, formats))
        self._services, self._formats = services, formats
        self.classes('text-grey-8')
        ui.timer(1.0, self.refresh)

    def refresh(self) -> None:
        self.set_text(next_run_text(self._services, self._formats))
