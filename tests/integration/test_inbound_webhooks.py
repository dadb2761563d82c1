"""Webhooks end to end: a change made as a QuickBooks user, the sandbox's real signed delivery to the app's route,
the worker's pass, and the local record; in both formats; skips, foreign companies, retries, no double processing."""
from __future__ import annotations

from decimal import Decimal

import pytest

from inbound_env import InboundEnv, connection_env, inbound_env  # noqa: F401 (fixtures)
from qbsync.models import Customer, EntityLink, EventStatus, LinkStatus, WebhookEvent
from qbsync.quickbooks.webhooks import EntityChange
from qbsync.services.records import RecordService


@pytest.mark.parametrize('inbound_env', ['legacy', 'cloudevents'], indirect=True)
async def test_customer_created_in_quickbooks_appears_locally(inbound_env: InboundEnv) -> None:
    env = inbound_env
    made = env.qbo('Customer', 'create', DisplayName='Harbor Dental', PrimaryEmailAddr={'Address': 'hi@harbor.test'},
                   BillAddr={'Line1': '1 Quay St', 'City': 'Portland', 'CountrySubDivisionCode': 'OR'})
    assert await env.sync_webhooks() == 1
    customer = await env.record('customer', made['Id'])
    assert isinstance(customer, Customer)
    assert (customer.display_name, customer.email, customer.bill_city, customer.bill_state) == (
        'Harbor Dental', 'hi@harbor.test', 'Portland', 'OR')
    link = await env.link('customer', customer.id)
    assert link is not None and (link.status, link.sync_token, link.synced_version) == (LinkStatus.SYNCED, '0',
                                                                                      customer.version)
    (event,) = await env.events()
    assert event.status == EventStatus.DONE and event.processed_at is not None
    assert [e.action for e in await env.log()] == ['inbound_create']


async def test_update_moves_version_and_link_together_and_replay_changes_nothing(inbound_env: InboundEnv) -> None:
    env = inbound_env
    made = env.qbo('Customer', 'create', DisplayName='Slate Roofing')
    await env.sync_webhooks()
    env.base.clock.advance(seconds=5)
    env.qbo('Customer', 'update', made['Id'], PrimaryPhone={'FreeFormNumber': '555-0101'}, Notes='Gate code 42')
    assert await env.sync_webhooks() == 1
    customer = await env.record('customer', made['Id'])
    link = await env.link('customer', customer.id)
    assert (customer.phone, customer.notes, customer.version) == ('555-0101', 'Gate code 42', 2)
    assert (link.synced_version, link.sync_token, link.status) == (2, '1', LinkStatus.SYNCED)  # not pending
    first = await env.inbound.catch_up()  # no cursor yet: every customer by query, ours among them
    assert first.mode == 'query' and not first.result.failed and first.result.unchanged == 1  # ours: known
    entries = len(await env.log())
    # the same change learned again (a replayed notice, CDC's overlap) does nothing at all, not even log lines
    again = await env.inbound.catch_up()
    assert again.mode == 'cdc' and again.result.applied == 0 and again.result.unchanged >= 1
    assert (await env.record('customer', made['Id'])).version == 2 and len(await env.log()) == entries


async def test_entities_the_app_does_not_sync_are_skipped(inbound_env: InboundEnv) -> None:
    env = inbound_env
    await env.set_prefs(sync_items=False)
    await env.inbox.record([EntityChange('deposit-1', env.realm_id, 'Deposit', '12', 'Create')])
    item = next(i for i in env.company.objects['Item'].values() if i.get('Type') == 'Service')
    env.qbo('Item', 'update', item['Id'], Description='changed')
    await env.sync_webhooks()
    events = {e.entity: e for e in await env.events()}
    assert events['Deposit'].status == EventStatus.SKIPPED and 'not synced' in events['Deposit'].error
    assert events['Item'].status == EventStatus.SKIPPED and 'switched off' in events['Item'].error
    assert await env.rows(EntityLink) == []


async def test_inbound_off_skips_and_reads_nothing(inbound_env: InboundEnv) -> None:
    env = inbound_env
    await env.set_prefs(inbound_enabled=False)
    env.qbo('Customer', 'create', DisplayName='Ignored Co')
    await env.sync_webhooks()
    (event,) = await env.events()
    assert event.status == EventStatus.SKIPPED and event.error == 'inbound sync is off'
    assert await env.rows(Customer) == []


async def test_events_for_another_company_are_ignored_and_logged(inbound_env: InboundEnv) -> None:
    env = inbound_env
    # stored while that company was connected (intake keeps only connected companies' notices), then switched
    async with env.base.db.session() as session:
        session.add(WebhookEvent(event_key='other-1', realm_id='999000111', entity='Customer', entity_qbo_id='5',
                                 operation='Update'))
        await session.commit()
    assert (await env.inbound.process_events()).ignored == 1
    (event,) = await env.events()
    assert event.status == EventStatus.IGNORED
    (entry,) = await env.log()
    assert entry.level == 'warning' and '999000111' in entry.message and 'not the connected' in entry.message


async def test_a_failed_read_is_retried_with_backoff_and_then_applied_once(inbound_env: InboundEnv) -> None:
    env = inbound_env
    made = env.qbo('Customer', 'create', DisplayName='Flaky Networks')
    await env.deliver()
    real_api = env.inbound._api

    async def broken():  # type: ignore[no-untyped-def]
        raise ConnectionError('network down')
    env.inbound._api = broken  # type: ignore[method-assign]
    report = await env.inbound.process_events()
    assert report.retried == 1
    (event,) = await env.events()
    assert event.status == EventStatus.PENDING and event.attempts == 1 and 'network down' in event.error
    assert (await env.inbound.process_events()).claimed == 0  # waits for its backoff
    env.inbound._api = real_api  # type: ignore[method-assign]
    env.base.clock.advance(seconds=6)
    assert (await env.inbound.process_events()).done == 1
    assert (await env.record('customer', made['Id'])).display_name == 'Flaky Networks'
    assert (await env.inbound.process_events()).claimed == 0


async def test_payment_recorded_in_quickbooks_reduces_the_local_invoice_balance(inbound_env: InboundEnv) -> None:
    env = inbound_env
    customer = env.qbo('Customer', 'create', DisplayName='Birch Cafe')
    item = next(i for i in env.company.objects['Item'].values() if i.get('Type') == 'Service')
    invoice = env.qbo('Invoice', 'create', CustomerRef={'value': customer['Id']}, DocNumber='Q-100', Line=[
        {'Amount': Decimal('300.00'), 'DetailType': 'SalesItemLineDetail',
         'SalesItemLineDetail': {'ItemRef': {'value': item['Id']}, 'Qty': 3, 'UnitPrice': Decimal('100.00')}}])
    await env.sync_webhooks()
    env.qbo('Payment', 'create', CustomerRef={'value': customer['Id']}, TotalAmt=Decimal('120.00'),
            Line=[{'Amount': Decimal('120.00'), 'LinkedTxn': [{'TxnId': invoice['Id'], 'TxnType': 'Invoice'}]}])
    await env.sync_webhooks()
    local = await env.record('invoice', invoice['Id'])
    view = await RecordService(env.base.db).get('invoice', local.id)
    assert view.balance == Decimal('180.00')
