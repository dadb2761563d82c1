"""Sync Settings: automatic sync and its interval, inbound sync, what syncs, conflict policy, start date; Save."""
from __future__ import annotations

from datetime import date

from nicegui import ui

from qbsync.services.errors import PermissionDenied, ValidationError
from qbsync.services.sync_settings import (CONFLICT_POLICIES, MAX_INTERVAL_MINUTES, MAX_RETENTION_DAYS,
                                           MIN_INTERVAL_MINUTES, MIN_RETENTION_DAYS, SyncPreferences)
from qbsync.sync.entities import ENTITIES

from ..auth import authorize
from ..forms import clear_field_errors, show_field_errors
from .common import CenterContext, NextRunLabel
from .reports_panel import reports_card

__all__ = ['build']


async def build(context: CenterContext) -> None:
    services = context.services
    prefs = await services.sync_settings.load()
    editable = context.can_manage
    with ui.card().classes('w-full gap-4').mark('sync-settings'):
        if not editable:
            ui.label('Read-only: only owners and admins can change sync settings.').classes('text-grey-7') \
                .mark('settings-read-only')
        ui.label('Automatic sync').classes('text-lg font-bold')
        with ui.row().classes('items-center gap-6'):
            auto = ui.switch('Sync automatically', value=prefs.auto_sync_enabled).mark('auto-sync')
            # no min/max here: the browser would silently snap a 2 to 5; the service says what is wrong instead
            interval = ui.number('Every (minutes)', value=prefs.interval_minutes, step=1, precision=0) \
                .classes('w-40').props('outlined').mark('interval')
            if editable:
                interval.bind_enabled_from(auto, 'value')
        ui.label(f'Between {MIN_INTERVAL_MINUTES} minutes and 24 hours ({MAX_INTERVAL_MINUTES} minutes).') \
            .classes('text-xs text-grey-7')
        next_run = NextRunLabel(services, context.formats).mark('settings-next-run')
        inbound = ui.switch('Bring changes made in QuickBooks into qbsync (inbound sync)',
                            value=prefs.inbound_enabled).mark('inbound-sync')
        ui.label('What syncs').classes('text-lg font-bold')
        with ui.row().classes('gap-x-4 gap-y-0 wrap'):
            entities = {spec.switch: ui.checkbox(spec.label, value=prefs.entity_enabled(spec.name))
                        .mark(f'sync-{spec.name}') for spec in ENTITIES}
        ui.label('When both sides changed').classes('text-lg font-bold')
        policy = ui.select(CONFLICT_POLICIES, value=prefs.conflict_policy, label='Conflict policy') \
            .classes('w-full max-w-xs').props('outlined').mark('conflict-policy')
        start = ui.input('Sync records dated from', placeholder='YYYY-MM-DD',
                         value=prefs.start_date.isoformat() if prefs.start_date else '').classes('w-full max-w-xs') \
            .props('outlined hint="Empty: every record, whatever its date"').mark('start-date')
        with start.add_slot('append'):
            with ui.icon('event').classes('cursor-pointer') as picker_icon:
                with ui.menu() as menu:
                    ui.date(on_change=lambda e: (start.set_value(e.value), menu.close())) \
                        .props('mask=YYYY-MM-DD').bind_value_from(start, 'value')
            picker_icon.set_visibility(editable)
        ui.label('Sync Log').classes('text-lg font-bold')
        retention = ui.number('Keep log entries for (days)', value=prefs.log_retention_days, step=1, precision=0) \
            .classes('w-56').props('outlined').mark('log-retention')
        ui.label(f'Between {MIN_RETENTION_DAYS} and {MAX_RETENTION_DAYS} days; older entries are removed once a day, '
                 'so the database stays small.').classes('text-xs text-grey-7')
        fields = {'interval_minutes': interval, 'conflict_policy': policy, 'start_date': start,
                  'log_retention_days': retention}
        controls = [auto, interval, inbound, policy, start, retention, *entities.values()]

        async def save() -> None:
            user = await authorize(services, manage=True)
            if user is None:
                return
            clear_field_errors(fields)
            start_text = (start.value or '').strip()
            try:
                start_date = date.fromisoformat(start_text) if start_text else None
            except ValueError:
                show_field_errors(fields, ValidationError({'start_date': 'Enter a date as YYYY-MM-DD.'}))
                return
            wanted = SyncPreferences(
                auto_sync_enabled=bool(auto.value),
                interval_minutes=_whole(interval.value),
                inbound_enabled=bool(inbound.value),
                conflict_policy=str(policy.value or ''),
                start_date=start_date,
                log_retention_days=_whole(retention.value),
                **{switch: bool(box.value) for switch, box in entities.items()},
            )
            try:
                await services.sync_settings.save(wanted, acting=user)
            except ValidationError as error:
                show_field_errors(fields, error)
                return
            except PermissionDenied as error:
                ui.notify(str(error), type='negative')
                return
            ui.notify('Sync Settings saved.', type='positive')
            interval.set_value(wanted.interval_minutes)
            next_run.refresh()
            await context.changed()

        if editable:
            ui.button('Save', icon='save', on_click=save).mark('save-settings')
        else:
            for control in controls:
                control.disable()
    if editable:
        await reports_card(context)


def _whole(value: object) -> int:
    """A whole number from a number field; anything else is passed on for the service to explain."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value):
        return int(value)
    return value  # type: ignore[return-value]
