"""Webhook delivery: formats, signature, aggregation, retries on the injectable clock, timeout, holding, grants."""
from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from functools import partial

import pytest

from qbsync.sandbox.events import ChangeEvent
from qbsync.sandbox.webhooks import INTUIT_RETRY_SCHEDULE, Notice, legacy_body, sign
from qbsync.sandbox.webhooks.payloads import cloudevents_body

from ops_support import RECEIVER_URL, VERIFIER, Receiver, api_client, bearer, connect_app, make_state


def _emit(state, entity='Invoice', entity_id='130', operation='Update', deleted_id=None):
    state.events.emit(ChangeEvent(state.default_realm_id, entity, entity_id, operation, state.clock.now(), deleted_id))


def test_signature_matches_intuit_test_vector():
    body = (b'{"eventNotifications":[{"realmId":"1185883450","dataChangeEvent":{"entities":[{"name":"Customer",'
            b'"id":"1","operation":"Create","lastUpdated":"2015-10-05T14:42:19-0700"}]}}]}')
    assert sign(body, 'b5771f19b12ddb4bcdb9f08bdc50bc63878a') == 'JC2GUwciPmRBwEO7WvrRmKqu9tGOKL8FFallocTFi8Q='


def test_legacy_and_cloudevents_bodies_have_intuits_fields():
    from datetime import datetime, timezone
    at = datetime(2025, 3, 5, 18, 53, 39, tzinfo=timezone.utc)
    notices = [Notice('Invoice', '239', 'Update', at), Notice('Customer', '58', 'Merge', at, deleted_id='61')]
    legacy = json.loads(legacy_body('310687', notices))
    assert legacy == {'eventNotifications': [{'realmId': '310687', 'dataChangeEvent': {'entities': [
        {'name': 'Invoice', 'id': '239', 'operation': 'Update', 'lastUpdated': '2025-03-05T18:53:39.000Z'},
        {'name': 'Customer', 'id': '58', 'operation': 'Merge', 'lastUpdated': '2025-03-05T18:53:39.000Z',
         'deletedId': '61'}]}}]}
    events = json.loads(cloudevents_body('310687', 'app-one', notices, ['id-1', 'id-2']))
    assert [e['type'] for e in events] == ['qbo.invoice.updated.v1', 'qbo.customer.merged.v1']
    assert events[0]['specversion'] == '1.0' and events[0]['id'] == 'id-1' and events[0]['source'].startswith('intuit.')
    assert events[0]['intuitentityid'] == '239' and events[0]['intuitaccountid'] == '310687'
    assert events[0]['datacontenttype'] == 'application/json' and events[0]['time'] == '2025-03-05T18:53:39.000Z'
    assert events[0]['data'] == {} and events[1]['data'] == {'deletedid': '61'}


async def test_close_events_are_aggregated_signed_and_sent_after_the_window():
    receiver = Receiver()
    state = make_state(receiver)
    connect_app(state)
    _emit(state, 'Invoice', '130', 'Create')
    state.clock.advance(seconds=0.5)
    _emit(state, 'Invoice', '130', 'Update')
    _emit(state, 'Invoice', '130', 'Update')   # same entity and operation: one line, latest time
    _emit(state, 'Customer', '58', 'Merge', deleted_id='61')
    assert await state.webhooks.deliver_due() == [] and receiver.calls == []   # window still open
    state.clock.advance(seconds=0.5)
    [delivery] = await state.webhooks.deliver_due()
    [call] = receiver.calls
    assert call.headers['content-type'] == 'application/json'
    assert call.headers['intuit-signature'] == sign(call.body, VERIFIER)
    [notification] = json.loads(call.body)['eventNotifications']
    assert notification['realmId'] == state.default_realm_id
    assert [(e['name'], e['id'], e['operation']) for e in notification['dataChangeEvent']['entities']] == [
        ('Invoice', '130', 'Create'), ('Invoice', '130', 'Update'), ('Customer', '58', 'Merge')]
    assert notification['dataChangeEvent']['entities'][2]['deletedId'] == '61'
    assert delivery.status == 'delivered' and delivery.url == RECEIVER_URL and len(delivery.attempts) == 1
    _emit(state, 'Payment', '7', 'Void')   # after the window closed: a new notification
    [later] = await state.webhooks.flush()
    assert later.id != delivery.id and json.loads(receiver.calls[1].body)['eventNotifications'][0][
        'dataChangeEvent']['entities'][0]['operation'] == 'Void'


