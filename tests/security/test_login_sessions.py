"""Login and sessions (issue 10, item 1): redirects stay on the site, sessions rotate, the lockout cannot be raced,
cookies and timeouts, password rules, changing and resetting passwords."""
from __future__ import annotations

import asyncio
import io
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from nicegui import app
from nicegui.testing import User

from qbsync.cli import main as qbsync_main
from qbsync.models import Role
from qbsync.services.errors import LoginLocked, PermissionDenied, ValidationError
from qbsync.services.login_throttle import MAX_ADDRESS_FAILURES, MAX_FAILURES, WINDOW, LoginThrottle
from qbsync.services.passwords import password_problem
from qbsync.services.sessions import SessionRules
from qbsync.web.sessions import local_path

from ui.accounts import PASSWORD, log_in, make_account

NEW_PASSWORD = 'violet tractor mosaic 1987'


@pytest.mark.parametrize('target', ['/\t/example.invalid/x', '/%09/example.invalid', '//example.invalid',
                                    '/\\example.invalid', '\\\\example.invalid', 'https://example.invalid/',
                                    'javascript:alert(1)', '/\r\n/example.invalid', ' //example.invalid',
                                    '/\x00/example.invalid', 'example.invalid', '', '/\\/example.invalid'])
def test_redirect_targets_off_the_site_become_the_dashboard(target: str) -> None:
    assert local_path(target) in ('/', '/%09/example.invalid')  # an encoded tab stays encoded: a harmless path
    assert not local_path(target).startswith('//')


@pytest.mark.parametrize('target', ['/customers', '/invoices/7?tab=lines', '/settings/integrations#x'])
def test_local_redirect_targets_are_kept(target: str) -> None:
    assert local_path(target) == target


async def test_a_tab_in_redirect_to_does_not_send_the_browser_off_site(user: User) -> None:
    await make_account(Role.OWNER)
    await user.open('/login?redirect_to=/%09/example.invalid/phish')
    user.find(marker='login-email').type('owner@example.com')
    user.find(marker='login-password').type(PASSWORD)
    user.find(marker='login-submit').click()
    await user.should_see(marker='signed-in-user', retries=20)
    assert user.client.request.url.path == '/'  # finished at the dashboard, not at example.invalid


async def test_login_and_logout_give_the_browser_a_new_session(user: User) -> None:
    await make_account(Role.OWNER)
    await user.open('/login')
    planted = user.client.request.session['id']  # an id an attacker could have planted in this browser
    planted_cookies = httpx.Cookies(user.http_client.cookies)
    await log_in(user, 'owner@example.com')
    signed_in = user.client.request.session['id']
    assert signed_in != planted
    assert 'user_id' not in app.storage._users[planted]  # the planted session signs nobody in
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://test',
                                 cookies=planted_cookies) as attacker:
        assert (await attacker.get('/customers')).status_code == 307  # sent to the login
    user.find(marker='logout').click()
    await user.should_see(marker='login-email', retries=20)
    assert user.client.request.session['id'] not in (planted, signed_in)
    assert 'user_id' not in app.storage._users[signed_in]  # a cookie copied before the logout opens nothing


async def test_a_login_ticket_works_once_and_only_in_its_own_browser(user: User) -> None:
    owner = await make_account(Role.OWNER)
    ticket = app.state.services.sessions.issue_ticket('browser-a', owner, '/')
    response = await user.http_client.get(f'/login/finish?ticket={ticket}')  # another browser's session
    assert response.status_code == 303 and response.headers['location'] == '/login'
    assert (await user.http_client.get('/customers')).status_code == 307


async def test_simultaneous_guesses_cannot_race_the_lockout(user: User) -> None:
    await make_account(Role.OWNER)
    users = app.state.services.users
    guesses = [users.authenticate('owner@example.com', f'wrong guess {n}') for n in range(15)]
    outcomes = await asyncio.gather(*guesses, users.authenticate('owner@example.com', PASSWORD),
                                    return_exceptions=True)
    assert isinstance(outcomes[-1], LoginLocked)  # the right password, sent with the guesses, does not sign in
    assert sum(isinstance(o, LoginLocked) for o in outcomes) == 16 - MAX_FAILURES


def test_one_address_trying_many_emails_is_locked_too() -> None:
    throttle = LoginThrottle()
    for n in range(MAX_ADDRESS_FAILURES):
        throttle.attempt(f'user{n}@example.com', '203.0.113.9')
    with pytest.raises(LoginLocked):
        throttle.attempt('someone.new@example.com', '203.0.113.9')
    throttle.attempt('someone.new@example.com', '198.51.100.1')  # another address may still try


def test_throttle_entries_expire() -> None:
    clock = [datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)]
    throttle = LoginThrottle(now=lambda: clock[0])
    for n in range(500):
        throttle.attempt(f'user{n}@example.com', f'192.0.2.{n % 250}')
    assert len(throttle) == 750
    clock[0] += WINDOW + timedelta(seconds=1)
    throttle.attempt('late@example.com', '192.0.2.1')
    assert len(throttle) == 2


