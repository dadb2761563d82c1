"""The /v3/company/{realmId} routes over HTTP (checklist 8-17, 26, 27, 29, 37): envelopes, auth, replays, faults."""
from __future__ import annotations

import json
import re
from decimal import Decimal

import httpx
import pytest

from qbsync.sandbox.accounting.wire import loads

SANDBOX_TEST_URL = 'http://sandbox.test'   # as in conftest.py

TIME = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-08:00$')


def _error(response: httpx.Response) -> dict:
    return response.json()['Fault']['Error'][0]


async def test_create_read_envelopes_headers_and_exact_amounts(qbo_api):
    created = await qbo_api.post('/invoice?minorversion=75', content=json.dumps({
        'CustomerRef': {'value': '1'},
        'Line': [{'Amount': amount, 'DetailType': 'SalesItemLineDetail',
                  'SalesItemLineDetail': {'ItemRef': {'value': '3'}}} for amount in (0.1, 0.2)]}),
        headers={'Content-Type': 'application/json'})
    assert created.status_code == 200 and created.headers['intuit_tid']
    body = loads(created.content)
    assert set(body) == {'Invoice', 'time'} and TIME.match(body['time'])
    assert body['Invoice']['TotalAmt'] == Decimal('0.30')                        # no float rounding anywhere
    assert b'"TotalAmt":0.30' in created.content
    read = await qbo_api.get(f"/invoice/{body['Invoice']['Id']}")                # minorversion absent: same as 75
    assert read.status_code == 200 and loads(read.content)['Invoice'] == body['Invoice']
    old = await qbo_api.get(f"/invoice/{body['Invoice']['Id']}?minorversion=4")
    assert loads(old.content)['Invoice'] == body['Invoice']


async def test_full_and_sparse_update_and_stale_token(qbo_api):
    customer = (await qbo_api.post('/customer', json={'DisplayName': 'Wire Co', 'CompanyName': 'Wire'})).json()
    customer = customer['Customer']
    sparse = await qbo_api.post('/customer', json={'Id': customer['Id'], 'SyncToken': customer['SyncToken'],
                                                   'sparse': True, 'Notes': 'sparse'})
    assert sparse.json()['Customer']['CompanyName'] == 'Wire' and sparse.json()['Customer']['SyncToken'] == '1'
    full = await qbo_api.post('/customer', json={'Id': customer['Id'], 'SyncToken': 1, 'DisplayName': 'Wire Co'})
    assert 'CompanyName' not in full.json()['Customer'] and 'Notes' not in full.json()['Customer']
    stale = await qbo_api.post('/customer', json={'Id': customer['Id'], 'SyncToken': '1', 'DisplayName': 'x'})
    assert stale.status_code == 400 and _error(stale)['code'] == '5010'
    assert stale.json()['Fault']['type'] == 'ValidationFault' and TIME.match(stale.json()['time'])


async def test_read_unknown_and_unknown_entity(qbo_api):
    missing = await qbo_api.get('/customer/4040')
    assert missing.status_code == 400 and _error(missing)['code'] == '610'
    assert _error(missing)['Message'] == 'Object Not Found'
    unknown = await qbo_api.get('/widget/1')
    assert unknown.status_code == 400 and _error(unknown)['code'] == '2000'
    assert (await qbo_api.post('/widget', json={})).status_code == 400


async def test_bad_bodies_get_intuit_faults(qbo_api):
    broken = await qbo_api.post('/customer', content=b'{"DisplayName": ')
    assert broken.status_code == 400 and _error(broken)['code'] == '2010'
    not_object = await qbo_api.post('/customer', content=b'[1, 2]')
    assert not_object.status_code == 400 and _error(not_object)['code'] == '2010'
    wrapped = await qbo_api.post('/customer', json={'Customer': {'DisplayName': 'Wrapped Co'}})
    assert wrapped.json()['Customer']['DisplayName'] == 'Wrapped Co'


