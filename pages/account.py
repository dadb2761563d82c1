"""``/account/password``: every signed-in user changes their own password.

The current password is asked again (a session left open on someone's desk is not enough to take the account
over). Every other session of the user ends; this one stays signed in (``SessionRules.renew``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import app, ui

from .auth import authorize, current_user
from .forms import clear_field_errors, submit
from .frame import frame

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register', 'PASSWORD_PATH']

PASSWORD_PATH = '/account/password'


def register(services: Services) -> None:
    @ui.page(PASSWORD_PATH, title='Change password · qbsync')
    async def password_page() -> None:
        me = await current_user(services)
        if me is None:
            return

        async def change() -> None:
            clear_field_errors(fields)
            user = await authorize(services)
            if user is None:
                return
            if (fields['password'].value or '') != (fields['confirm'].value or ''):
                fields['confirm'].error = 'The two passwords do not match.'
                return
            changed = await submit(fields, services.users.change_password(
                user, current=fields['current_password'].value or '', new=fields['password'].value or ''))
            if changed is None:
                return
            services.sessions.renew(app.storage.user, changed)
            for field in fields.values():
                field.value = ''
            ui.notify('Password changed. Your other sessions have been signed out.', type='positive')

        with frame('Change password', user=me):
            with ui.card().classes('w-full max-w-md gap-3'):
                ui.label(f'Signed in as {me.email}').classes('text-grey-8')
                fields = {
                    'current_password': ui.input('Current password', password=True, password_toggle_button=True)
                    .props('autocomplete=current-password').classes('w-full').mark('current-password'),
                    'password': ui.input('New password', password=True, password_toggle_button=True)
                    .props('autocomplete=new-password').classes('w-full').mark('new-password'),
                    'confirm': ui.input('Repeat the new password', password=True)
                    .props('autocomplete=new-password').classes('w-full').mark('confirm-password'),
                }
                ui.label('At least 12 characters; several unrelated words work well.').classes('text-sm text-grey-8')
                ui.button('Change password', on_click=change).mark('change-password')
