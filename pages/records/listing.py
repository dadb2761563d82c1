"""``/<slug>``: one page of records with a search box, a QuickBooks status filter, pagination and a status chip per row.

The search, status and page live in the URL (``?q=acme&status=failed&page=2``), so a result can be bookmarked,
reloaded and shared, and the back button works.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from nicegui import ui

from qbsync.sync.record_status import QuickBooksStatus
from qbsync.services.records import RecordView

from ..auth import allowed, current_user
from ..frame import frame
from .display import STATUS_LOOK, money, show_value, status_chip
from .specs import RecordPage

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register', 'PAGE_SIZE', 'list_url']

PAGE_SIZE = 25
BALANCE_LABELS = {'invoice': 'Open', 'payment': 'Unapplied', 'credit_memo': 'Credit'}


def list_url(spec: RecordPage, *, q: str = '', status: str = '', page: int = 1) -> str:
    query = {key: value for key, value in (('q', q), ('status', status), ('page', page if page > 1 else ''))
             if value}
    return spec.path + (f'?{urlencode(query)}' if query else '')


def register(services: Services, spec: RecordPage) -> None:
    @ui.page(spec.path)
    async def list_page(q: str = '', status: str = '', page: int = 1) -> None:
        user = await current_user(services)
        if user is None:
            return
        status = status if status in QuickBooksStatus.ALL else ''
        result = await services.records.list_records(spec.entity_type, search=q, status=status or None,
                                                     page=max(1, page), page_size=PAGE_SIZE)
        with frame(spec.plural, user=user):
            with ui.row().classes('w-full items-end gap-4'):
                search = ui.input(spec.search_hint, value=q).props('clearable dense outlined').classes('w-80') \
                    .mark('record-search')
                status_filter = ui.select({'': 'Any QuickBooks status', **{s: STATUS_LOOK[s][0]
                                                                           for s in QuickBooksStatus.ALL}},
                                          value=status).props('dense outlined').classes('w-56').mark('status-filter')

                def apply() -> None:
                    ui.navigate.to(list_url(spec, q=(search.value or '').strip(), status=status_filter.value or ''))
                search.on('keydown.enter', apply)
                status_filter.on_value_change(apply)
                ui.button('Search', icon='search', on_click=apply).props('flat').mark('record-search-button')
                ui.space()
                if allowed(user, manage=True):
                    ui.button(f'New {spec.singular.lower()}', icon='add',
                              on_click=lambda: ui.navigate.to(f'{spec.path}/new')).mark('record-new')
            _table(spec, result.rows)
            _pager(spec, q=q, status=status, page=result.page, pages=result.pages, total=result.total)


def _table(spec: RecordPage, rows: list[RecordView]) -> None:
    headers = [spec.fields_by_name[name].label for name in spec.list_fields]
    if spec.has_total:
        headers += ['Total', BALANCE_LABELS.get(spec.entity_type, '')]
    with ui.column().classes('w-full gap-0'):
        with ui.row().classes('w-full no-wrap gap-2 border-b-2 py-1 font-bold text-grey-8'):
            for header in headers:
                ui.label(header).classes('flex-1 min-w-0')
            ui.label('QuickBooks').classes('w-48')
        if not rows:
            ui.label(f'No {spec.plural.lower()} found.').classes('py-4 text-grey-7').mark('records-empty')
        for row in rows:
            _row(spec, row)


def _row(spec: RecordPage, view: RecordView) -> None:
    with ui.row().classes('w-full no-wrap items-center gap-2 border-b py-1').mark(f'record-row-{view.id}'):
        for index, name in enumerate(spec.list_fields):
            field = spec.fields_by_name[name]
            text = view.customer_name if name == 'customer_id' else show_value(field, getattr(view.record, name))
            if index == 0:
                ui.link(text if text != '—' else f'#{view.id}', f'{spec.path}/{view.id}') \
                    .classes('flex-1 min-w-0 truncate').mark(f'record-link-{view.id}')
            else:
                ui.label(text).classes('flex-1 min-w-0 truncate')
        if spec.has_total:
            ui.label(money(view.total)).classes('flex-1 min-w-0')
            ui.label(money(view.balance)).classes('flex-1 min-w-0')
        with ui.element('div').classes('w-48'):
            status_chip(view.sync, marker=f'status-{view.id}')


def _pager(spec: RecordPage, *, q: str, status: str, page: int, pages: int, total: int) -> None:
    first, last = (page - 1) * PAGE_SIZE + 1, min(page * PAGE_SIZE, total)
    with ui.row().classes('w-full items-center justify-between'):
        ui.label(f'{first}–{last} of {total}' if total else '').classes('text-grey-8').mark('records-range')
        if pages > 1:
            ui.pagination(1, pages, direction_links=True, value=min(page, pages),
                          on_change=lambda e: ui.navigate.to(list_url(spec, q=q, status=status, page=e.value))) \
                .mark('records-pager')
