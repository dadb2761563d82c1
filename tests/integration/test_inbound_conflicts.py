"""No loops, no lost edits: the app's own writes coming back change nothing; an edit on both sides goes by the
conflict policy (app wins, QuickBooks wins, newest wins, ask me with its resolution)."""
from __future__ import annotations

import pytest

from inbound_env import InboundEnv, connection_env, inbound_env  # noqa: F401 (fixtures)
from qbsync.models import Customer, EntityLink, LinkStatus
from qbsync.services.conflicts import KEEP_APP, KEEP_QUICKBOOKS
from qbsync.services.errors import PermissionDenied, ValidationError


async def _linked_customer(env: InboundEnv, name: str = 'Both Sides Co') -> tuple[dict, Customer]:
    made = env.qbo('Customer', 'create', DisplayName=name, PrimaryPhone={'FreeFormNumber': '555-0000'})
    await env.sync_webhooks()
    local = await env.record('customer', made['Id'])
    assert isinstance(local, Customer)
    return made, local


async def test_the_apps_own_write_coming_back_changes_nothing(inbound_env: InboundEnv) -> None:
    env = inbound_env
    made, local = await _linked_customer(env)
    entries = len(await env.log())
    # what the outbound engine does: send the app's edit, then store the answer's SyncToken on the link
    await env.app_edit('customer', local.id, phone='555-1111')
    api = await env.base.service.api()
    current = env.company.get_object('Customer', made['Id'])
    answer = await api.sparse_update('Customer', {'Id': made['Id'], 'SyncToken': current['SyncToken'],
                                                  'PrimaryPhone': {'FreeFormNumber': '555-1111'}},
                                     request_id='echo-test-1')
    async with env.base.db.session() as session:
        link = await session.get(EntityLink, (await env.link('customer', local.id)).id)
        link.sync_token, link.synced_version, link.status = answer['SyncToken'], local.version + 1, LinkStatus.SYNCED
        session.add(link)
        await session.commit()
    assert await env.sync_webhooks() == 1  # the echo arrives as a webhook ...
    after = await env.record('customer', made['Id'])
    assert (after.version, after.phone) == (local.version + 1, '555-1111')  # ... and changes nothing
    assert len(await env.log()) == entries  # not even a log line
    await env.inbound.catch_up()  # nor through CDC
    assert (await env.record('customer', made['Id'])).version == local.version + 1


async def _both_edit(env: InboundEnv, policy: str, *, qbo_later: bool) -> tuple[dict, Customer]:
    await env.set_prefs(conflict_policy=policy)
    made, local = await _linked_customer(env)
    if not qbo_later:
        env.qbo('Customer', 'update', made['Id'], PrimaryPhone={'FreeFormNumber': '555-QBO'})
        env.base.clock.advance(seconds=30)
        await env.app_edit('customer', local.id, phone='555-APP')
    else:
        await env.app_edit('customer', local.id, phone='555-APP')
        env.base.clock.advance(seconds=30)
        env.qbo('Customer', 'update', made['Id'], PrimaryPhone={'FreeFormNumber': '555-QBO'})
    await env.sync_webhooks()
    return made, local


async def test_app_wins_keeps_the_local_edit_pending_with_quickbooks_token(inbound_env: InboundEnv) -> None:
    env = inbound_env
    made, local = await _both_edit(env, 'app_wins', qbo_later=True)
    after = await env.record('customer', made['Id'])
    link = await env.link('customer', local.id)
    assert after.phone == '555-APP' and link.synced_version < after.version  # still to be sent
    assert link.sync_token == env.company.get_object('Customer', made['Id'])['SyncToken']  # not stale when sent
    assert (await env.log())[-1].action == 'conflict_app_wins'


async def test_quickbooks_wins_applies_quickbooks(inbound_env: InboundEnv) -> None:
    env = inbound_env
    made, local = await _both_edit(env, 'quickbooks_wins', qbo_later=False)
    after = await env.record('customer', made['Id'])
    link = await env.link('customer', local.id)
    assert after.phone == '555-QBO' and link.synced_version == after.version and link.status == LinkStatus.SYNCED


@pytest.mark.parametrize(('qbo_later', 'winner'), [(True, '555-QBO'), (False, '555-APP')])
async def test_newest_wins_by_quickbooks_last_updated_time(inbound_env: InboundEnv, qbo_later: bool,
                                                           winner: str) -> None:
    env = inbound_env
    made, _ = await _both_edit(env, 'newest_wins', qbo_later=qbo_later)
    assert (await env.record('customer', made['Id'])).phone == winner


async def test_ask_me_holds_and_keep_quickbooks_resolves(inbound_env: InboundEnv) -> None:
    env = inbound_env
    made, local = await _both_edit(env, 'ask_me', qbo_later=True)
    held = await env.record('customer', made['Id'])
    assert held.phone == '555-APP'
    assert (await env.link('customer', local.id)).status == LinkStatus.HELD
    (conflict,) = await env.conflicts.open_conflicts()
    phone = next(f for f in conflict.fields if f.label == 'Phone')
    assert (phone.app, phone.quickbooks, phone.differs) == ('555-APP', '555-QBO', True)
    assert not next(f for f in conflict.fields if f.label == 'Display name').differs
    assert (await env.log())[-1].action == 'conflict_held'
    # more QuickBooks edits while held update the same conflict, no second one
    env.base.clock.advance(seconds=1)
    env.qbo('Customer', 'update', made['Id'], Notes='from QBO')
    await env.sync_webhooks()
    assert len(await env.conflicts.open_conflicts()) == 1
    owner = next(iter(env.base.users.values()))
    await env.conflicts.resolve(conflict.id, KEEP_QUICKBOOKS, acting=owner)
    after = await env.record('customer', made['Id'])
    link = await env.link('customer', local.id)
    assert (after.phone, after.notes) == ('555-QBO', 'from QBO')
    assert link.status == LinkStatus.SYNCED and link.synced_version == after.version
    assert await env.conflicts.open_conflicts() == []
    with pytest.raises(ValidationError):
        await env.conflicts.resolve(conflict.id, KEEP_APP, acting=owner)
    assert (await env.log())[-1].action == 'conflict_resolved'


async def test_ask_me_keep_app_version_leaves_it_to_the_next_outbound_run(inbound_env: InboundEnv) -> None:
    env = inbound_env
    made, local = await _both_edit(env, 'ask_me', qbo_later=True)
    (conflict,) = await env.conflicts.open_conflicts()
    viewer = await env.base.add_user('viewer@example.com', role='viewer')
    with pytest.raises(PermissionDenied):
        await env.conflicts.resolve(conflict.id, KEEP_APP, acting=viewer)
    await env.conflicts.resolve(conflict.id, KEEP_APP, acting=next(iter(env.base.users.values())))
    after = await env.record('customer', made['Id'])
    link = await env.link('customer', local.id)
    assert after.phone == '555-APP' and link.status == LinkStatus.PENDING and link.synced_version < after.version
    assert link.sync_token == env.company.get_object('Customer', made['Id'])['SyncToken']
