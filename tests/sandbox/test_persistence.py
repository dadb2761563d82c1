"""Persistence: companies survive a restart in demo mode (SQLite, write-through); tests stay in memory."""
from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest

from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState
from qbsync.sandbox.accounting.store import Replay

from ops_support import Receiver, api_client, bearer, connect_app, make_state


def _open(path, clock=None):
    return SandboxState(SandboxConfig(clock=clock or ManualClock(), database_path=path))


def _filled(objects):
    """Buckets that hold something (a bucket emptied by a delete is not saved as such)."""
    return {entity: bucket for entity, bucket in objects.items() if bucket}


def test_every_commit_replay_and_counter_survives_a_restart(tmp_path):
    path = tmp_path / 'data' / 'sandbox.db'
    state = _open(path)
    company = state.companies.get(state.default_realm_id)
    customer = company.commit('Customer', {'DisplayName': 'Acme', 'Balance': Decimal('100')}, 'Create')
    company.commit('Customer', {**customer, 'Balance': Decimal('12.50')}, 'Update')
    invoice = company.commit('Invoice', {'TotalAmt': Decimal('7.00'), 'Line': [{'LineNum': 1}]}, 'Create')
    company.commit('Invoice', {'Id': invoice['Id']}, 'Delete')
    company.replays['req-1'] = Replay(200, b'{"Customer":{}}')
    before = (_filled(company.objects), company.tombstones, company.counters)

    restarted = _open(path)
    again = restarted.companies.get(state.default_realm_id)
    assert restarted.default_realm_id == state.default_realm_id
    assert (_filled(again.objects), again.tombstones, again.counters) == before
    saved = again.get_object('Customer', customer['Id'])
    assert saved['Balance'] == Decimal('12.50') and isinstance(saved['Balance'], Decimal)
    assert saved['SyncToken'] == '1' and again.get_object('Invoice', invoice['Id']) is None
    assert again.tombstones['Invoice'][invoice['Id']]['status'] == 'Deleted'
    assert again.replays == {'req-1': Replay(200, b'{"Customer":{}}')}
    assert again.commit('Customer', {'DisplayName': 'Next'}, 'Create')['Id'] == str(int(customer['Id']) + 1)


def test_reset_and_new_companies_are_saved_too(tmp_path):
    path = tmp_path / 'sandbox.db'
    state = _open(path)
    company = state.companies.get(state.default_realm_id)
    seeded = {entity: dict(bucket) for entity, bucket in company.objects.items()}
    company.commit('Customer', {'DisplayName': 'Gone after reset'}, 'Create')
    second = state.companies.create_company('Second Co', profile='global')
    state.companies.get(second.realm_id).commit('Item', {'Name': 'Kept'}, 'Create')
    state.companies.reset(state.default_realm_id)

    restarted = _open(path)
    assert [r.name for r in restarted.companies.realms()] == [company.name, 'Second Co']
    again = restarted.companies.get(second.realm_id)
    assert again.profile == 'global' and str(again.zone) == 'Europe/London'       # the profile is kept too
    assert _filled(restarted.companies.get(state.default_realm_id).objects) == seeded
    assert any(o.get('Name') == 'Kept' for o in restarted.companies.get(second.realm_id).objects['Item'].values())
    restarted.companies.reset(second.realm_id)
    assert again.read('CompanyInfo', '1')['Country'] == 'GB'


def test_memory_mode_writes_no_file(tmp_path):
    state = SandboxState(SandboxConfig(clock=ManualClock()))
    state.companies.get(state.default_realm_id).commit('Customer', {'DisplayName': 'Ephemeral'}, 'Create')
    assert state.persistence is None and list(tmp_path.iterdir()) == []


def test_a_file_whose_realms_cannot_be_recreated_is_refused(tmp_path):
    path = tmp_path / 'sandbox.db'
    state = _open(path)
    realm = state.default_realm_id
    with sqlite3.connect(path) as db:
        db.execute('UPDATE company SET realm_id = ? WHERE realm_id = ?', (str(int(realm) + 5), realm))
    with pytest.raises(RuntimeError, match='cannot be recreated'):
        _open(path)


INVOICE = {'CustomerRef': {'value': '1'}, 'Line': [{'Amount': 100, 'DetailType': 'SalesItemLineDetail',
                                                    'SalesItemLineDetail': {'ItemRef': {'value': '1'}}}]}


async def test_what_was_synced_over_the_api_survives_a_restart_with_its_replays(tmp_path):
    path = tmp_path / 'sandbox.db'
    state = make_state(database_path=path)
    token = connect_app(state)
    realm = state.default_realm_id
    async with api_client(state) as client:
        created = await client.post(f'/v3/company/{realm}/invoice', params={'requestid': 'r-1'}, json=INVOICE,
                                    headers=bearer(token))
    restarted = make_state(database_path=path)
    token = connect_app(restarted)   # grants live in memory: the app connects again after a restart
    async with api_client(restarted) as client:
        invoice_id = created.json()['Invoice']['Id']
        read = await client.get(f'/v3/company/{realm}/invoice/{invoice_id}', headers=bearer(token))
        assert read.json()['Invoice']['TotalAmt'] == 100 and read.json()['Invoice']['SyncToken'] == '0'
        replay = await client.post(f'/v3/company/{realm}/invoice', params={'requestid': 'r-1'}, json=INVOICE,
                                   headers=bearer(token))
        assert replay.content == created.content
        assert restarted.companies.get(realm).query(
            "select count(*) from Invoice where CustomerRef = '1'")['totalCount'] == 1


