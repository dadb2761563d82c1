"""Batch on the company: order, per-item answers and faults, invisibility of earlier creations, size limit."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from qbsync.sandbox.accounting.batch import MAX_BATCH_ITEMS, run_batch
from qbsync.sandbox.accounting.faults import QBOFault

from ops_support import api_client, bearer, connect_app, make_state

LINE = {'Amount': Decimal('100'), 'DetailType': 'SalesItemLineDetail',
        'SalesItemLineDetail': {'ItemRef': {'value': '1'}}}
INVOICE = {'CustomerRef': {'value': '1'}, 'Line': [LINE]}


@pytest.fixture
def company():
    state = make_state()
    return state.companies.get(state.default_realm_id)


def test_mixed_batch_answers_each_item_by_bid_in_order(company):
    payment_target = company.create('Invoice', INVOICE)
    payment = company.create('Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': Decimal('40'), 'Line': [
        {'Amount': Decimal('40'), 'LinkedTxn': [{'TxnId': payment_target['Id'], 'TxnType': 'Invoice'}]}]})
    doomed = company.create('Invoice', INVOICE)
    since = company.time_string(company.now() - timedelta(minutes=1))
    answers = run_batch(company, {'BatchItemRequest': [
        {'bId': 'b1', 'operation': 'create', 'Invoice': INVOICE},
        {'bId': 'b2', 'operation': 'update', 'optionsData': 'void',
         'Payment': {'Id': payment['Id'], 'SyncToken': payment['SyncToken'], 'sparse': True}},
        {'bId': 'b3', 'operation': 'delete', 'Invoice': {'Id': doomed['Id'], 'SyncToken': '0'}},
        {'bId': 'b4', 'Query': "select * from Customer where Id = '1'"},
        {'bId': 'b5', 'operation': 'update', 'Invoice': {'Id': payment_target['Id'], 'SyncToken': '0',
                                                          'sparse': True, 'PrivateNote': 'stale'}},
        {'bId': 'b6', 'CDCQuery': {'Entities': 'Payment', 'ChangedSince': since}},
    ]})
    assert [a['bId'] for a in answers] == ['b1', 'b2', 'b3', 'b4', 'b5', 'b6']
    assert answers[0]['Invoice']['TotalAmt'] == Decimal('100.00') and answers[0]['Invoice']['SyncToken'] == '0'
    assert answers[1]['Payment']['TotalAmt'] == 0 and answers[1]['Payment']['PrivateNote'].startswith('Voided')
    assert answers[2]['Invoice'] == {'status': 'Deleted', 'domain': 'QBO', 'Id': doomed['Id']}
    assert [c['Id'] for c in answers[3]['QueryResponse']['Customer']] == ['1']
    fault = answers[4]['Fault']   # the payment and its void moved the invoice to SyncToken 2
    assert fault['type'] == 'ValidationFault' and fault['Error'][0]['code'] == '5010'
    assert answers[5]['CDCResponse'][0]['QueryResponse'][0]['Payment'][0]['Id'] == payment['Id']
    assert company.get_object('Invoice', answers[0]['Invoice']['Id']) is not None
    assert company.get_object('Invoice', doomed['Id']) is None


def test_later_items_cannot_see_objects_created_by_earlier_items(company):
    next_id = str(company.counters['Customer'] + 1)
    answers = run_batch(company, {'BatchItemRequest': [
        {'bId': 'c', 'operation': 'create', 'Customer': {'DisplayName': 'Brand New'}},
        {'bId': 'i', 'operation': 'create', 'Invoice': {**INVOICE, 'CustomerRef': {'value': next_id}}},
        {'bId': 'q', 'Query': "select * from Customer where DisplayName = 'Brand New'"},
        {'bId': 'u', 'operation': 'update', 'Customer': {'Id': next_id, 'SyncToken': '0', 'sparse': True,
                                                          'Notes': 'too early'}},
    ]})
    assert answers[0]['Customer']['Id'] == next_id
    assert answers[1]['Fault']['Error'][0]['code'] in ('2500', '610')
    assert answers[2]['QueryResponse'] == {}
    assert answers[3]['Fault']['Error'][0]['code'] == '610'
    assert company.get_object('Customer', next_id)['DisplayName'] == 'Brand New'   # visible after the batch
    assert company.query("select * from Customer where DisplayName = 'Brand New'")['maxResults'] == 1


def test_items_run_in_order_against_what_earlier_items_changed(company):
    customer = company.create('Customer', {'DisplayName': 'Ordered'})
    answers = run_batch(company, {'BatchItemRequest': [
        {'bId': str(n), 'operation': 'update', 'Customer': {'Id': customer['Id'], 'SyncToken': str(n),
                                                             'sparse': True, 'Notes': f'edit {n}'}}
        for n in range(3)]})
    assert [a['Customer']['SyncToken'] for a in answers] == ['1', '2', '3']
    assert company.get_object('Customer', customer['Id'])['Notes'] == 'edit 2'


def test_more_than_thirty_items_is_error_1040(company):
    items = [{'bId': str(n), 'Query': 'select * from Customer'} for n in range(MAX_BATCH_ITEMS + 1)]
    with pytest.raises(QBOFault) as caught:
        run_batch(company, {'BatchItemRequest': items})
    assert (caught.value.status, caught.value.code) == (400, '1040')
    assert len(run_batch(company, {'BatchItemRequest': items[:MAX_BATCH_ITEMS]})) == MAX_BATCH_ITEMS


@pytest.mark.parametrize('body', [
    {}, {'BatchItemRequest': []}, [], {'BatchItemRequest': [{'Query': 'select * from Item'}]},
    {'BatchItemRequest': [{'bId': 'x', 'Query': 'select * from Item'}, {'bId': 'x', 'Query': 'select * from Item'}]}])
def test_malformed_batches_are_refused_as_a_whole(company, body):
    with pytest.raises(QBOFault) as caught:
        run_batch(company, body)
    assert caught.value.status == 400


def test_malformed_items_get_their_own_fault(company):
    answers = run_batch(company, {'BatchItemRequest': [
        {'bId': 'two', 'Query': 'select * from Item', 'Customer': {'DisplayName': 'x'}},
        {'bId': 'none'},
        {'bId': 'op', 'operation': 'merge', 'Customer': {'DisplayName': 'x'}},
        {'bId': 'kind', 'operation': 'create', 'Widget': {}},
        {'bId': 'bad', 'Query': 'select * from Customer where Foo = 1 or Bar = 2'},
        {'bId': 'ok', 'Query': 'select count(*) from Item'},
    ]})
    codes = {a['bId']: a.get('Fault', {}).get('Error', [{}])[0].get('code') for a in answers}
    assert codes == {'two': '2010', 'none': '2010', 'op': '2170', 'kind': '2000', 'bad': '4000', 'ok': None}
    assert answers[-1]['QueryResponse']['totalCount'] == 9


async def test_batch_over_http_is_200_and_a_requestid_replays_the_whole_answer():
    state = make_state()
    token = connect_app(state)
    url = f'/v3/company/{state.default_realm_id}/batch'
    body = {'BatchItemRequest': [
        {'bId': 'new', 'operation': 'create', 'Invoice': {**INVOICE, 'Line': [{**LINE, 'Amount': 100}]}},
        {'bId': 'bad', 'operation': 'update', 'Invoice': {'Id': '999', 'SyncToken': '0'}}]}
    count = "select count(*) from Invoice where CustomerRef = '1'"   # no seeded history on customer 1
    async with api_client(state) as client:
        first = await client.post(url, params={'requestid': 'batch-1'}, json=body, headers=bearer(token))
        assert first.status_code == 200
        answers = first.json()['BatchItemResponse']
        assert answers[0]['Invoice']['TotalAmt'] == 100 and answers[1]['Fault']['Error'][0]['code'] == '610'
        state.clock.advance(seconds=5)
        again = await client.post(url, params={'requestid': 'batch-1'}, json=body, headers=bearer(token))
        assert again.content == first.content                      # identical bytes, time included
        company = state.companies.get(state.default_realm_id)
        assert company.query(count)['totalCount'] == 1             # nothing created twice
        fresh = await client.post(url, json=body, headers=bearer(token))
        assert fresh.json()['BatchItemResponse'][0]['Invoice']['Id'] != answers[0]['Invoice']['Id']
        too_big = {'BatchItemRequest': [{'bId': str(n), 'Query': count} for n in range(31)]}
        refused = await client.post(url, json=too_big, headers=bearer(token))
        assert refused.status_code == 400 and refused.json()['Fault']['Error'][0]['code'] == '1040'
        broken = await client.post(url, content=b'{"BatchItemRequest": [', headers=bearer(token))
        assert broken.status_code == 400 and broken.json()['Fault']['Error'][0]['code'] == '2010'
        assert (await client.post(url, json=body)).status_code == 401


async def test_a_batch_requestid_is_limited_to_36_characters_and_its_bids_to_10():
    state = make_state()
    token = connect_app(state)
    url = f'/v3/company/{state.default_realm_id}/batch'
    short_bids = {'BatchItemRequest': [{'bId': 'q1', 'Query': 'select count(*) from Item'}]}
    long_bid = {'BatchItemRequest': [{'bId': 'query-number-1', 'Query': 'select count(*) from Item'}]}
    async with api_client(state) as client:
        too_long = await client.post(url, params={'requestid': 'r' * 37}, json=short_bids, headers=bearer(token))
        assert too_long.status_code == 400
        assert too_long.json()['Fault']['Error'][0]['code'] == '2130'
        assert (await client.post(url, params={'requestid': 'r' * 36}, json=short_bids,
                                  headers=bearer(token))).status_code == 200
        refused = await client.post(url, params={'requestid': 'batch-2'}, json=long_bid, headers=bearer(token))
        assert refused.status_code == 400
        assert refused.json()['Fault']['Error'][0]['element'] == 'bId'
        assert (await client.post(url, json=long_bid, headers=bearer(token))).status_code == 200  # no requestid