async def test_cloudevents_format_and_content_type_per_app():
    receiver = Receiver()
    state = make_state(receiver)
    connect_app(state, webhook_format='cloudevents')
    _emit(state, 'Invoice', '130', 'Emailed')
    await state.webhooks.flush()
    [call] = receiver.calls
    assert call.headers['content-type'] == 'application/cloudevents+json'
    assert call.headers['intuit-signature'] == sign(call.body, VERIFIER)
    [event] = json.loads(call.body)
    assert event['type'] == 'qbo.invoice.emailed.v1' and event['intuitentityid'] == '130'


async def test_failed_delivery_follows_intuits_retry_schedule_with_identical_body_and_ids():
    receiver = Receiver(status=500)
    state = make_state(receiver)
    connect_app(state, webhook_format='cloudevents')
    _emit(state)
    [delivery] = await state.webhooks.flush()
    opened = delivery.attempts[0].at
    waits = list(INTUIT_RETRY_SCHEDULE) + [timedelta(hours=6), timedelta(hours=6)]
    for wait in waits:
        state.clock.advance(wait - timedelta(seconds=1))
        assert await state.webhooks.deliver_due() == []          # not a second early
        state.clock.advance(seconds=1)
        assert await state.webhooks.deliver_due() == [delivery]
    assert [a.at - opened for a in delivery.attempts][1:4] == [timedelta(seconds=10), timedelta(seconds=30),
                                                               timedelta(seconds=60)]
    assert delivery.status == 'retrying' and len(delivery.attempts) == len(waits) + 1
    assert {call.body for call in receiver.calls} == {receiver.calls[0].body}       # byte-identical retries
    assert len({json.loads(call.body)[0]['id'] for call in receiver.calls}) == 1     # stable CloudEvents id
    receiver.status = 200
    state.clock.advance(hours=6)
    await state.webhooks.deliver_due()
    assert delivery.status == 'delivered' and delivery.due_at is None
    state.clock.advance(days=2)
    assert await state.webhooks.deliver_due() == []


async def test_slow_endpoint_times_out_and_is_retried():
    receiver = Receiver(hang=True)
    state = make_state(receiver, timeout=0.05)
    connect_app(state)
    _emit(state)
    [delivery] = await state.webhooks.flush()
    assert delivery.status == 'retrying' and 'no answer within 0.05 s' in delivery.attempts[0].error
    assert delivery.due_at == delivery.attempts[0].at + timedelta(seconds=10)


async def test_later_events_are_held_until_the_failing_notification_is_acknowledged():
    receiver = Receiver(status=503)
    state = make_state(receiver)
    connect_app(state)
    _emit(state, entity_id='1')
    [first] = await state.webhooks.flush()
    _emit(state, entity_id='2')
    state.clock.advance(seconds=5)
    assert await state.webhooks.deliver_due() == []   # the second is due, but the first still fails
    receiver.status = 200
    state.clock.advance(seconds=5)
    assert await state.webhooks.deliver_due() == [first]
    [second] = await state.webhooks.deliver_due()
    assert [json.loads(c.body)['eventNotifications'][0]['dataChangeEvent']['entities'][0]['id']
            for c in receiver.calls] == ['1', '1', '2']
    assert second.status == 'delivered'