async def test_auth_failures(qbo_api, sandbox_app, sandbox_state, realm_id, test_app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app), base_url=SANDBOX_TEST_URL) as raw:
        denied = await raw.get(f'/v3/company/{realm_id}/customer/1')
        assert denied.status_code == 401 and denied.headers['intuit_tid']
        body = denied.json()
        assert body['fault']['error'][0] == {
            'message': 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
            'detail': body['fault']['error'][0]['detail'], 'code': '3200', 'element': None}
        assert body['fault']['type'] == 'AUTHENTICATION' and isinstance(body['time'], int)
        assert body['batchItemResponse'] == [] and body['cdcresponse'] == [] and body['queryResponse'] is None
        other = sandbox_state.companies.create_company('Other Co').realm_id
        forbidden = await raw.get(f'/v3/company/{other}/customer/1', headers=qbo_api.headers)
        assert forbidden.status_code == 403
        assert forbidden.json()['Fault']['Error'][0]['Message'] == \
            'message=AuthorizationFailed; errorCode=003100; statusCode=403'
        assert forbidden.json()['Fault']['type'] == 'SERVICE' and _error(forbidden)['code'] == '3100'
        nowhere = await raw.get('/v3/company/123/customer/1', headers=qbo_api.headers)
        assert nowhere.status_code == 403
        sandbox_state.grants.expire_access_tokens(realm_id)
        expired = await raw.get(f'/v3/company/{realm_id}/customer/1', headers=qbo_api.headers)
        assert expired.status_code == 401 and 'expired' in expired.json()['fault']['error'][0]['detail']


async def test_requestid_replays_without_side_effects(qbo_api, sandbox_state, realm_id):
    company = sandbox_state.companies.get(realm_id)
    seeded = len(company.objects['Invoice'])
    payload = {'CustomerRef': {'value': '1'}, 'Line': [{'Amount': 10, 'DetailType': 'SalesItemLineDetail',
                                                         'SalesItemLineDetail': {'ItemRef': {'value': '3'}}}]}
    first = await qbo_api.post('/invoice?requestid=inv-1', json=payload)
    seen = []
    sandbox_state.events.subscribe(seen.append)
    again = await qbo_api.post('/invoice?requestid=inv-1', json={**payload, 'PrivateNote': 'changed'})
    assert again.status_code == 200 and again.content == first.content and seen == []
    assert len(company.objects['Invoice']) == seeded + 1
    other = await qbo_api.post('/invoice?requestid=inv-2', json=payload)
    assert other.json()['Invoice']['Id'] != first.json()['Invoice']['Id']
    failed = await qbo_api.post('/invoice?requestid=inv-3', json={'Line': payload['Line']})
    assert failed.status_code == 400
    fixed = await qbo_api.post('/invoice?requestid=inv-3', json=payload)      # a refusal is not replayed
    assert fixed.status_code == 200
    too_long = await qbo_api.post(f"/invoice?requestid={'r' * 51}", json=payload)
    assert too_long.status_code == 400 and _error(too_long)['code'] == '2130'


async def test_void_and_delete_operations(qbo_api):
    line = [{'Amount': 70, 'DetailType': 'SalesItemLineDetail', 'SalesItemLineDetail': {'ItemRef': {'value': '3'}}}]
    invoice = (await qbo_api.post('/invoice', json={'CustomerRef': {'value': '2'}, 'Line': line})).json()['Invoice']
    payment = (await qbo_api.post('/payment', json={'CustomerRef': {'value': '2'}, 'TotalAmt': 70, 'Line': [
        {'Amount': 70, 'LinkedTxn': [{'TxnId': invoice['Id'], 'TxnType': 'Invoice'}]}]})).json()['Payment']
    voided = await qbo_api.post('/payment?operation=update&include=void',
                                json={'Id': payment['Id'], 'SyncToken': payment['SyncToken'], 'sparse': True})
    assert voided.json()['Payment']['TotalAmt'] == 0 and voided.json()['Payment']['PrivateNote'] == 'Voided'
    invoice = (await qbo_api.get(f"/invoice/{invoice['Id']}")).json()['Invoice']
    assert invoice['Balance'] == 70
    void = await qbo_api.post('/invoice?operation=void', json={'Id': invoice['Id'], 'SyncToken': invoice['SyncToken']})
    assert void.json()['Invoice']['TotalAmt'] == 0
    deleted = await qbo_api.post('/payment?operation=delete', json={'Id': payment['Id'], 'SyncToken': '1'})
    assert deleted.json()['Payment'] == {'status': 'Deleted', 'domain': 'QBO', 'Id': payment['Id']}
    assert TIME.match(deleted.json()['time'])
    refused = await qbo_api.post('/customer?operation=delete', json={'Id': '1', 'SyncToken': '0'})
    assert refused.status_code == 400 and _error(refused)['code'] == '500'
    odd = await qbo_api.post('/invoice?operation=merge', json={'Id': invoice['Id'], 'SyncToken': '0'})
    assert odd.status_code == 400


