"""The QuickBooks control center: ``/settings/integrations/quickbooks[/{tab}]`` with seven tabs.

Each tab has its own URL: switching tabs replaces the address (no reload), and opening or reloading a tab's URL
shows that tab. Panels are built the first time their tab is shown, after the browser has connected, so the page
answers at once even when a panel reads from QuickBooks (Account Mapping reads the chart of accounts live).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from fastapi.responses import RedirectResponse
from nicegui import ui

from ..auth import current_user
from ..frame import frame
from ..local import browser_time_zone
from . import dashboard_tab, field_mapping_tab, log_tab, mapping_tab, overview_tab, settings_tab, setup_tab
from .common import CENTER_PATH, CenterContext, tab_path

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register', 'TABS']

log = logging.getLogger(__name__)

PanelBuilder = Callable[[CenterContext], Awaitable[None]]
# URL name, label, icon, builder
TABS: tuple[tuple[str, str, str, PanelBuilder], ...] = (
    ('overview', 'Overview', 'info', overview_tab.build),
    ('settings', 'Sync Settings', 'tune', settings_tab.build),
    ('mapping', 'Account Mapping', 'account_tree', mapping_tab.build),
    ('fields', 'Field Mapping', 'alt_route', field_mapping_tab.build),
    ('dashboard', 'Sync Dashboard', 'monitoring', dashboard_tab.build),
    ('log', 'Sync Log', 'list_alt', log_tab.build),
    ('setup', 'Setup Guide', 'menu_book', setup_tab.build),
)
TAB_NAMES = tuple(name for name, *_ in TABS)


def register(services: Services) -> None:
    @ui.page(CENTER_PATH, title='QuickBooks settings · qbsync')
    async def control_center() -> None:
        await _build(services, TAB_NAMES[0])

    @ui.page(CENTER_PATH + '/{tab}', title='QuickBooks settings · qbsync')
    async def control_center_tab(tab: str) -> RedirectResponse | None:
        if tab not in TAB_NAMES:
            return RedirectResponse(tab_path(TAB_NAMES[0]))
        await _build(services, tab)
        return None


async def _build(services: Services, first_tab: str) -> None:
    user = await current_user(services)
    if user is None:
        return
    with frame('QuickBooks settings', user=user):
        with ui.tabs(value=first_tab).classes('w-full').props('align=left').mark('center-tabs') as tabs:
            for name, label, icon, _ in TABS:
                ui.tab(name, label=label, icon=icon).mark(f'tab-{name}')
        # shielded: a page task cancelled mid-read must not leave the database connection to a closed loop
        formats = await asyncio.shield(services.region.formats(browser_time_zone()))
        context = CenterContext(services=services, user=user, active_tab=lambda: str(tabs.value), formats=formats)
        panels = _LazyPanels(context)
        with ui.tab_panels(tabs, value=first_tab, on_change=lambda e: panels.show(str(e.value))) \
                .classes('w-full').props('keep-alive'):
            for name, *_ in TABS:
                with ui.tab_panel(name).classes('p-0').mark(f'panel-{name}') as panel:
                    panels.containers[name] = panel
    await ui.context.client.connected()  # the HTML is out; now the (possibly slow) first panel
    await panels.show(first_tab, replace_url=False)


class _LazyPanels:
    """Builds each panel once, the first time its tab is shown, and keeps the address in step with the tab."""

    def __init__(self, context: CenterContext) -> None:
        self.context = context
        self.containers: dict[str, ui.tab_panel] = {}
        self.built: set[str] = set()

    async def show(self, name: str, *, replace_url: bool = True) -> None:
        if name not in self.containers:
            return
        if replace_url:
            ui.navigate.history.replace(tab_path(name))
        if name in self.built:
            return
        self.built.add(name)
        builder = next(build for tab, *_, build in TABS if tab == name)
        with self.containers[name]:
            await builder(self.context)
