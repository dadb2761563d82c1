"""The owner manages users: add with a role and an initial password, change roles, remove; nobody else may."""
from __future__ import annotations

from nicegui import app
from nicegui.testing import User

from qbsync.models import Role
from qbsync.models import User as Account

from .accounts import EMAILS, PASSWORD, log_in, make_account


async def _accounts() -> dict[str, Account]:
    return {u.email: u for u in await app.state.services.users.list_users()}


async def test_owner_adds_a_user_who_can_then_log_in(user: User, owner: Account) -> None:
    await user.open('/users')
    user.find(marker='new-user-email').type('Bob@Example.com')
    user.find(marker='new-user-name').type('Bob Books')
    with user:
        user.find(marker='new-user-role').elements.pop().value = Role.ADMIN
    user.find(marker='new-user-password').type('short')
    user.find(marker='add-user').click()
    await user.should_see(marker='new-user-password', content='Use at least 12 characters')
    assert 'bob@example.com' not in await _accounts()

    user.find(marker='new-user-password').clear().type(PASSWORD)
    user.find(marker='add-user').click()
    await user.should_see('Added bob@example.com as Admin.')
    bob = (await _accounts())['bob@example.com']
    assert bob.role == Role.ADMIN
    await user.should_see(marker=f'user-row-{bob.id}')
    await user.should_see('Bob Books')

    user.find(marker='logout').click()
    await user.should_see(marker='login-submit', retries=20)
    await log_in(user, 'bob@example.com')
    await user.should_see(marker='signed-in-user', content='Bob Books · Admin')


async def test_a_duplicate_email_is_shown_next_to_the_field(user: User, owner: Account) -> None:
    await user.open('/users')
    user.find(marker='new-user-email').type(EMAILS[Role.OWNER])
    user.find(marker='new-user-password').type(PASSWORD)
    user.find(marker='add-user').click()
    await user.should_see(marker='new-user-email', content='An account with this email already exists')


async def test_owner_changes_a_role_and_cannot_demote_the_last_owner(user: User, owner: Account) -> None:
    viewer = await make_account(Role.VIEWER)
    await user.open('/users')
    await user.should_see(marker=f'user-role-{viewer.id}', retries=20)  # the list is filled after its query
    with user:
        user.find(marker=f'user-role-{viewer.id}').elements.pop().value = Role.ADMIN
    await user.should_see('viewer@example.com is now Admin.')
    assert (await _accounts())['viewer@example.com'].role == Role.ADMIN

    with user:
        user.find(marker=f'user-role-{owner.id}').elements.pop().value = Role.VIEWER
    await user.should_see('At least one owner must remain')
    assert (await _accounts())[EMAILS[Role.OWNER]].role == Role.OWNER
    await user.should_see(marker=f'user-role-{owner.id}')  # the list is rebuilt in the background
    with user:  # the list was rebuilt from the database, so the select shows the real role again
        assert user.find(marker=f'user-role-{owner.id}').elements.pop().value == Role.OWNER


async def test_owner_removes_a_user_but_not_themselves(user: User, owner: Account) -> None:
    viewer = await make_account(Role.VIEWER)
    await user.open('/users')
    await user.should_see(marker=f'user-remove-{viewer.id}', retries=20)
    user.find(marker=f'user-remove-{viewer.id}').click()
    user.find(marker='confirm-remove').click()
    await user.should_see('Removed viewer@example.com.')
    await user.should_not_see(marker=f'user-row-{viewer.id}')
    assert 'viewer@example.com' not in await _accounts()

    await user.should_see(marker=f'user-remove-{owner.id}')  # the list is rebuilt in the background
    user.find(marker=f'user-remove-{owner.id}').click()
    user.find(marker='confirm-remove').click()
    await user.should_see('You cannot remove your own account')
    assert EMAILS[Role.OWNER] in await _accounts()


async def test_an_admin_cannot_open_user_management(user: User, admin: Account) -> None:
    await user.should_not_see(marker='nav-users')
    await user.open('/users')
    await user.should_see(marker='access-denied', content='only the owner can do this')
    await user.should_not_see(marker='new-user-email')


async def test_an_owner_demoted_while_the_page_is_open_is_refused_on_the_next_click(user: User,
                                                                                   owner: Account) -> None:
    # a second owner demotes this one while the users page is open: the buttons are still on screen,
    # the server must refuse them all the same
    users = app.state.services.users
    other = await make_account(Role.OWNER, email='second-owner@example.com')
    await user.open('/users')
    await users.set_role(owner.id, Role.VIEWER, acting=other)
    user.find(marker='new-user-email').type('mallory@example.com')
    user.find(marker='new-user-password').type(PASSWORD)
    user.find(marker='add-user').click()
    await user.should_see('only the owner can do this')
    assert 'mallory@example.com' not in await _accounts()
    user.find(marker=f'user-remove-{other.id}').click()
    user.find(marker='confirm-remove').click()
    await user.should_see('only the owner can do this')
    assert 'second-owner@example.com' in await _accounts()
