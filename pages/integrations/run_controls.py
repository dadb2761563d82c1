"""The Sync Dashboard's run controls: Sync to QuickBooks, Sync from QuickBooks, Preview, and the live progress.

Progress comes from the runner's progress bus (pushed, never polled); a run started here goes on in the background
when the page is closed. Buttons are disabled for viewers and while a run is going (here, elsewhere in this app,
or in another process, which the lease reveals).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import background_tasks, ui

from qbsync.models import User
from qbsync.sync.progress import RunProgress
from qbsync.sync.stats import RunResult

from ..auth import authorize
from .common import CenterContext, tab_path
from .sync_actions import PLAN_COLUMNS, REFUSALS, plan_rows

__all__ = ['RunControls', 'progress_text', 'result_text']

DIRECTIONS = {'outbound': 'to QuickBooks', 'inbound': 'from QuickBooks'}


def progress_text(progress: RunProgress) -> str:
    """'Invoices: 1,200 of 5,000 · 41.2 records/s · about 2 min left'."""
    parts = [progress.message or f'{progress.done:,} of {progress.total:,}']
    if progress.rate > 0:
        parts.append(f'{progress.rate:,.1f} records/s')
    if progress.eta_seconds is not None and progress.eta_seconds > 0:
        minutes, seconds = divmod(int(progress.eta_seconds + 0.5), 60)
        parts.append(f'about {minutes} min {seconds} s left' if minutes else f'about {seconds} s left')
    return ' · '.join(parts)


def result_text(direction: str, message: str) -> str:
    """'Last run to QuickBooks: 12 synced, 1 failed, 0 skipped': one line per direction."""
    return f'Last run {DIRECTIONS.get(direction, DIRECTIONS["outbound"])}: {message}'


class RunControls:
    """Buttons, the progress panel and the last result of each direction; ``on_progress`` gets every message.

    Each direction keeps its own result line: the inbound run a webhook brings right after a run started here (often
    "0 synced") must not replace the result the owner is waiting for.
    """

    def __init__(self, context: CenterContext, *, on_progress: Callable[[RunProgress], Awaitable[None]]) -> None:
        self.context = context
        self.services = context.services
        self._on_progress = on_progress
        self.running = False
        with ui.row().classes('items-center gap-3'):
            self.outbound = ui.button('Sync to QuickBooks', icon='cloud_upload',
                                      on_click=lambda: self.start('outbound')).mark('sync-now')
            self.inbound = ui.button('Sync from QuickBooks', icon='cloud_download',
                                     on_click=lambda: self.start('inbound')).props('outline').mark('sync-inbound')
            self.preview_button = ui.button('Preview', icon='visibility', on_click=self.preview) \
                .props('outline').mark('sync-preview')
        with ui.column().classes('w-full gap-1').mark('run-progress') as self.panel:
            self.bar = ui.linear_progress(value=0, show_value=False).props('instant-feedback').classes('w-full')
            self.status = ui.label().classes('text-grey-8').mark('progress-text')
        self.panel.set_visibility(False)
        with ui.column().classes('gap-1'):
            self.results = {'outbound': ui.label().classes('font-bold').mark('sync-result'),
                            'inbound': ui.label().classes('font-bold').mark('sync-result-inbound')}
            self.failures = ui.link('See the failures in the Sync Log', tab_path('log')).mark('sync-failures')
        self.result = self.results['outbound']
        self.failures.set_visibility(False)
        self.plan = ui.table(columns=PLAN_COLUMNS, rows=[], row_key='entity_type').classes('w-full').mark('sync-plan')
        self.plan.set_visibility(False)
        self.inbound_ready = False

    async def setup(self, last: dict[str, RunResult | None] | None = None) -> None:
        """Initial state: the last result of each direction, a run already going (shown if this process runs it),
        inbound availability."""
        for direction, result in (last or {}).items():
            if result is not None:
                self.results[direction].set_text(result_text(direction, result.message or result.status))
        prefs = await self.services.sync_settings.load()
        self.inbound_ready = prefs.inbound_enabled and self.services.runner.has_pass('inbound')
        self.inbound.tooltip('Brings changes made in QuickBooks into qbsync' if self.inbound_ready
                             else 'Turn on inbound sync in Sync Settings first')
        latest = self.services.runner.progress.latest
        if latest is not None and not latest.finished:
            await self.show(latest)
        self.running = self.running or await self.services.runner.is_running()
        self.refresh_buttons()

    def refresh_buttons(self) -> None:
        manage = self.context.can_manage
        self.outbound.set_enabled(manage and not self.running)
        self.inbound.set_enabled(manage and not self.running and self.inbound_ready)
        self.preview_button.set_enabled(manage and not self.running)

    async def show(self, progress: RunProgress) -> None:
        """One progress message from the bus: move the bar, or show the result when the run finished."""
        if progress.finished:
            self.running = False
            self.panel.set_visibility(False)
            self.results[_side(progress.direction)].set_text(result_text(progress.direction, progress.message))
        else:
            self.running = True
            self.panel.set_visibility(True)
            self.bar.set_value(progress.fraction)
            self.status.set_text(progress_text(progress))
            self.results[_side(progress.direction)].set_text('')
            self.failures.set_visibility(False)
            self.plan.set_visibility(False)
        self.refresh_buttons()
        await self._on_progress(progress)

    async def start(self, direction: str) -> None:
        user = await authorize(self.services, manage=True)
        if user is None or self.running:
            return
        self.running = True
        self.refresh_buttons()
        self.panel.set_visibility(True)
        self.status.set_text('Starting…')
        background_tasks.create(self._run(user, direction), name=f'sync {direction} from the Sync Dashboard')

    async def _run(self, user: User, direction: str) -> None:
        """The run itself, in the background: it goes on if the page is closed; progress arrives through the bus."""
        try:
            summary = await self.services.sync.sync_now(user, direction=direction)
        except (*REFUSALS, ValueError) as error:
            self._refused(str(error), direction)
            return
        if not self.failures.is_deleted:
            self.failures.set_visibility(summary.failed > 0)

    def _refused(self, message: str, direction: str) -> None:
        """The run did not start: say why and give the buttons back (the page may be gone by now)."""
        result = self.results[_side(direction)]
        if result.is_deleted:
            return
        self.running = False
        self.panel.set_visibility(False)
        result.set_text(message)
        self.refresh_buttons()
        with result:
            ui.notify(message, type='warning', multi_line=True)

    async def preview(self) -> None:
        """What a sync to QuickBooks would do now, per record type, with the reasons records are skipped."""
        user = await authorize(self.services, manage=True)
        if user is None:
            return
        try:
            plan = await self.services.sync.preview(user)
        except (*REFUSALS, ValueError) as error:
            self.result.set_text(str(error))
            return
        self.result.set_text(f'Preview: {plan.summary()}')
        self.plan.update_rows(plan_rows(plan))
        self.plan.set_visibility(True)


def _side(direction: str) -> str:
    """The result line a run's direction goes to ('both' reports with the outbound line)."""
    return 'inbound' if direction == 'inbound' else 'outbound'
