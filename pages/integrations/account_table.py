"""Account Mapping, second half: per-value overrides (expense category, payment method, customer type) and the
one searchable table of where everything posts ("app value → QuickBooks account")."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nicegui import ui

from qbsync.quickbooks.errors import QuickBooksError
from qbsync.quickbooks.types import QboAccount
from qbsync.services.account_mapping import MappedAccount, NotConnected
from qbsync.services.account_overrides import DEFAULT, OVERRIDE_KINDS, OWN, AccountRow, OverrideKind
from qbsync.services.errors import PermissionDenied, ValidationError

from ..auth import authorize
from .common import CenterContext

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['build', 'load', 'OverridesData']

SOURCES = {OWN: 'its own account', DEFAULT: 'the default', 'unmapped': 'not mapped'}
COLUMNS = [{'name': 'kind', 'label': 'What', 'field': 'kind', 'align': 'left', 'sortable': True},
           {'name': 'app_value', 'label': 'App value', 'field': 'app_value', 'align': 'left', 'sortable': True},
           {'name': 'account', 'label': 'QuickBooks account', 'field': 'account', 'align': 'left', 'sortable': True},
           {'name': 'source', 'label': 'From', 'field': 'source', 'align': 'left'}]


@dataclass(frozen=True)
class OverridesData:
    overrides: dict[str, dict[str, MappedAccount]]  # purpose -> app value -> account
    values: dict[str, list[str]]  # purpose -> the values the records use
    rows: list[AccountRow]


async def load(services: Services) -> OverridesData:
    """Everything the panel shows, read before it is built (so the page never waits half-built)."""
    service = services.account_overrides
    return OverridesData({purpose: await service.overrides(purpose) for purpose in OVERRIDE_KINDS},
                         {purpose: await service.app_values(purpose) for purpose in OVERRIDE_KINDS},
                         await service.table())


def build(context: CenterContext, accounts: list[QboAccount], data: OverridesData) -> None:
    overrides, values = data.overrides, data.values
    table = _WhereEverythingGoes(context, data.rows)
    with ui.card().classes('w-full gap-3').mark('account-overrides'):
        ui.label('Accounts per category, payment method and customer type').classes('text-lg font-bold')
        ui.label('Anything without its own account uses the default above.').classes('text-xs text-grey-7')
        for purpose, kind in OVERRIDE_KINDS.items():
            _Overrides(context, kind, overrides[purpose], values[purpose], accounts, table)
    context.on_change(table.render)  # the company defaults above were saved: the fallbacks change


class _WhereEverythingGoes:
    def __init__(self, context: CenterContext, rows: list[AccountRow]) -> None:
        self.context = context
        with ui.card().classes('w-full gap-2').mark('where-everything-goes'):
            ui.label('Where everything goes').classes('text-lg font-bold')
            self.search = ui.input('Search', on_change=self.render).props('clearable dense') \
                .classes('w-80').mark('account-table-search')
            self.table = ui.table(columns=COLUMNS, rows=_rows(rows), row_key='key', pagination=25) \
                .classes('w-full').mark('account-table')
            self.count = ui.label(_count(rows)).classes('text-xs text-grey-7').mark('account-table-count')

    async def render(self) -> None:
        rows = await self.context.services.account_overrides.table(str(self.search.value or ''))
        self.table.rows = _rows(rows)
        self.table.update()
        self.count.set_text(_count(rows))


def _count(rows: list[AccountRow]) -> str:
    return f'Shown: {len(rows)}.'


def _rows(rows: list[AccountRow]) -> list[dict[str, str]]:
    return [{'key': f'{r.kind}:{r.app_value}', 'kind': r.kind, 'app_value': r.app_value, 'account': r.account or '—',
             'source': SOURCES[r.source]} for r in rows]


class _Overrides:
    """One kind's overrides: listed with a remove button, and an add row; each change is saved at once."""

    def __init__(self, context: CenterContext, kind: OverrideKind, current: dict[str, MappedAccount],
                 values: list[str], accounts: list[QboAccount], table: _WhereEverythingGoes) -> None:
        self.context, self.kind, self.table = context, kind, table
        self.current = {value: mapped.qbo_account_id for value, mapped in current.items()}
        self.names = {value: mapped.qbo_account_name for value, mapped in current.items()}
        self.options = {a.id: a.fully_qualified_name or a.name for a in accounts
                        if a.account_type in kind.role.account_types}
        ui.label(kind.label + 's').classes('font-medium')
        self.rows = ui.column().classes('w-full gap-1').mark(f'overrides-{kind.purpose}')
        self._render()
        if context.can_manage:
            with ui.row().classes('items-center gap-3'):
                self.value = ui.select(values, label=kind.label, with_input=True, new_value_mode='add-unique') \
                    .classes('w-64').mark(f'override-value-{kind.purpose}')
                self.account = ui.select(self.options, label='QuickBooks account', with_input=True) \
                    .classes('w-80').mark(f'override-target-{kind.purpose}')
                ui.button('Add', icon='add', on_click=self._add).props('outline').mark(f'override-add-{kind.purpose}')

    def _render(self) -> None:
        self.rows.clear()
        with self.rows:
            for value in sorted(self.current, key=str.lower):
                with ui.row().classes('items-center gap-3').mark(f'override-row-{self.kind.purpose}'):
                    ui.label(value).classes('w-64')
                    ui.label('→')
                    ui.label(self.options.get(self.current[value]) or self.names.get(value, '')).classes('w-80')
                    if self.context.can_manage:
                        ui.button(icon='delete', on_click=lambda v=value: self._remove(v)) \
                            .props('flat round dense').mark(f'override-remove-{self.kind.purpose}')

    async def _add(self) -> None:
        if not str(self.value.value or '').strip() or not self.account.value:
            ui.notify(f'Choose a {self.kind.label.lower()} and an account.', type='warning')
            return
        changed = {**self.current, str(self.value.value).strip(): str(self.account.value)}
        if await self._save(changed):
            self.value.set_value(None)
            self.account.set_value(None)

    async def _remove(self, value: str) -> None:
        await self._save({k: v for k, v in self.current.items() if k != value})

    async def _save(self, changed: dict[str, str]) -> bool:
        services = self.context.services
        user = await authorize(services, manage=True)
        if user is None:
            return False
        try:
            saved = await services.account_overrides.save(self.kind.purpose, changed, acting=user)
        except (ValidationError, PermissionDenied, NotConnected, QuickBooksError) as error:
            ui.notify(str(error), type='negative', multi_line=True)
            return False
        self.current = {value: mapped.qbo_account_id for value, mapped in saved.items()}
        self.names = {value: mapped.qbo_account_name for value, mapped in saved.items()}
        self._render()
        await self.table.render()
        ui.notify(f'{self.kind.label} accounts saved.', type='positive')
        return True
