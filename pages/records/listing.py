"""``/<slug>``: one page of records with a search box, a QuickBooks status filter, pagination and a status chip per row.

The search, status and page live in the URL (``?q=acme&status=failed&page=2``), so a result can be bookmarked,
reloaded and shared, and the back button works.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from nicegui import ui

from qbsync.formats import LocalFormats
from qbsync.sync.record_status import QuickBooksStatus
from qbsync.services.records import RecordView

from ..auth import allowed, current_user
from ..frame import frame
from ..local import local_formats
from ..widgets import Action, Column, RowList, action_button
from .display import STATUS_LOOK, show_value, status_chip
from .specs import MONEY, RecordPage

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
        formats = await local_formats(services)
        can_manage = allowed(user, manage=True)
        with frame(spec.plural, user=user):
            with ui.row().classes('w-full items-end gap-2 sm:gap-4'):
                search = ui.input(spec.search_hint, value=q).props('clearable dense outlined') \
                    .classes('w-full sm:w-80').mark('record-search')
                status_filter = ui.select({'': 'Any QuickBooks status', **{s: STATUS_LOOK[s][0]
                                                                           for s in QuickBooksStatus.ALL}},
                                          value=status, label='QuickBooks status').props('dense outlined') \
                    .classes('w-full sm:w-56').mark('status-filter')

                def apply() -> None:
                    ui.navigate.to(list_url(spec, q=(search.value or '').strip(), status=status_filter.value or ''))
                search.on('keydown.enter', apply)
                status_filter.on_value_change(apply)
                action_button(Action('Search', on_click=apply, icon='search', kind='flat',
                                     marker='record-search-button'))
                ui.space()
                if can_manage:
                    action_button(Action(f'New {spec.singular.lower()}', icon='add', href=f'{spec.path}/new',
                                         marker='record-new'))
            _table(spec, result.rows, formats, filtered=bool(q or status), can_manage=can_manage)
            _pager(spec, q=q, status=status, page=result.page, pages=result.pages, total=result.total)


def _table(spec: RecordPage, rows: list[RecordView], formats: LocalFormats, *, filtered: bool,
           can_manage: bool) -> None:
    columns = [Column(spec.fields_by_name[name].label,
                      align='right' if spec.fields_by_name[name].kind == MONEY else 'left',
                      phone=index < 3) for index, name in enumerate(spec.list_fields)]
    if spec.has_total:
        columns += [Column('Total', align='right'), Column(BALANCE_LABELS.get(spec.entity_type, ''), align='right')]
    columns.append(Column('QuickBooks', width='w-40 shrink-0'))
    table = RowList(columns, marker='records-table')
    if not rows:
        if filtered:
            table.empty(f'No {spec.plural.lower()} match', 'Try other words or another status.',
                        action=Action('Show all', href=spec.path, kind='secondary'), marker='records-empty')
        else:
            table.empty(f'No {spec.plural.lower()} yet', f'{spec.plural} you add here are sent to QuickBooks.',
                        action=Action(f'New {spec.singular.lower()}', href=f'{spec.path}/new', icon='add')
                        if can_manage else None, marker='records-empty')
    for view in rows:
        cells: list = []
        for index, name in enumerate(spec.list_fields):
            text = view.customer_name if name == 'customer_id' else \
                show_value(spec.fields_by_name[name], getattr(view.record, name), formats)
            cells.append(text if index or text != '—' else f'#{view.id}')
        if spec.has_total:
            cells += [formats.money(view.total), formats.money(view.balance)]
        cells.append(lambda v=view: status_chip(v.sync, marker=f'status-{v.id}'))
        table.row(f'{spec.path}/{view.id}', cells, marker=f'record-row-{view.id} record-link-{view.id}')


def _pager(spec: RecordPage, *, q: str, status: str, page: int, pages: int, total: int) -> None:
    first, last = (page - 1) * PAGE_SIZE + 1, min(page * PAGE_SIZE, total)
    with ui.row().classes('w-full items-center justify-between'):
        ui.label(f'{first}–{last} of {total}' if total else '').classes('text-grey-8').mark('records-range')
        if pages > 1:
            ui.pagination(1, pages, direction_links=True, value=min(page, pages),
                          on_change=lambda e: ui.navigate.to(list_url(spec, q=q, status=status, page=e.value))) \
                .mark('records-pager')
