"""Reconnecting the same company keeps mappings and links; another company needs the user's explicit choice."""
from __future__ import annotations

from sqlmodel import select

from qbsync.models import AccountMapping, ConnectionStatus, EntityLink, LinkStatus
from qbsync.services.connection import PENDING_SWITCH
from qbsync.services.connection_views import ConnectResult

from connection_env import ConnectionEnv, connection_env  # noqa: F401 (fixture)


async def _with_data(env: ConnectionEnv, realm_id: str) -> None:
    async with env.db.session() as session:
        session.add(AccountMapping(realm_id=realm_id, purpose='income', qbo_account_id='1', qbo_account_name='Sales'))
        session.add(EntityLink(realm_id=realm_id, entity_type='customer', local_id=1, qbo_id='58',
                               status=LinkStatus.SYNCED))
        await session.commit()


async def _counts(env: ConnectionEnv, realm_id: str) -> tuple[int, int]:
    async with env.db.session() as session:
        links = (await session.exec(select(EntityLink).where(EntityLink.realm_id == realm_id))).all()
        mappings = (await session.exec(select(AccountMapping).where(AccountMapping.realm_id == realm_id))).all()
    return len(links), len(mappings)


async def test_reconnecting_the_same_company_keeps_mappings_and_links(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    await _with_data(env, env.realm_id)
    await env.service.disconnect(env.users['owner@example.com'])
    assert (await env.connect()).result == ConnectResult.CONNECTED
    assert await _counts(env, env.realm_id) == (1, 1)


async def test_another_company_asks_first_and_confirming_switches(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    await _with_data(env, env.realm_id)
    other = env.sandbox.companies.create_company('Other Books LLC')
    env.clock.advance(minutes=1)

    outcome = await env.connect(realm_id=other.realm_id)

    assert outcome.result == ConnectResult.CONFIRM_SWITCH
    switch = outcome.switch
    assert (switch.realm_id, switch.company_name, switch.previous_realm_id) == (other.realm_id, 'Other Books LLC',
                                                                               env.realm_id)
    assert (switch.previous_links, switch.previous_mappings) == (1, 1)
    assert '1 synced record link(s)' in outcome.message
    assert (await env.service.current()).realm_id == env.realm_id  # nothing changed yet
    parked = await env.row(other.realm_id)
    assert parked.status == PENDING_SWITCH and parked.encrypted_tokens
    wrong = await env.service.confirm_switch('another-browser', env.users['owner@example.com'].id, switch.ticket)
    assert wrong.result == ConnectResult.FAILED

    done = await env.service.confirm_switch('browser-1', env.users['owner@example.com'].id, switch.ticket)

    assert done.result == ConnectResult.CONNECTED
    view = await env.service.current()
    assert (view.realm_id, view.company_name) == (other.realm_id, 'Other Books LLC')
    assert (await env.row()).status == ConnectionStatus.DISCONNECTED
    assert env.sandbox.grants.grants(env.realm_id) == []  # the old company's grant was revoked
    assert (await env.row()).encrypted_tokens == ''  # and its tokens are gone from the database
    assert await _counts(env, env.realm_id) == (1, 1)  # kept for the old company
    company = await (await env.service.api()).company_info()
    assert company.realm_id == other.realm_id
    again = await env.service.confirm_switch('browser-1', env.users['owner@example.com'].id, switch.ticket)
    assert again.result == ConnectResult.FAILED  # single use


async def test_cancelling_a_switch_revokes_the_new_grant_and_keeps_the_company(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    other = env.sandbox.companies.create_company('Other Books LLC')
    env.clock.advance(minutes=1)
    outcome = await env.connect(realm_id=other.realm_id)
    assert outcome.result == ConnectResult.CONFIRM_SWITCH  # the connected company alone is reason to ask

    cancelled = await env.service.cancel_switch('browser-1', env.users['owner@example.com'].id, outcome.switch.ticket)

    assert cancelled.result == ConnectResult.CANCELLED
    assert (await env.service.current()).realm_id == env.realm_id
    assert await env.row(other.realm_id) is None
    assert env.sandbox.grants.grants(other.realm_id) == []
    assert env.sandbox.grants.grants(env.realm_id)  # the current company's grant is untouched
    await (await env.service.api()).company_info()


async def test_an_unanswered_switch_expires_and_is_revoked(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    other = env.sandbox.companies.create_company('Other Books LLC')
    env.clock.advance(minutes=1)
    outcome = await env.connect(realm_id=other.realm_id)
    env.clock.advance(minutes=16)
    await env.service.refresh_idle_connections()  # the keep-alive job also clears stale choices
    assert await env.row(other.realm_id) is None
    assert env.sandbox.grants.grants(other.realm_id) == []
    late = await env.service.confirm_switch('browser-1', env.users['owner@example.com'].id, outcome.switch.ticket)
    assert late.result == ConnectResult.FAILED


async def test_explicit_switch_from_the_start_needs_no_second_question(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    await _with_data(env, env.realm_id)
    other = env.sandbox.companies.create_company('Other Books LLC')
    env.clock.advance(minutes=1)
    outcome = await env.connect(realm_id=other.realm_id, allow_company_switch=True)
    assert outcome.result == ConnectResult.CONNECTED
    assert (await env.service.current()).realm_id == other.realm_id


async def test_a_previous_company_without_data_is_no_reason_to_ask(connection_env: ConnectionEnv) -> None:
    env = connection_env
    assert (await env.connect()).result == ConnectResult.CONNECTED
    await env.service.disconnect(env.users['owner@example.com'])
    other = env.sandbox.companies.create_company('Other Books LLC')
    env.clock.advance(minutes=1)
    assert (await env.connect(realm_id=other.realm_id)).result == ConnectResult.CONNECTED
    env.clock.advance(minutes=1)
    await env.service.disconnect(env.users['owner@example.com'])
    await _with_data(env, other.realm_id)
    env.clock.advance(minutes=1)
    back = await env.connect()  # the data now belongs to "Other Books": going back asks
    assert back.result == ConnectResult.CONFIRM_SWITCH and back.switch.previous_realm_id == other.realm_id

