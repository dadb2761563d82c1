"""Sync Log: every run and every record that changed state, newest first, paged by the server, filtered and searched.

A failed entry shows what went wrong in plain words, the suggested fix, Intuit's code, field and detail, and a link
to the record; owners and admins can Retry it, Dismiss it, or Retry all failed. Export writes the filtered log as
CSV. The page re-reads when a run finishes (the runner's progress bus), not on a timer. Times are shown, and the date
filters read, in the business's time zone and locale; codes are in plain words.
"""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone

from nicegui import ui

from qbsync.formats import LocalFormats
from qbsync.labels import plain
from qbsync.models import SyncLogEntry
from qbsync.quickbooks.errors import QuickBooksError
from qbsync.services.errors import ServiceError
from qbsync.sync.entities import ENTITIES
from qbsync.sync.lease import RunBusy
from qbsync.sync.log_view import LogFilter, LogPage
from qbsync.sync.progress import RunProgress

from . import conflicts
from ..auth import authorize
from .common import CenterContext, record_path

__all__ = ['build', 'PAGE_SIZE', 'STATUSES']

PAGE_SIZE = 50
STATUSES = {'': 'Any status', 'failed': 'Failed', 'synced': 'Synced', 'skipped': 'Skipped', 'pending': 'Pending'}
DIRECTIONS = {'': 'Both directions', 'outbound': 'To QuickBooks', 'inbound': 'From QuickBooks'}
STATUS_COLORS = {'failed': 'negative', 'synced': 'positive', 'skipped': 'grey', 'pending': 'warning'}
LEVEL_COLORS = {'error': 'negative', 'warning': 'warning', 'info': 'primary'}
ENTITY_SINGULAR = {spec.name: spec.singular for spec in ENTITIES}


