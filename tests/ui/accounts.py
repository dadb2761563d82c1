"""Accounts for `user`-fixture stories: accounts made through the real UserService, login through the real form."""
from __future__ import annotations

from nicegui import app
from nicegui.testing import User

from qbsync.models import Role
from qbsync.models import User as Account

__all__ = ['PASSWORD', 'EMAILS', 'make_account', 'log_in', 'log_in_as']

PASSWORD = 'correct horse battery staple'
EMAILS = {Role.OWNER: 'owner@example.com', Role.ADMIN: 'admin@example.com', Role.VIEWER: 'viewer@example.com'}
NAMES = {Role.OWNER: 'Olivia Owner', Role.ADMIN: 'Adam Admin', Role.VIEWER: 'Vera Viewer'}


async def make_account(role: str, *, email: str | None = None) -> Account:
    """Create a user through ``app.state.services.users`` (an owner first, so the app is past its setup)."""
    users = app.state.services.users
    owners = [u for u in await users.list_users() if u.role == Role.OWNER]
    if not owners:
        first = await users.create_user(email=EMAILS[Role.OWNER], name=NAMES[Role.OWNER], password=PASSWORD,
                                        role=Role.OWNER)
        if role == Role.OWNER and email is None:
            return first
        owners = [first]
    return await users.create_user(email=email or EMAILS[role], name=NAMES[role], password=PASSWORD, role=role,
                                   acting=owners[0])


async def log_in(user: User, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and wait for the frame to show the signed-in user."""
    await user.open('/login')
    user.find(marker='login-email').type(email)
    user.find(marker='login-password').type(password)
    user.find(marker='login-submit').click()
    await user.should_see(marker='signed-in-user', retries=20)


async def log_in_as(user: User, role: str) -> Account:
    account = await make_account(role)
    await log_in(user, account.email)
    return account