async def test_allow_duplicate_doc_num(qbo_api):
    payload = {'PaymentType': 'Check', 'AccountRef': {'value': '5'}, 'DocNumber': '1200', 'Line': [
        {'Amount': 12, 'DetailType': 'AccountBasedExpenseLineDetail',
         'AccountBasedExpenseLineDetail': {'AccountRef': {'value': '11'}}}]}
    assert (await qbo_api.post('/purchase', json=payload)).status_code == 200
    duplicate = await qbo_api.post('/purchase', json=payload)
    assert duplicate.status_code == 400 and _error(duplicate)['code'] == '6140'
    allowed = await qbo_api.post('/purchase?include=allowduplicatedocnum', json=payload)
    assert allowed.status_code == 200 and allowed.json()['Purchase']['DocNumber'] == '1200'


async def test_query_by_get_and_post(qbo_api):
    by_get = await qbo_api.get('/query', params={'query': "select * from Customer where DisplayName = 'cool cars'",
                                                 'minorversion': '75'})
    assert by_get.json()['QueryResponse']['Customer'][0]['Id'] == '3'
    assert TIME.match(by_get.json()['time'])
    by_post = await qbo_api.post('/query', content='SELECT COUNT(*) FROM Item',
                                 headers={'Content-Type': 'application/text'})
    assert by_post.json()['QueryResponse'] == {'totalCount': 9}           # the seeded items
    empty = await qbo_api.get('/query', params={'query': "select * from Invoice where CustomerRef = '1'"})
    assert empty.json()['QueryResponse'] == {}
    bad = await qbo_api.get('/query', params={'query': 'select * from Customer where A = 1 or B = 2'})
    assert bad.status_code == 400 and _error(bad)['code'] == '4000'
    missing = await qbo_api.get('/query')
    assert missing.status_code == 400 and _error(missing)['code'] == '4000'


@pytest.mark.parametrize('entity', ['vendor', 'employee', 'taxcode', 'taxrate', 'taxagency', 'term', 'paymentmethod',
                                    'class', 'department', 'companycurrency', 'account', 'item', 'customer'])
async def test_read_and_query_every_list(qbo_api, entity):
    name = {'taxcode': 'TaxCode', 'taxrate': 'TaxRate', 'taxagency': 'TaxAgency', 'paymentmethod': 'PaymentMethod',
            'companycurrency': 'CompanyCurrency'}.get(entity, entity.capitalize())
    listed = (await qbo_api.get('/query', params={'query': f'select * from {name}'})).json()['QueryResponse']
    first = listed[name][0]
    read = await qbo_api.get(f"/{entity}/{first['Id']}")
    assert read.status_code == 200 and read.json()[name] == first


async def test_company_info_and_preferences(qbo_api, realm_id):
    info = await qbo_api.get(f'/companyinfo/{realm_id}')
    assert info.json()['CompanyInfo']['CompanyName'] == 'Sandbox Company_US_1'
    prefs = (await qbo_api.get('/preferences')).json()['Preferences']
    assert prefs['CurrencyPrefs']['MultiCurrencyEnabled'] is False
    changed = await qbo_api.post('/preferences', json={'Id': prefs['Id'], 'SyncToken': prefs['SyncToken'],
                                                       'sparse': True, 'SalesFormsPrefs': {'CustomTxnNumbers': True}})
    assert changed.json()['Preferences']['SalesFormsPrefs']['CustomTxnNumbers'] is True
    queried = await qbo_api.get('/query', params={'query': 'select * from Preferences'})
    assert queried.json()['QueryResponse']['Preferences'][0]['SyncToken'] == '1'
    assert (await qbo_api.get('/query', params={'query': 'select * from CompanyInfo'})).json()[
        'QueryResponse']['CompanyInfo'][0]['Id'] == '1'


async def test_an_internal_failure_is_answered_as_intuit_does(qbo_api, sandbox_state, realm_id, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError('boom')
    monkeypatch.setattr(sandbox_state.companies.get(realm_id), 'create', explode)
    failed = await qbo_api.post('/customer', json={'DisplayName': 'Anyone'})
    assert failed.status_code == 500 and failed.json()['Fault']['type'] == 'SystemFault'
    assert _error(failed)['code'] == '10000' and 'boom' in caplog.text
