"""Sync Settings, for owners and admins: their own scheduled sync report (none, daily, weekly) and a test report."""
from __future__ import annotations

from nicegui import ui

from qbsync.mail import MailError
from qbsync.services.errors import ServiceError

from ..auth import authorize
from .common import CenterContext

__all__ = ['reports_card', 'CHOICES']

CHOICES = {'': 'No report', 'daily': 'Daily (yesterday, sent after midnight UTC)',
           'weekly': 'Weekly (Monday to Sunday, sent on Monday)'}


async def reports_card(context: CenterContext) -> None:
    services = context.services
    current = await services.reports.frequency(context.user) or ''
    configured = services.mailer.configured
    with ui.card().classes('w-full gap-2').mark('sync-reports'):
        ui.label('Sync reports by email').classes('text-lg font-bold')
        ui.label(f'Runs, records synced per type, failures with links to them, and the connection\'s health, sent to '
                 f'{context.user.email}. Each owner and admin chooses their own.').classes('text-grey-8')
        if not configured:
            ui.label('Email is not set up: set QBSYNC_SMTP_HOST, QBSYNC_SMTP_FROM (and QBSYNC_SMTP_USER/PASSWORD) '
                     'and restart qbsync.').classes('text-warning').mark('smtp-missing')

        async def choose(event) -> None:  # type: ignore[no-untyped-def]
            user = await authorize(services, manage=True)
            if user is None:
                return
            try:
                await services.reports.subscribe(event.value or None, acting=user)
            except ServiceError as error:
                ui.notify(str(error), type='negative')
                return
            ui.notify('No sync reports will be sent to you.' if not event.value
                      else f'You will get a {event.value} sync report.', type='positive')

        async def send_test() -> None:
            user = await authorize(services, manage=True)
            if user is None:
                return
            try:
                address = await services.reports.send_test(acting=user)
            except (ServiceError, MailError) as error:
                ui.notify(str(error), type='negative', multi_line=True)
                return
            ui.notify(f'A test report was sent to {address}.', type='positive')

        with ui.row().classes('items-center gap-4'):
            ui.select(CHOICES, value=current, label='Email me a sync report', on_change=choose) \
                .classes('w-96').mark('report-frequency')
            test = ui.button('Send a test report', icon='forward_to_inbox', on_click=send_test) \
                .props('outline').mark('send-test-report')
            test.set_enabled(configured)