async def test_only_apps_with_a_live_grant_and_a_webhook_get_notifications():
    receiver = Receiver()
    state = make_state(receiver)
    connect_app(state, 'with-hook')
    connect_app(state, 'without-hook', webhook=False)
    state.apps.register('not-connected', 'secret', redirect_uris=['https://x.example/cb'],
                        webhook_url=RECEIVER_URL, verifier_token=VERIFIER)
    _emit(state)
    assert [d.client_id for d in await state.webhooks.flush()] == ['with-hook']
    state.grants.revoke_grant(state.default_realm_id, 'with-hook')
    _emit(state)
    assert await state.webhooks.flush() == []


async def test_background_task_delivers_without_a_pump_on_a_real_clock_setting():
    receiver = Receiver()
    state = make_state(receiver, window_seconds=0, webhook_background=True)
    connect_app(state)
    _emit(state)   # from inside the running loop: the listener starts the task lazily
    for _ in range(200):
        if receiver.calls:
            break
        await asyncio.sleep(0.01)
    await state.webhooks.stop()
    assert len(receiver.calls) == 1


INVOICE = {'CustomerRef': {'value': '1'}, 'Line': [{'Amount': 100, 'DetailType': 'SalesItemLineDetail',
                                                    'SalesItemLineDetail': {'ItemRef': {'value': '1'}}}]}


async def test_api_changes_are_notified_with_their_operations():
    receiver = Receiver()
    state = make_state(receiver)
    token = connect_app(state)
    realm = state.default_realm_id
    async with api_client(state) as client:
        created = (await client.post(f'/v3/company/{realm}/invoice', json=INVOICE, headers=bearer(token))).json()
        invoice_id = created['Invoice']['Id']
        await client.post(f'/v3/company/{realm}/invoice', json={'Id': invoice_id, 'SyncToken': '0', 'sparse': True,
                                                                  'PrivateNote': 'edited'}, headers=bearer(token))
        await client.post(f'/v3/company/{realm}/invoice', params={'operation': 'void'},
                          json={'Id': invoice_id, 'SyncToken': '1'}, headers=bearer(token))
        await client.post(f'/v3/company/{realm}/invoice', params={'operation': 'delete'},
                          json={'Id': invoice_id, 'SyncToken': '2'}, headers=bearer(token))
    assert receiver.calls == []                       # nothing is sent inside the API calls
    await state.webhooks.flush()
    [call] = receiver.calls
    entities = json.loads(call.body)['eventNotifications'][0]['dataChangeEvent']['entities']
    assert [(e['name'], e['id'], e['operation']) for e in entities] == [
        ('Invoice', invoice_id, op) for op in ('Create', 'Update', 'Void', 'Delete')]


async def test_a_hanging_webhook_endpoint_never_holds_up_api_calls():
    receiver = Receiver(hang=True)
    state = make_state(receiver, window_seconds=0, webhook_background=True)
    token = connect_app(state)
    realm = state.default_realm_id
    async with api_client(state) as client:
        first = await client.post(f'/v3/company/{realm}/invoice', json=INVOICE, headers=bearer(token))
        for _ in range(200):
            if receiver.calls:
                break
            await asyncio.sleep(0.01)
        assert len(receiver.calls) == 1               # the delivery is in flight and hanging
        second = await client.post(f'/v3/company/{realm}/invoice', json=INVOICE, headers=bearer(token))
        assert (first.status_code, second.status_code) == (200, 200)
        assert [d.status for d in state.webhooks.deliveries()][-1] in ('pending', 'collecting')
    await state.webhooks.stop()


def _entities(call):
    return json.loads(call.body)['eventNotifications'][0]['dataChangeEvent']['entities']


