"""``/settings/region``: the business's language and region (date and number style), time zone and currency.

Everyone sees the formats in use; owners and admins change them. Saving says so and shows the new formats at once.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

from nicegui import ui

from qbsync.formats import currency_choices, locale_choices, time_zone_names
from qbsync.services.errors import PermissionDenied, ValidationError
from qbsync.services.region import Region

from .auth import allowed, authorize, current_user
from .forms import clear_field_errors, show_field_errors
from .frame import frame
from .local import browser_time_zone, local_formats
from .widgets import Action, action_bar, action_button, facts, section

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register', 'REGION_PATH']

REGION_PATH = '/settings/region'
AUTOMATIC = ''


def register(services: Services) -> None:
    @ui.page(REGION_PATH)
    async def region_page() -> None:
        user = await current_user(services)
        if user is None:
            return
        region = await services.region.load()
        editable = allowed(user, manage=True)
        browser_zone = browser_time_zone()
        with frame('Region and formats', user=user):
            with section('How dates, times and money are shown', marker='region'):
                ui.label('QuickBooks keeps amounts in your company\'s home currency; choose the same one here. '
                         'Times are shown in your time zone everywhere in qbsync.').classes('text-grey-8')
                zones = {AUTOMATIC: f'Automatic: this browser\'s ({browser_zone or "unknown, so UTC"})',
                         **{name: name.replace('_', ' ') for name in time_zone_names()}}
                fields = {
                    'locale': ui.select(locale_choices(), value=region.locale, label='Language and region',
                                        with_input=True).classes('w-full max-w-xl').mark('region-locale'),
                    'time_zone': ui.select(zones, value=region.time_zone, label='Time zone', with_input=True)
                    .classes('w-full max-w-xl').mark('region-time-zone'),
                    'currency': ui.select(currency_choices(region.currency), value=region.currency,
                                          label='Currency', with_input=True).classes('w-full max-w-xl')
                    .mark('region-currency'),
                }
                for field in fields.values():
                    field.props('outlined')
                    if not editable:
                        field.disable()
            sample = ui.column().classes('w-full')

            async def show_sample() -> None:
                formats = await local_formats(services)
                sample.clear()
                with sample, section('Example'):
                    now = datetime.now(timezone.utc)
                    facts([('Now', formats.datetime(now), 'region-sample-now'),
                           ('An amount', formats.money(Decimal('1234.50')), 'region-sample-money'),
                           ('Time zone', formats.zone_label(), 'region-sample-zone')])

            async def save() -> None:
                acting = await authorize(services, manage=True)
                if acting is None:
                    return
                clear_field_errors(fields)
                wanted = Region(**{name: str(field.value or '') for name, field in fields.items()})
                try:
                    await services.region.save(wanted, acting=acting)
                except ValidationError as error:
                    show_field_errors(fields, error)
                    return
                except PermissionDenied as error:
                    ui.notify(str(error), type='negative')
                    return
                ui.notify('Region and formats saved.', type='positive')
                await show_sample()

            if editable:
                with action_bar():
                    action_button(Action('Save', on_click=save, icon='save', marker='region-save'))
            else:
                ui.label('Only owners and admins can change these.').classes('text-grey-7').mark('region-read-only')
            await show_sample()