async def test_admin_edits_as_a_user_commit_with_the_latest_synctoken_and_notify():
    receiver = Receiver()
    state = make_state(receiver)
    connect_app(state)
    realm = state.default_realm_id
    url = f'/_sandbox/companies/{realm}/edits'
    async with api_client(state) as client:
        made = await client.post(url, content=b'{"entity": "customer", "operation": "create", '
                                               b'"fields": {"DisplayName": "Walk-in", "Notes": "first"}}')
        assert made.status_code == 200
        customer = made.json()['Customer']
        for note in ('second', 'third'):   # no SyncToken needed: a user always edits the latest
            edited = await client.post(url, json={'entity': 'Customer', 'operation': 'update', 'id': customer['Id'],
                                                  'fields': {'Notes': note}})
        assert edited.json()['Customer']['SyncToken'] == '2' and edited.json()['Customer']['DisplayName'] == 'Walk-in'
        invoice = (await client.post(url, content=b'{"entity": "Invoice", "operation": "create", "fields": {'
                                                   b'"CustomerRef": {"value": "1"}, "Line": [{"Amount": 10.10, '
                                                   b'"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": '
                                                   b'{"ItemRef": {"value": "1"}}}]}}')).json()['Invoice']
        assert invoice['TotalAmt'] == 10.1
        company = state.companies.get(realm)
        assert company.get_object('Invoice', invoice['Id'])['TotalAmt'] == Decimal('10.10')   # never a float
        voided = await client.post(url, json={'entity': 'Invoice', 'operation': 'void', 'id': invoice['Id']})
        assert voided.json()['Invoice']['TotalAmt'] == 0
        deleted = await client.post(url, json={'entity': 'Invoice', 'operation': 'delete', 'id': invoice['Id']})
        assert deleted.json()['Invoice']['status'] == 'Deleted'
        missing = await client.post(url, json={'entity': 'Invoice', 'operation': 'update', 'id': '999'})
        assert missing.status_code == 400 and missing.json()['Fault']['Error'][0]['code'] == '610'
        rule = await client.post(url, json={'entity': 'Customer', 'operation': 'create', 'fields': {}})
        assert rule.status_code == 400 and rule.json()['Fault']['Error'][0]['code'] in ('6080', '2020')
        for bad in ({'entity': 'Customer', 'operation': 'merge'}, {'entity': 'Customer', 'operation': 'update'},
                    {'operation': 'create'}, ['not', 'an', 'object']):
            assert (await client.post(url, json=bad)).status_code == 422
        assert (await client.post('/_sandbox/companies/nope/edits', json={})).status_code == 404
    await state.webhooks.flush()
    entities = json.loads(receiver.calls[0].body)['eventNotifications'][0]['dataChangeEvent']['entities']
    assert [(e['name'], e['operation']) for e in entities] == [
        ('Customer', 'Create'), ('Customer', 'Update'), ('Invoice', 'Create'), ('Invoice', 'Void'),
        ('Invoice', 'Delete')]


async def test_admin_lists_creates_and_resets_companies():
    state = make_state()
    realm = state.default_realm_id
    company = state.companies.get(realm)
    company.create('Customer', {'DisplayName': 'Gone after reset'})
    company.replays['req'] = Replay(200, b'{}')
    async with api_client(state) as client:
        listed = (await client.get('/_sandbox/companies')).json()
        assert listed[0]['realm_id'] == realm and listed[0]['counts']['Customer'] == 31
        made = await client.post('/_sandbox/companies', json={'name': 'Second Co'})
        assert made.status_code == 201 and made.json()['name'] == 'Second Co' and made.json()['profile'] == 'us'
        uk = (await client.post('/_sandbox/companies', json={'name': 'UK Co', 'profile': 'global'})).json()
        assert state.companies.get(uk['realm_id']).read('CompanyInfo', '1')['Country'] == 'GB'
        assert (await client.post(f"/_sandbox/companies/{uk['realm_id']}/reset")).status_code == 200
        assert state.companies.get(uk['realm_id']).read('Preferences', '1')['CurrencyPrefs']['HomeCurrency'] == {
            'value': 'GBP'}
        assert (await client.post('/_sandbox/companies', json={'profile': 'mars'})).status_code == 422
        assert (await client.post(f'/_sandbox/companies/{realm}/reset')).json() == {'realm_id': realm,
                                                                                    'status': 'reset'}
        assert len(company.objects['Customer']) == 30 and company.replays == {}
        assert (await client.post('/_sandbox/companies/nope/reset')).status_code == 404
