"""Change data capture on the company: grouping, deletions, the 30-day limit, the 1000-object cap, errors."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from qbsync.sandbox.accounting.cdc import CDC_MAX_OBJECTS, change_data_capture, parse_cdc_request
from qbsync.sandbox.accounting.faults import QBOFault
from qbsync.sandbox.accounting.wire import intuit_datetime

from ops_support import api_client, bearer, connect_app, make_state

INVOICE = {'CustomerRef': {'value': '1'}, 'Line': [{'Amount': Decimal('100'), 'DetailType': 'SalesItemLineDetail',
                                                    'SalesItemLineDetail': {'ItemRef': {'value': '1'}}}]}


@pytest.fixture
def company():
    state = make_state()
    return state.companies.get(state.default_realm_id)


def _cdc(company, entities, since):
    return change_data_capture(company, parse_cdc_request(company, entities, since))


def _since(company, delta=timedelta(0)):
    return company.time_string(company.now() - delta)


def test_changed_objects_grouped_per_entity_with_deleted_stubs(company):
    company.clock.advance(hours=1)
    since = _since(company)
    customer = company.create('Customer', {'DisplayName': 'Acme Plumbing'})
    kept = company.create('Invoice', INVOICE)
    gone = company.create('Invoice', INVOICE)
    company.clock.advance(minutes=5)
    company.delete('Invoice', {'Id': gone['Id'], 'SyncToken': '0'})
    company.update('Customer', {'Id': customer['Id'], 'SyncToken': '0', 'sparse': True, 'Active': False})
    [response] = _cdc(company, 'Invoice,Customer,Payment,Invoice', since)
    assert list(response) == ['QueryResponse']
    invoices, customers, payments = response['QueryResponse']    # asked order, repeats once; Payment unchanged
    assert payments == {}
    assert [o['Id'] for o in invoices['Invoice']] == [kept['Id'], gone['Id']]
    assert invoices['Invoice'][0]['TotalAmt'] == Decimal('100.00')        # full payload
    assert invoices['Invoice'][1] == {'domain': 'QBO', 'status': 'Deleted', 'Id': gone['Id'],
                                      'MetaData': {'LastUpdatedTime': intuit_datetime(company.now(), company.zone)}}
    assert (invoices['startPosition'], invoices['maxResults']) == (1, 2)
    assert customers['Customer'][0]['Active'] is False and customers['Customer'][0]['SyncToken'] == '1'
    assert 'Customer' not in response['QueryResponse'][0]


def test_nothing_changed_answers_an_empty_query_response(company):
    company.clock.advance(minutes=1)
    assert _cdc(company, 'Customer', _since(company)) == [{'QueryResponse': [{}]}]          # Intuit's empty answer
    assert _cdc(company, 'Customer,Invoice', _since(company)) == [{'QueryResponse': [{}, {}]}]   # one per entity


def test_changed_since_is_inclusive_and_accepts_utc_and_dates(company):
    company.clock.advance(days=2)
    created = company.create('Customer', {'DisplayName': 'Exactly now'})
    [response] = _cdc(company, 'customer', created['MetaData']['LastUpdatedTime'])
    assert [o['Id'] for o in response['QueryResponse'][0]['Customer']] == [created['Id']]
    utc = company.now().strftime('%Y-%m-%dT%H:%M:%SZ')
    assert _cdc(company, 'Customer', utc)[0]['QueryResponse'][0]['Customer'][0]['Id'] == created['Id']
    assert 'Customer' in _cdc(company, 'Customer', company.today().isoformat())[0]['QueryResponse'][0]


def test_thirty_day_look_back_limit(company):
    company.clock.advance(days=40)
    assert _cdc(company, 'Customer', _since(company, timedelta(days=30))) == [{'QueryResponse': [{}]}]
    too_old = _since(company, timedelta(days=30, seconds=1))
    with pytest.raises(QBOFault) as caught:
        parse_cdc_request(company, 'Customer', too_old)
    fault = caught.value
    assert (fault.status, fault.code) == (400, '500')
    assert fault.errors[0].detail == f'Operation cdc with changedSince date {too_old} which is older than fixed ' \
                                     f'days is not supported.'


@pytest.mark.parametrize(('entities', 'since', 'code'), [
    (None, '2026-01-15', '2020'), ('Customer', None, '2020'), ('Customer', 'yesterday', '2080'),
    ('Customer,Widget', '2026-01-15', '2000')])
def test_bad_parameters_are_intuit_faults(company, entities, since, code):
    with pytest.raises(QBOFault) as caught:
        parse_cdc_request(company, entities, since)
    assert caught.value.code == code and caught.value.status == 400


def test_at_most_a_thousand_objects_oldest_first_and_the_rest_on_the_next_window(company):
    company.clock.advance(hours=1)
    since = _since(company)
    for n in range(CDC_MAX_OBJECTS + 5):
        company.commit('Item' if n % 2 else 'Customer', {'Name': f'x{n}', 'DisplayName': f'x{n}'}, 'Create')
        company.clock.advance(seconds=1)
    [response] = _cdc(company, 'Customer,Item', since)
    groups = {name: group for group in response['QueryResponse'] for name in group if name in ('Customer', 'Item')}
    returned = groups['Customer']['Customer'] + groups['Item']['Item']
    assert len(returned) == CDC_MAX_OBJECTS
    assert groups['Customer']['maxResults'] + groups['Item']['maxResults'] == CDC_MAX_OBJECTS
    newest = max(o['MetaData']['LastUpdatedTime'] for o in returned)
    [rest] = _cdc(company, 'Customer,Item', newest)
    remaining = [o for group in rest['QueryResponse'] for name in ('Customer', 'Item') for o in group.get(name, [])]
    assert len(remaining) == 6      # the newest returned one again (inclusive) and the five left over


async def test_cdc_over_http():
    state = make_state()
    company = state.companies.get(state.default_realm_id)
    url = f'/v3/company/{state.default_realm_id}/cdc'
    state.clock.advance(days=31)
    token = connect_app(state)
    since = _since(company)
    created = company.create('Invoice', INVOICE)
    async with api_client(state) as client:
        answer = await client.get(url, params={'entities': 'Invoice', 'changedSince': since}, headers=bearer(token))
        assert answer.status_code == 200
        body = answer.json()
        assert body['CDCResponse'][0]['QueryResponse'][0]['Invoice'][0]['Id'] == created['Id'] and 'time' in body
        old = await client.get(url, params={'entities': 'Invoice', 'changedSince': '2026-01-15T09:00:00-08:00'},
                               headers=bearer(token))
        assert old.status_code == 400 and old.json()['Fault']['Error'][0]['code'] == '500'
        assert (await client.get(url, params={'entities': 'Invoice', 'changedSince': since})).status_code == 401


@pytest.mark.parametrize('entity', ['TaxCode', 'taxrate', 'TaxAgency', 'JournalCode', 'TimeActivity'])
def test_entities_intuits_cdc_does_not_support_are_refused(company, entity):
    with pytest.raises(QBOFault) as caught:
        _cdc(company, f'Customer,{entity}', _since(company))
    assert caught.value.code == '500' and 'is not supported by change data capture' in caught.value.errors[0].detail