async def build(context: CenterContext) -> None:
    await conflicts.build(context)  # records held for the user's choice come first
    services = context.services
    formats = context.formats
    state = {'page': 1, 'asked': 0}
    example = formats.short_date(formats.today())
    with ui.card().classes('w-full gap-2'):
        with ui.row().classes('items-end gap-3 w-full'):
            status = ui.select(STATUSES, value='', label='Status').classes('w-36').mark('log-status')
            kind = ui.select({'': 'All records', **{spec.name: spec.label for spec in ENTITIES}}, value='',
                             label='Record type').classes('w-40').mark('log-entity')
            direction = ui.select(DIRECTIONS, value='', label='Direction').classes('w-44').mark('log-direction')
            run = ui.number('Run number', min=1, step=1, precision=0).classes('w-32').mark('log-run')
            since = ui.input('From date', placeholder=example).classes('w-36').mark('log-since')
            until = ui.input('To date', placeholder=example).classes('w-36').mark('log-until')
            search = ui.input('Search messages and Intuit codes').props('clearable').classes('w-64') \
                .mark('log-search')
            dismissed = ui.checkbox('Show dismissed', value=True).mark('log-show-dismissed')
        with ui.row().classes('items-center gap-3 w-full'):
            position = ui.label().classes('text-grey-7').mark('log-count')
            back = ui.button(icon='chevron_left', on_click=lambda: turn(-1)) \
                .props('flat round dense aria-label="Previous page"').mark('log-previous')
            forward = ui.button(icon='chevron_right', on_click=lambda: turn(1)) \
                .props('flat round dense aria-label="Next page"').mark('log-next')
            ui.space()
            if context.can_manage:
                ui.button('Retry all failed', icon='replay', on_click=lambda: retry_all()).props('outline') \
                    .mark('log-retry-all')
            ui.button('Export CSV', icon='download', on_click=lambda: export()).props('outline').mark('log-export')
        entries = ui.column().classes('w-full gap-1').mark('log-entries')

    def current_filter() -> LogFilter | None:
        try:
            start = _day(since.value, formats)
            end = _day(until.value, formats)
        except ValueError:
            ui.notify(f'Enter dates like {example}.', type='warning')
            return None
        return LogFilter(status=status.value or None, entity_type=kind.value or None,
                         direction=direction.value or None,
                         run_id=int(run.value) if isinstance(run.value, (int, float)) else None,
                         since=formats.day_start(start) if start else None,
                         until=formats.day_start(end + timedelta(days=1)) if end else None,
                         text=search.value or '', include_dismissed=bool(dismissed.value))

    async def update() -> None:
        """Reads overlap (Enter, blur and clear can fire together); only the newest one's answer is drawn, or a
        slower, older read would put back entries the latest filter excludes."""
        log_filter = current_filter()
        if log_filter is None:
            return
        state['asked'] += 1
        ticket = state['asked']
        page = await _read(log_filter, state['page'])
        if not page.entries and state['page'] > 1:  # the page emptied (pruned, filtered): back to the first
            state['page'] = 1
            page = await _read(log_filter, 1)
        if not entries.is_deleted and ticket == state['asked']:
            _show(page)

    async def _read(log_filter: LogFilter, number: int) -> LogPage:
        """Shielded: leaving the page while the query runs must not abandon its database connection."""
        return await asyncio.shield(services.sync_log.page(log_filter, page=number, page_size=PAGE_SIZE))

    def _show(page: LogPage) -> None:
        position.set_text(f'Entries {page.first:,}–{page.last:,}' if page.entries else 'No entries match.')
        back.set_enabled(page.page > 1)
        forward.set_enabled(page.has_next)
        entries.clear()
        with entries:
            for entry in page.entries:
                _entry(entry)

    def _entry(entry: SyncLogEntry) -> None:
        failed = entry.status == 'failed' or (entry.level == 'error' and entry.local_id is not None)
        with ui.card().classes('w-full p-2 gap-1' + (' opacity-60' if entry.dismissed_at else '')) \
                .mark(f'log-entry-{entry.id}'):
            with ui.row().classes('items-center gap-3 w-full'):
                ui.label(formats.datetime(entry.at)).classes('text-grey-7 text-sm w-44').mark('log-at')
                label = entry.status or entry.level
                ui.badge(plain(label), color=STATUS_COLORS.get(label) or LEVEL_COLORS.get(label, 'grey'))
                if entry.direction:
                    ui.label(DIRECTIONS.get(entry.direction, plain(entry.direction))).classes('text-xs text-grey-7')
                _record_link(entry)
                ui.label(entry.message).classes('grow').mark('log-message')
                if entry.run_id:
                    ui.link(f'Run {entry.run_id}').classes('text-xs cursor-pointer') \
                        .on('click', lambda e=entry: show_run(e.run_id))
                if entry.dismissed_at:
                    ui.label(f'Dismissed {formats.datetime(entry.dismissed_at)}').classes('text-xs text-grey-7')
            if entry.suggestion:
                ui.label(f'How to fix: {entry.suggestion}').classes('text-sm').mark('log-suggestion')
            if entry.code or entry.detail:
                intuit = ' · '.join(part for part in (f'code {entry.code}' if entry.code else '',
                                                      f'field {entry.element}' if entry.element else '',
                                                      entry.detail) if part)
                ui.label(f'QuickBooks said: {intuit}').classes('text-xs text-grey-8').mark('log-intuit')
            if failed and context.can_manage:
                with ui.row().classes('gap-2'):
                    if entry.local_id is not None:
                        ui.button('Retry', icon='replay', on_click=lambda e=entry: retry(e.id)) \
                            .props('dense flat').mark('log-retry')
                    if entry.dismissed_at is None:
                        ui.button('Dismiss', icon='visibility_off', on_click=lambda e=entry: dismiss(e.id)) \
                            .props('dense flat color=grey').mark('log-dismiss')

    async def turn(step: int) -> None:
        state['page'] = max(1, state['page'] + step)
        await update()

    async def refilter() -> None:
        state['page'] = 1
        await update()

    async def show_run(run_id: int | None) -> None:
        run.set_value(run_id)  # its on_change re-reads

    async def retry(entry_id: int | None) -> None:
        user = await authorize(services, manage=True)
        if user is None or entry_id is None:
            return
        try:
            summary = await services.sync_log.retry(entry_id, acting=user)
        except (RunBusy, ServiceError, QuickBooksError, ValueError) as error:
            ui.notify(str(error), type='warning', multi_line=True)
            return
        ui.notify(f'Retried: {summary.message}', type='positive' if not summary.failed else 'warning')
        await update()

    async def retry_all() -> None:
        user = await authorize(services, manage=True)
        if user is None:
            return
        try:
            summary = await services.sync_log.retry_failed(acting=user)
        except (RunBusy, ServiceError, QuickBooksError, ValueError) as error:
            ui.notify(str(error), type='warning', multi_line=True)
            return
        ui.notify('Nothing has failed.' if summary is None else f'Retried all failed: {summary.message}',
                  type='positive' if summary is None or not summary.failed else 'warning')
        await update()

    async def dismiss(entry_id: int | None) -> None:
        user = await authorize(services, manage=True)
        if user is None or entry_id is None:
            return
        try:
            await services.sync_log.dismiss(entry_id, acting=user)
        except ServiceError as error:
            ui.notify(str(error), type='warning')
            return
        ui.notify('Dismissed.')
        await update()

    async def export() -> None:
        log_filter = current_filter()
        if log_filter is None:
            return
        path, count = await services.sync_log.export_csv(log_filter)
        ui.download.file(path, f'qbsync-sync-log-{datetime.now(timezone.utc):%Y%m%d-%H%M}.csv')
        ui.notify(f'Exported {count:,} entries.')

    async def on_progress(progress: RunProgress) -> None:
        if progress.finished:
            await update()

    for control in (status, kind, direction, run, dismissed):
        control.on_value_change(refilter)
    for control in (since, until, search):
        control.on('keydown.enter', refilter)
        control.on('blur', refilter)
        control.on('clear', refilter)
    await update()
    context.on_change(update)
    unsubscribe = services.runner.progress.subscribe(on_progress)
    ui.context.client.on_delete(unsubscribe)


def _record_link(entry: SyncLogEntry) -> None:
    if not entry.entity_type:
        return
    name = ENTITY_SINGULAR.get(entry.entity_type, entry.entity_type)
    text = f'{name} #{entry.local_id}' if entry.local_id is not None else name
    path = record_path(entry.entity_type, entry.local_id) if entry.local_id is not None else ''
    if path:
        ui.link(text, path).classes('text-sm').mark('log-record')
    else:
        ui.label(text).classes('text-sm')


def _day(text: str | None, formats: LocalFormats) -> date | None:
    """The day typed into a date filter (the locale's short form or ISO); None when empty."""
    value = (text or '').strip()
    return formats.parse_date(value) if value else None
