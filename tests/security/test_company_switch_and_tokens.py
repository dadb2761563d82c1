"""Roles everywhere (issue 10, item 2) and tokens (item 3): answering a company switch re-checks the role, the
confirmation cannot be skipped by a link, and a replaced grant never stays live at Intuit."""
from __future__ import annotations

from nicegui import app
from nicegui.testing import User
from sqlmodel import select

from qbsync.models import OAuthState, Role
from qbsync.models import User as Account
from qbsync.services.connection import PENDING_SWITCH
from qbsync.services.connection_views import ConnectResult

from integration.connection_env import ConnectionEnv, connection_env  # noqa: F401 (fixture)
from ui.accounts import log_in, make_account


async def _demote(env: ConnectionEnv, email: str) -> None:
    async with env.db.session() as session:
        account = (await session.exec(select(Account).where(Account.email == email))).one()
        account.role = Role.VIEWER
        session.add(account)
        await session.commit()


async def _parked_switch(env: ConnectionEnv, name: str = 'Other Books LLC'):  # type: ignore[no-untyped-def]
    assert (await env.connect()).result == ConnectResult.CONNECTED
    other = env.sandbox.companies.create_company(name)
    env.clock.advance(minutes=1)
    outcome = await env.connect(realm_id=other.realm_id)
    assert outcome.result == ConnectResult.CONFIRM_SWITCH
    return other, outcome.switch


async def test_an_admin_demoted_to_viewer_cannot_confirm_or_cancel_a_switch(connection_env: ConnectionEnv) -> None:
    env = connection_env
    other, switch = await _parked_switch(env)
    owner = env.users['owner@example.com']
    await _demote(env, owner.email)
    for answer in (env.service.confirm_switch, env.service.cancel_switch):
        refused = await answer('browser-1', owner.id, switch.ticket)
        assert refused.result == ConnectResult.INVALID_STATE and 'owners and admins' in refused.message
    assert (await env.service.current()).realm_id == env.realm_id  # nothing switched
    assert (await env.row(other.realm_id)).status == PENDING_SWITCH  # and the choice is still there for a manager


async def test_reconnecting_the_same_company_revokes_the_grant_it_replaces(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    first = (await env.stored_tokens()).refresh_token
    env.clock.advance(minutes=1)
    assert (await env.connect()).result == ConnectResult.CONNECTED  # connect again without disconnecting
    second = (await env.stored_tokens()).refresh_token
    assert second != first
    assert len(env.sandbox.grants.grants(env.realm_id)) == 1  # the first grant was revoked at Intuit
    await (await env.service.api()).company_info()  # and the new one works


async def test_a_new_parked_switch_revokes_the_one_it_replaces(connection_env: ConnectionEnv) -> None:
    env = connection_env
    first_company, first_switch = await _parked_switch(env)
    second_company = env.sandbox.companies.create_company('Third Books LLC')
    env.clock.advance(minutes=1)
    assert (await env.connect(realm_id=second_company.realm_id)).result == ConnectResult.CONFIRM_SWITCH
    assert env.sandbox.grants.grants(first_company.realm_id) == []  # the replaced parked grant is dead at Intuit
    assert await env.row(first_company.realm_id) is None
    late = await env.service.confirm_switch('browser-1', env.users['owner@example.com'].id, first_switch.ticket)
    assert late.result == ConnectResult.FAILED


async def test_the_switch_confirmation_cannot_be_skipped_by_a_link(user: User) -> None:
    owner = await make_account(Role.OWNER)
    await log_in(user, owner.email)
    response = await user.http_client.get('/api/quickbooks/connect?allow_company_switch=true')
    assert response.status_code == 303
    async with app.state.services.db.session() as session:
        states = (await session.exec(select(OAuthState))).all()
    assert states and not any(state.allow_company_switch for state in states)
