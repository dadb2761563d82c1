"""``/users``: the owner adds users (role and initial password), changes roles and removes users.

Only the owner sees this page, and every action re-checks that on the server (``authorize(owner=True)``); the
rules about the last owner and removing yourself live in ``UserService``, whose messages are shown as they are.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from qbsync.models import Role, User
from qbsync.services.errors import ServiceError, ValidationError

from .auth import authorize, current_user
from .forms import clear_field_errors, error_text, submit, text_of
from .frame import ROLE_LABELS, frame
from .widgets import Action, action_button, section

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register']

ROLE_OPTIONS = {role: ROLE_LABELS[role] for role in Role.ALL}


def register(services: Services) -> None:
    @ui.page('/users')
    async def users_page() -> None:
        me = await current_user(services, owner=True)
        if me is None:
            return

        @ui.refreshable
        async def user_list() -> None:
            for member in await services.users.list_users():
                _user_row(member, is_me=member.id == me.id)

        def _user_row(member: User, *, is_me: bool) -> None:
            with ui.row().classes('w-full items-center gap-x-4 gap-y-1 border-b py-2 wrap') \
                    .mark(f'user-row-{member.id}'):
                with ui.column().classes('gap-0 grow'):
                    ui.label(member.name or member.email).classes('font-bold')
                    ui.label(member.email + (' (you)' if is_me else '')).classes('text-grey-8 text-sm')
                ui.select(ROLE_OPTIONS, value=member.role, label='Role',
                          on_change=lambda e, m=member: change_role(m, e.value, e.previous_value)) \
                    .classes('w-48').props('outlined dense').mark(f'user-role-{member.id}')
                if not is_me:  # your own password: the change-password page, which asks for the current one
                    ui.button('Reset password', icon='lock_reset', on_click=lambda m=member: ask_new_password(m)) \
                        .props('flat no-caps').mark(f'user-reset-{member.id}')
                ui.button('Remove', icon='person_remove', on_click=lambda m=member: confirm_removal(m)) \
                    .props('flat no-caps color=negative').mark(f'user-remove-{member.id}')

        def ask_new_password(member: User) -> None:
            with ui.dialog() as dialog, ui.card().classes('w-96'):
                ui.label(f'New password for {member.email}. They will be signed out everywhere; tell them the '
                         'new password in person or by phone.')
                new = ui.input('New password', password=True, password_toggle_button=True) \
                    .props('autocomplete=new-password').classes('w-full').mark('reset-password')
                with ui.row():
                    ui.button('Cancel', on_click=dialog.close).props('flat')
                    ui.button('Set password', on_click=lambda: reset(member, new, dialog)).mark('confirm-reset')
            dialog.open()

        async def reset(member: User, new: ui.input, dialog: ui.dialog) -> None:
            acting = await authorize(services, owner=True)
            if acting is None:
                dialog.close()
                return
            try:
                await services.users.reset_password(member.id, new.value or '', acting=acting)
            except ValidationError as error:
                new.error = error_text(error)
                return
            except ServiceError as error:
                ui.notify(error_text(error), type='negative')
                dialog.close()
                return
            dialog.close()
            ui.notify(f'New password set for {member.email}; their sessions have ended.', type='positive')

        async def change_role(member: User, role: str, previous: str) -> None:
            acting = await authorize(services, owner=True)
            if acting is None:
                user_list.refresh()
                return
            try:
                await services.users.set_role(member.id, role, acting=acting)
            except ServiceError as error:
                ui.notify(error_text(error), type='negative')
            else:
                ui.notify(f'{member.email} is now {ROLE_LABELS[role]}.', type='positive')
            user_list.refresh()

        def confirm_removal(member: User) -> None:
            with ui.dialog() as dialog, ui.card().classes('w-full max-w-md'):
                ui.label(f'Remove {member.email}? They will be signed out at once.')
                with ui.row():
                    ui.button('Cancel', on_click=dialog.close).props('flat')
                    ui.button('Remove', on_click=lambda: remove(member, dialog)).props('color=negative') \
                        .mark('confirm-remove')
            dialog.open()

        async def remove(member: User, dialog: ui.dialog) -> None:
            dialog.close()
            acting = await authorize(services, owner=True)
            if acting is None:
                return
            try:
                await services.users.remove_user(member.id, acting=acting)
            except ServiceError as error:
                ui.notify(error_text(error), type='negative')
                user_list.refresh()
                return
            ui.notify(f'Removed {member.email}.', type='positive')
            user_list.refresh()

        async def add_user() -> None:
            clear_field_errors(fields)
            acting = await authorize(services, owner=True)
            if acting is None:
                return
            created = await submit(fields, services.users.create_user(
                email=text_of(fields['email']), name=text_of(fields['name']), password=fields['password'].value or '',
                role=fields['role'].value, acting=acting))
            if created is None:
                return
            for name in ('email', 'name', 'password'):
                fields[name].value = ''
            ui.notify(f'Added {created.email} as {ROLE_LABELS[created.role]}.', type='positive')
            user_list.refresh()

        with frame('Users', user=me):
            with section('Add a user'):
                with ui.row().classes('w-full items-start gap-4 wrap'):
                    fields = {
                        'email': ui.input('Email').props('outlined type=email').classes('w-full sm:w-64')
                        .mark('new-user-email'),
                        'name': ui.input('Name').props('outlined').classes('w-full sm:w-48').mark('new-user-name'),
                        'role': ui.select(ROLE_OPTIONS, value=Role.VIEWER, label='Role').props('outlined')
                        .classes('w-full sm:w-48').mark('new-user-role'),
                        'password': ui.input('Initial password', password=True, password_toggle_button=True)
                        .props('autocomplete=new-password outlined').classes('w-full sm:w-56')
                        .mark('new-user-password'),
                    }
                    action_button(Action('Add user', on_click=add_user, icon='person_add', marker='add-user'))
            with section('Users'):
                await user_list()