async def test_emailed_and_merged_changes_reach_both_payload_formats():
    receiver = Receiver()
    state = make_state(receiver)
    legacy_token = connect_app(state, 'legacy-app')
    connect_app(state, 'cloud-app', webhook_format='cloudevents')
    realm = state.default_realm_id
    async with api_client(state) as client:
        created = (await client.post(f'/v3/company/{realm}/invoice', json=INVOICE, headers=bearer(legacy_token))).json()
        invoice_id = created['Invoice']['Id']
        sent = await client.post(f'/v3/company/{realm}/invoice/{invoice_id}/send', params={'sendTo': 'a@b.example'},
                                 headers={**bearer(legacy_token), 'Content-Type': 'application/octet-stream'})
        assert sent.status_code == 200
        merged = await client.post(f'/_sandbox/companies/{realm}/edits', json={
            'entity': 'Customer', 'operation': 'merge', 'id': '1', 'merge_id': '2'})
        assert merged.status_code == 200
    await state.webhooks.flush()
    by_type = {call.headers['content-type']: call for call in receiver.calls}
    legacy = _entities(by_type['application/json'])
    assert [(e['name'], e['id'], e['operation'], e.get('deletedId')) for e in legacy] == [
        ('Invoice', invoice_id, 'Create', None), ('Invoice', invoice_id, 'Emailed', None),
        ('Customer', '1', 'Merge', '2')]
    cloud = json.loads(by_type['application/cloudevents+json'].body)
    assert [(e['type'], e['intuitentityid'], e['data']) for e in cloud] == [
        ('qbo.invoice.created.v1', invoice_id, {}), ('qbo.invoice.emailed.v1', invoice_id, {}),
        ('qbo.customer.merged.v1', '1', {'deletedid': '2'})]
    assert all(call.headers['intuit-signature'] == sign(call.body, VERIFIER) for call in receiver.calls)


async def test_apps_receive_only_the_entities_and_operations_they_chose():
    receiver = Receiver()
    state = make_state(receiver)
    connect_app(state, 'everything')
    connect_app(state, 'invoices')
    state.apps.register('invoices', 'secret-invoices', redirect_uris=['https://app.example/callback'],
                        webhook_url=RECEIVER_URL, verifier_token=VERIFIER, webhook_entities=['invoice'])
    connect_app(state, 'merges')
    state.apps.register('merges', 'secret-merges', redirect_uris=['https://app.example/callback'],
                        webhook_url=RECEIVER_URL, verifier_token=VERIFIER,
                        webhook_entities=['Customer.Merge', 'Invoice.Emailed'])
    assert state.apps.get('invoices').webhook_entities == ['Invoice']
    _emit(state, 'Invoice', '130', 'Create')
    _emit(state, 'Invoice', '130', 'Emailed')
    _emit(state, 'Customer', '58', 'Update')
    _emit(state, 'Customer', '58', 'Merge', deleted_id='61')
    deliveries = {d.client_id: d for d in await state.webhooks.flush()}
    seen = {client: [(n.entity, n.operation) for n in d.notices] for client, d in deliveries.items()}
    assert seen == {
        'everything': [('Invoice', 'Create'), ('Invoice', 'Emailed'), ('Customer', 'Update'), ('Customer', 'Merge')],
        'invoices': [('Invoice', 'Create'), ('Invoice', 'Emailed')],
        'merges': [('Invoice', 'Emailed'), ('Customer', 'Merge')]}
    state.apps.register('merges', 'secret-merges', redirect_uris=['https://app.example/callback'],
                        webhook_url=RECEIVER_URL, verifier_token=VERIFIER, webhook_entities=[])
    _emit(state, 'Customer', '58', 'Merge', deleted_id='62')
    assert sorted(d.client_id for d in await state.webhooks.flush()) == ['everything']


def test_webhook_entities_are_checked_when_an_app_is_registered():
    state = make_state()
    register = partial(state.apps.register, 'checked', 'secret', redirect_uris=['https://app.example/callback'])
    for bad, reason in ((['Invoices'], 'not an entity'), (['Invoice.Sent'], 'operation must be one of'),
                        ('Invoice', 'must be a list')):
        with pytest.raises(ValueError, match=reason):
            register(webhook_entities=bad)
    assert register(webhook_entities=['payment', 'Payment', 'customer.merge']).webhook_entities == [
        'Payment', 'Customer.Merge']
    assert register().webhook_entities is None


