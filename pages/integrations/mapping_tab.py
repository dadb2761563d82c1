"""Account Mapping: which QuickBooks account plays which role, read live from QuickBooks; per-item overrides; Save."""
from __future__ import annotations

from nicegui import ui

from qbsync.quickbooks.errors import QuickBooksError
from qbsync.quickbooks.types import QboAccount
from qbsync.services.account_mapping import (DEPOSIT, ITEM_INCOME, ROLES, AccountMappingService, MappingSet,
                                             NotConnected)
from qbsync.services.errors import PermissionDenied, ValidationError

from qbsync.labels import plain
from qbsync.services.owner_messages import explain_error

from ..auth import authorize
from ..forms import clear_field_errors, show_field_errors
from ..messages import show_message
from . import account_table
from .common import CenterContext

__all__ = ['build']


async def build(context: CenterContext) -> None:
    services = context.services
    mapping = await services.account_mapping.load()
    if mapping.realm_id is None:
        ui.label('Connect QuickBooks first: the accounts are read from the connected company.') \
            .classes('text-grey-8').mark('mapping-not-connected')
        return
    try:
        accounts = await services.account_mapping.accounts()
    except QuickBooksError as error:  # in plain words, with Reconnect right here when that is the cure
        show_message(services, explain_error(error), can_manage=context.can_manage, marker='mapping-error')
        return
    items = await services.account_mapping.item_names()
    overrides = await account_table.load(services)
    _MappingForm(context, mapping, accounts, items)
    account_table.build(context, accounts, overrides)


class _MappingForm:
    def __init__(self, context: CenterContext, mapping: MappingSet, accounts: list[QboAccount],
                 items: dict[int, str]) -> None:
        self.context = context
        self.accounts = accounts
        self.items = items
        self.editable = context.can_manage
        self.income_options = _options(AccountMappingService.choices(ITEM_INCOME, accounts))
        self.overrides = {item_id: mapped.qbo_account_id for item_id, mapped in mapping.item_income.items()}
        self.fields: dict[str, ui.select] = {}
        with ui.card().classes('w-full gap-3').mark('account-mapping'):
            if not self.editable:
                ui.label('Read-only: only owners and admins can change the mapping.').classes('text-grey-7')
            ui.label('Company accounts').classes('text-lg font-bold')
            for key in ROLES:
                self._role_select(key, mapping)
            ui.label('Item income accounts').classes('text-lg font-bold')
            ui.label('Items post to the Income account above unless they have their own here.') \
                .classes('text-xs text-grey-7')
            self.override_rows = ui.column().classes('w-full gap-1').mark('item-overrides')
            self._render_overrides()
            if self.editable:
                self._add_override_row()
                ui.button('Save mapping', icon='save', on_click=self.save).mark('save-mapping')

    def _role_select(self, key: str, mapping: MappingSet) -> None:
        role = ROLES[key]
        options = _options(AccountMappingService.choices(key, self.accounts))
        mapped = mapping.roles.get(key)
        value = mapped.qbo_account_id if mapped else None
        if value is None and key == DEPOSIT:
            default = AccountMappingService.default_deposit(self.accounts)
            value = default.id if default else None
        if value is not None and value not in options:  # deleted, retyped or deactivated in QuickBooks since
            options[value] = f'{mapped.qbo_account_name if mapped else value} (no longer available)'
        label = role.label + (' *' if role.required else '')
        select = ui.select(options, value=value, label=label, clearable=not role.required, with_input=True) \
            .classes('w-full max-w-md').props('outlined').mark(f'map-{key}')
        if role.hint:
            select.props['hint'] = role.hint
        if not self.editable:
            select.disable()
        self.fields[key] = select

    def _render_overrides(self) -> None:
        self.override_rows.clear()
        with self.override_rows:
            if not self.overrides:
                ui.label('No item has its own income account.').classes('text-grey-7').mark('no-overrides')
            for item_id in sorted(self.overrides, key=lambda i: self.items.get(i, '').lower()):
                with ui.row().classes('items-center gap-3 wrap').mark(f'override-{item_id}'):
                    ui.label(self.items.get(item_id, f'Item {item_id}')).classes('w-64')
                    select = ui.select(self.income_options, value=self.overrides[item_id], with_input=True,
                                       on_change=lambda e, i=item_id: self.overrides.__setitem__(i, e.value)) \
                        .classes('w-full sm:w-80') \
                        .props(f'aria-label="Income account for {self.items.get(item_id, item_id)}"') \
                        .mark(f'override-account-{item_id}')
                    self.fields[f'{ITEM_INCOME}:{item_id}'] = select
                    if self.editable:
                        ui.button(icon='delete', on_click=lambda i=item_id: self._remove(i)) \
                            .props('flat round dense aria-label="Remove this item\'s own income account"') \
                            .mark(f'override-remove-{item_id}')
                    else:
                        select.disable()

    def _add_override_row(self) -> None:
        with ui.row().classes('items-center gap-3 wrap'):
            self.new_item = ui.select({}, label='Item', with_input=True).classes('w-full sm:w-64') \
                .mark('override-item')
            self.new_account = ui.select(self.income_options, label='Income account', with_input=True) \
                .classes('w-full sm:w-80').mark('override-account')
            ui.button('Add', icon='add', on_click=self._add).props('outline').mark('override-add')
        self._refresh_item_choices()

    def _refresh_item_choices(self) -> None:
        self.new_item.set_options({i: name for i, name in self.items.items() if i not in self.overrides})

    def _add(self) -> None:
        if self.new_item.value is None or self.new_account.value is None:
            ui.notify('Choose an item and an income account.', type='warning')
            return
        self.overrides[int(self.new_item.value)] = str(self.new_account.value)
        self.new_item.set_value(None)
        self.new_account.set_value(None)
        self._render_overrides()
        self._refresh_item_choices()

    def _remove(self, item_id: int) -> None:
        self.overrides.pop(item_id, None)
        self.fields.pop(f'{ITEM_INCOME}:{item_id}', None)
        self._render_overrides()
        self._refresh_item_choices()

    async def save(self) -> None:
        services = self.context.services
        user = await authorize(services, manage=True)
        if user is None:
            return
        clear_field_errors(self.fields)
        roles = {key: (str(self.fields[key].value) if self.fields[key].value else None) for key in ROLES}
        try:
            await services.account_mapping.save(roles, dict(self.overrides), acting=user)
        except ValidationError as error:
            show_field_errors(self.fields, error)
            return
        except (PermissionDenied, NotConnected, QuickBooksError) as error:
            ui.notify(str(error), type='negative')
            return
        await self.context.changed()  # before saying so: what depends on the mapping is up to date when it shows
        missing = {key: ROLES[key] for key in ROLES if ROLES[key].required and not roles.get(key)}
        for key, role in missing.items():
            self.fields[key].error = f'Required: choose the {role.label.lower()} before invoices can be sent.'
        if missing:
            names = ', '.join(role.label for role in missing.values())
            ui.notify(f'Saved, but invoices cannot be sent to QuickBooks until you choose: {names}.',
                      type='warning', multi_line=True)
        else:
            ui.notify('Account Mapping saved.', type='positive')


def _options(accounts: list[QboAccount]) -> dict[str, str]:
    return {a.id: f'{a.fully_qualified_name or a.name} · {plain(a.account_type)}' for a in accounts}
