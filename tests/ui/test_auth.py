"""Login, first-run setup, the auth middleware and server-side role checks, through the simulated browser."""
from __future__ import annotations

import asyncio

import pytest
from nicegui import app
from nicegui.testing import User

from qbsync.models import Role

from .accounts import EMAILS, PASSWORD, log_in, make_account


async def test_first_start_asks_for_the_owner_account_and_signs_in(user: User) -> None:
    response = await user.http_client.get('/customers')
    assert response.status_code == 307 and response.headers['location'] == '/setup'
    await user.open('/')  # follows the redirect
    await user.should_see('Create the owner account')
    user.find(marker='setup-name').type('Olivia Owner')
    user.find(marker='setup-email').type('owner@example.com')
    user.find(marker='setup-password').type(PASSWORD)
    user.find(marker='setup-confirm').type(PASSWORD + 'x')
    user.find(marker='setup-submit').click()
    await user.should_see('The two passwords do not match.')
    assert not await app.state.services.users.owner_exists()

    user.find(marker='setup-confirm').clear().type(PASSWORD)
    user.find(marker='setup-submit').click()
    await user.should_see(marker='signed-in-user', content='Olivia Owner', retries=20)
    owner = (await app.state.services.users.list_users())[0]
    assert owner.role == Role.OWNER and owner.password_hash != PASSWORD
    # the setup is done once: it now sends people to the login page
    assert (await user.http_client.get('/setup')).headers['location'] == '/login'


async def test_setup_shows_the_service_message_next_to_the_field(user: User) -> None:
    await user.open('/setup')
    user.find(marker='setup-email').type('not-an-email')
    user.find(marker='setup-password').type(PASSWORD)
    user.find(marker='setup-confirm').type(PASSWORD)
    user.find(marker='setup-submit').click()
    await user.should_see(marker='setup-email', content='Enter a valid email address')
    await user.should_not_see(marker='signed-in-user')
    assert not await app.state.services.users.owner_exists()


@pytest.fixture
def admin_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before the `user` fixture runs app.py, which reads the settings."""
    monkeypatch.setenv('QBSYNC_ADMIN_EMAIL', 'boss@example.com')
    monkeypatch.setenv('QBSYNC_ADMIN_PASSWORD', PASSWORD)


async def test_admin_email_and_password_from_the_environment_make_the_owner(admin_from_environment: None,
                                                                            user: User) -> None:
    response = await user.http_client.get('/')
    assert response.status_code == 307 and response.headers['location'].startswith('/login')
    await log_in(user, 'boss@example.com')
    await user.should_see(marker='nav-users')
    [owner] = await app.state.services.users.list_users()
    assert owner.email == 'boss@example.com' and owner.role == Role.OWNER


async def test_unknown_user_and_wrong_password_are_refused(user: User) -> None:
    await make_account(Role.OWNER)
    response = await user.http_client.get('/invoices?page=2')
    assert response.status_code == 307
    assert response.headers['location'] == '/login?redirect_to=%2Finvoices%3Fpage%3D2'

    await user.open('/login')
    user.find(marker='login-email').type(EMAILS[Role.OWNER])
    user.find(marker='login-password').type('wrong password')
    user.find(marker='login-submit').click()
    await user.should_see('Wrong email or password.')
    user.find(marker='login-email').clear().type('nobody@example.com')
    user.find(marker='login-password').type(PASSWORD)
    user.find(marker='login-submit').click()
    await _answered(user)
    await user.should_see('Wrong email or password.')
    assert (await user.http_client.get('/')).status_code == 307


async def test_login_returns_to_the_page_asked_for_and_never_leaves_the_site(user: User) -> None:
    await make_account(Role.OWNER)
    await user.open('/login?redirect_to=/users')
    user.find(marker='login-email').type(EMAILS[Role.OWNER])
    user.find(marker='login-password').type(PASSWORD)
    user.find(marker='login-submit').click()
    await user.should_see(marker='page-title', content='Users', retries=20)

    user.find(marker='logout').click()
    await user.should_see(marker='login-submit', retries=20)
    await user.open('/login?redirect_to=//evil.example/steal')
    user.find(marker='login-email').type(EMAILS[Role.OWNER])
    user.find(marker='login-password').type(PASSWORD)
    user.find(marker='login-submit').click()
    await user.should_see(marker='page-title', content='Home', retries=20)


async def test_logout_ends_the_session(user: User) -> None:
    await make_account(Role.OWNER)
    await log_in(user, EMAILS[Role.OWNER])
    assert (await user.http_client.get('/')).status_code == 200
    user.find(marker='logout').click()
    await user.should_see(marker='login-submit', retries=20)
    assert (await user.http_client.get('/')).status_code == 307


async def test_public_paths_need_no_login(user: User) -> None:
    await make_account(Role.OWNER)
    assert (await user.http_client.get('/healthz')).status_code == 200
    assert (await user.http_client.get('/login')).status_code == 200
    webhook = await user.http_client.post('/api/quickbooks/webhook', content=b'{}')
    assert webhook.status_code != 307  # Intuit sends no cookie: the route itself checks the signature
    assert (await user.http_client.get('/sandbox-lookalike')).status_code == 307
    assert (await user.http_client.get('/api/quickbooks/connect')).status_code == 307


async def test_viewer_sees_no_owner_navigation_and_is_refused_owner_pages(user: User) -> None:
    await make_account(Role.VIEWER)
    await log_in(user, EMAILS[Role.VIEWER])
    await user.should_see(marker='signed-in-user', content='Viewer')
    await user.should_see(marker='nav-customers')
    await user.should_not_see(marker='nav-users')
    await user.open('/users')  # typed into the address bar
    await user.should_see(marker='access-denied', content='only the owner can do this')
    await user.should_not_see(marker='add-user')


async def test_a_removed_user_is_signed_out_on_the_next_page(user: User) -> None:
    admin = await make_account(Role.ADMIN)
    await log_in(user, EMAILS[Role.ADMIN])
    users = app.state.services.users
    owner = next(u for u in await users.list_users() if u.role == Role.OWNER)
    await users.remove_user(admin.id, acting=owner)
    response = await user.http_client.get('/customers')
    assert response.status_code == 307 and response.headers['location'].startswith('/login')


async def test_repeated_failures_lock_the_email_even_for_the_right_password(user: User) -> None:
    from qbsync.services.login_throttle import MAX_FAILURES

    await make_account(Role.OWNER)
    await user.open('/login')
    user.find(marker='login-email').type(EMAILS[Role.OWNER])
    for _ in range(MAX_FAILURES):
        user.find(marker='login-password').clear().type('wrong password')
        user.find(marker='login-submit').click()
        await _answered(user)
        await user.should_see('Wrong email or password.')
    user.find(marker='login-password').type(PASSWORD)
    user.find(marker='login-submit').click()
    await user.should_see('Too many failed attempts. Try again in 15 minutes.', retries=50)
    assert (await user.http_client.get('/')).status_code == 307


async def _answered(user: User) -> None:
    """Wait until the login handler has answered: it clears the password field on a refused attempt (the message
    from an earlier attempt may still be showing, so seeing it proves nothing)."""
    password = user.find(marker='login-password').elements.pop()
    for _ in range(200):
        if not password.value:
            return
        await asyncio.sleep(0.02)
    raise AssertionError('the login attempt was not answered')
