"""What the integrations pages and the control-center panels share: paths, the page context, connect, time labels."""
from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from nicegui import ui

from qbsync.models import User

from ..auth import allowed, authorize
from ..records.specs import PAGES_BY_TYPE

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['CENTER_PATH', 'CONNECT_PATH', 'INTEGRATIONS_PATH', 'CenterContext', 'start_connect', 'tab_path',
           'stamp', 'countdown', 'next_run_text', 'NextRunLabel', 'record_path']

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


def stamp(moment: datetime | None) -> str:
    """A UTC time as the pages show it ('—' when there is none)."""
    if moment is None:
        return '—'
    return moment.astimezone(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')


def countdown(moment: datetime | None, now: datetime) -> str:
    """'in 2 days 3 hours', 'in 58 min 12 s', 'expired 5 min ago': how long until (or since) ``moment``."""
    if moment is None:
        return 'unknown'
    seconds = int((moment - now).total_seconds())
    text = _span(abs(seconds))
    return f'in {text}' if seconds > 0 else f'expired {text} ago'


def next_run_text(services: Services, now: datetime | None = None) -> str:
    """'Next automatic sync: 2026-12-01 17:45 UTC (in 12 min 3 s)', or that automatic sync is off."""
    moment = services.scheduler.next_run_at()
    if moment is None:
        return 'Automatic sync is off.'
    return f'Next automatic sync: {stamp(moment)} ({countdown(moment, now or datetime.now(timezone.utc))})'


class NextRunLabel(ui.label):
    """The next automatic run, counting down every second; ``refresh()`` after the schedule changed."""

    def __init__(self, services: Services) -> None:
        super().__init__(next_run_text(services))
        self._services = services
        self.classes('text-grey-8')
        ui.timer(1.0, self.refresh)

    def refresh(self) -> None:
        self.set_text(next_run_text(self._services))


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f'{days} day{"s" if days != 1 else ""} {hours} h'
    if hours:
        return f'{hours} h {minutes} min'
    return f'{minutes} min {secs} s'