def test_sessions_end_when_idle_or_too_old_or_the_password_changes() -> None:
    clock = [datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)]
    rules = SessionRules(idle=timedelta(minutes=30), lifetime=timedelta(hours=8), now=lambda: clock[0])

    class Account:
        id, password_hash = 1, 'argon2-hash-1'
    account = Account()
    data = rules.start(account)  # type: ignore[arg-type]
    assert rules.valid(data, account)  # type: ignore[arg-type]
    clock[0] += timedelta(minutes=29)
    rules.touch(data)
    clock[0] += timedelta(minutes=29)
    assert rules.valid(data, account)  # type: ignore[arg-type]
    clock[0] += timedelta(minutes=31)
    assert not rules.valid(data, account)  # idle too long  # type: ignore[arg-type]
    data = rules.start(account)  # type: ignore[arg-type]
    for _ in range(20):
        clock[0] += timedelta(minutes=25)
        rules.touch(data)
    assert not rules.valid(data, account)  # active all along, but past the absolute lifetime  # type: ignore
    data = rules.start(account)  # type: ignore[arg-type]
    account.password_hash = 'argon2-hash-2'
    assert not rules.valid(data, account)  # type: ignore[arg-type]


async def test_an_idle_session_is_sent_to_the_login(user: User) -> None:
    await make_account(Role.OWNER)
    await log_in(user, 'owner@example.com')
    session_id = user.client.request.session['id']
    app.storage._users[session_id]['seen_at'] -= app.state.services.sessions.idle.total_seconds() + 1
    response = await user.http_client.get('/customers')
    assert response.status_code == 307 and response.headers['location'].startswith('/login')


@pytest.mark.parametrize('password, reason', [('short pass', '12 characters'), ('password1234', 'common'),
                                              ('qwertyuiop123', 'common'), ('aaaaaaaaaaaaaaaa', 'Repeats'),
                                              ('owner@example.com', 'guess')])
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    problem = password_problem(password, email='owner@example.com', name='Olivia Owner')
    assert problem is not None and reason.lower() in problem.lower()


def test_good_passwords_pass() -> None:
    assert password_problem(NEW_PASSWORD) is None
    assert password_problem(PASSWORD) is None


async def test_changing_my_password_asks_the_current_one_and_ends_my_other_sessions(user: User) -> None:
    owner = await make_account(Role.OWNER)
    await log_in(user, owner.email)
    other = app.state.services.sessions.start(owner)  # the same account signed in elsewhere
    await user.open('/account/password')
    user.find(marker='current-password').type('not my password!')
    user.find(marker='new-password').type(NEW_PASSWORD)
    user.find(marker='confirm-password').type(NEW_PASSWORD)
    user.find(marker='change-password').click()
    await user.should_see('This is not your current password', retries=20)  # a hash is checked meanwhile
    user.find(marker='current-password').clear().type(PASSWORD)
    user.find(marker='change-password').click()
    await user.should_see('Password changed', retries=20)
    changed = await app.state.services.users.get(owner.id)
    assert not app.state.services.sessions.valid(other, changed)
    await user.open('/customers')  # this session stays signed in
    await user.should_see(marker='signed-in-user')
    assert await app.state.services.users.authenticate(owner.email, NEW_PASSWORD) is not None


async def test_owner_resets_a_users_password_which_ends_their_sessions(user: User) -> None:
    owner = await make_account(Role.OWNER)
    viewer = await make_account(Role.VIEWER)
    their_session = app.state.services.sessions.start(viewer)
    await log_in(user, owner.email)
    await user.open('/users')
    await user.should_see(marker=f'user-reset-{viewer.id}', retries=20)
    user.find(marker=f'user-reset-{viewer.id}').click()
    user.find(marker='reset-password').type('password1234')
    user.find(marker='confirm-reset').click()
    await user.should_see('Too easy to guess', retries=20)
    user.find(marker='reset-password').clear().type(NEW_PASSWORD)
    user.find(marker='confirm-reset').click()
    await user.should_see('their sessions have ended', retries=20)
    reset = await app.state.services.users.get(viewer.id)
    assert not app.state.services.sessions.valid(their_session, reset)
    assert await app.state.services.users.authenticate(viewer.email, NEW_PASSWORD) is not None
    with pytest.raises(PermissionDenied):  # only the owner may reset
        await app.state.services.users.reset_password(owner.id, NEW_PASSWORD, acting=reset)


async def test_cli_resets_a_locked_out_owners_password(user: User, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    owner = await make_account(Role.OWNER)
    monkeypatch.setattr('sys.stdin', io.StringIO('short\n'))
    assert qbsync_main(['users', 'reset-password', owner.email, '--password-stdin']) == 1
    assert '12 characters' in capsys.readouterr().err
    monkeypatch.setattr('sys.stdin', io.StringIO(NEW_PASSWORD + '\n'))
    assert qbsync_main(['users', 'reset-password', 'OWNER@example.com', '--password-stdin']) == 0
    assert f'New password set for {owner.email}' in capsys.readouterr().out
    assert await app.state.services.users.authenticate(owner.email, NEW_PASSWORD) is not None
    with pytest.raises(ValidationError):
        await app.state.services.users.create_user(email='x@example.com', name='X', password='password1234',
                                                   role=Role.VIEWER, acting=owner)