async def test_admin_registration_takes_webhook_entities():
    state = make_state()
    app = {'client_id': 'portal-app', 'client_secret': 'portal-secret-123', 'redirect_uris': ['https://a.example/cb'],
           'webhook_url': RECEIVER_URL, 'verifier_token': VERIFIER}
    async with api_client(state) as client:
        created = await client.post('/_sandbox/apps', json={**app, 'webhook_entities': ['invoice', 'Customer']})
        assert created.status_code == 201 and created.json()['webhook_entities'] == ['Invoice', 'Customer']
        bad = await client.post('/_sandbox/apps', json={**app, 'webhook_entities': ['Widget']})
        assert bad.status_code == 400 and 'Widget' in bad.json()['error_description']
        plain = await client.post('/_sandbox/apps', json=app)
        assert plain.json()['webhook_entities'] is None
    assert state.apps.get('portal-app').webhook_entities is None


@pytest.mark.parametrize(('setting', 'announced'), [(None, 'Delete'), ('Delete', 'Delete'), ('Update', 'Update')])
async def test_deactivating_a_name_list_record_is_announced_as_configured(setting, announced):
    receiver = Receiver()
    state = make_state(receiver, **({} if setting is None else {'deactivation_webhook': setting}))
    connect_app(state)
    company = state.companies.get(state.default_realm_id)
    company.update('Customer', {'Id': '3', 'SyncToken': '0', 'sparse': True, 'Active': False})
    company.update('Item', {'Id': '2', 'SyncToken': '0', 'sparse': True, 'Active': False})
    company.update('Customer', {'Id': '3', 'SyncToken': '1', 'sparse': True, 'Notes': 'still inactive'})
    company.update('Customer', {'Id': '3', 'SyncToken': '2', 'sparse': True, 'Active': True})
    await state.webhooks.flush()
    [call] = receiver.calls
    later_updates = [('Customer', '3', 'Update')] if announced != 'Update' else []   # else aggregated into one
    assert [(e['name'], e['id'], e['operation']) for e in _entities(call)] == [
        ('Customer', '3', announced), ('Item', '2', announced), *later_updates]
    inactive = company.read('Item', '2')         # whatever the announcement, the record itself is only updated
    assert inactive['Active'] is False and inactive['SyncToken'] == '1'


async def test_new_entities_are_announced_and_the_ones_intuit_never_announces_are_not():
    receiver = Receiver()
    state = make_state(receiver)
    token = connect_app(state)
    realm = state.default_realm_id
    expense = {'Amount': 10, 'DetailType': 'AccountBasedExpenseLineDetail',
               'AccountBasedExpenseLineDetail': {'AccountRef': {'value': '14'}}}
    writes = [('vendor', {'DisplayName': 'Hooked Vendor'}), ('class', {'Name': 'Hooked'}),
              ('bill', {'VendorRef': {'value': '1'}, 'Line': [expense]}),
              ('salesreceipt', {'Line': [{'Amount': 5, 'DetailType': 'SalesItemLineDetail'}]}),
              ('timeactivity', {'NameOf': 'Employee', 'EmployeeRef': {'value': '1'}, 'Hours': 1}),
              ('attachable', {'Note': 'not announced'}),
              ('creditcardpayment', {'CreditCardAccountRef': {'value': '7'}, 'BankAccountRef': {'value': '5'},
                                     'Amount': 1})]
    async with api_client(state) as client:
        for path, body in writes:
            answer = await client.post(f'/v3/company/{realm}/{path}', json=body, headers=bearer(token))
            assert answer.status_code == 200, answer.text
    await state.webhooks.flush()
    entities = [e for call in receiver.calls
                for e in json.loads(call.body)['eventNotifications'][0]['dataChangeEvent']['entities']]
    assert [(e['name'], e['operation']) for e in entities] == [
        ('Vendor', 'Create'), ('Class', 'Create'), ('Bill', 'Create'), ('SalesReceipt', 'Create'),
        ('TimeActivity', 'Create')]
