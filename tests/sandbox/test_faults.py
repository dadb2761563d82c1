"""Fault injection: the knobs, the answers Intuit gives for each fault, and the admin API that switches them."""
from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from qbsync.sandbox.admin.faults import router as faults_router
from qbsync.sandbox.faults_injection import FaultInjector, FaultSettings
from qbsync.sandbox.gate import ApiGate, InjectedTimeout

from ops_support import api_client, bearer, connect_app, make_state


def _app(state):
    """The gate and admin router around a stand-in route that counts the changes it commits."""
    app = FastAPI()
    app.state.sandbox = state
    app.state.commits = 0
    app.include_router(faults_router, prefix='/_sandbox')
    app.add_middleware(ApiGate, state=state)

    @app.api_route('/v3/company/{realm_id}/invoice', methods=['GET', 'POST'])
    def invoice(realm_id: str) -> dict:
        app.state.commits += 1
        return {'Invoice': {'Id': str(app.state.commits)}}

    return app


def _client(app):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url='http://sandbox')


def test_settings_are_validated_and_rates_are_repeatable_with_a_seed():
    with pytest.raises(ValueError, match='between 0 and 1'):
        FaultSettings(rates={'http_500': 1.5})
    with pytest.raises(ValueError, match='unknown fault kind'):
        FaultSettings(rates={'http_418': 0.1})
    runs = []
    for _ in range(2):
        injector = FaultInjector()
        injector.configure(FaultSettings(rates={'http_500': 0.2, 'transient_6000': 0.1}, seed=7))
        runs.append([injector.pick('POST') for _ in range(200)])
    assert runs[0] == runs[1]
    assert 20 < runs[0].count('http_500') < 60 and 5 < runs[0].count('transient_6000') < 40


def test_armed_timeout_waits_for_a_post_and_armed_faults_come_first():
    injector = FaultInjector()
    injector.arm('timeout_after_commit')
    injector.arm('http_503', 2)
    assert [injector.pick('GET'), injector.pick('GET'), injector.pick('GET')] == ['http_503', 'http_503', None]
    assert injector.pick('POST') == 'timeout_after_commit'
    assert injector.pick('POST') is None
    assert injector.status().injected == {'http_503': 2, 'timeout_after_commit': 1}


async def test_injected_answers_carry_intuits_bodies_and_commit_nothing():
    state = make_state(fault_injection=True)
    app = _app(state)
    realm = state.default_realm_id
    for kind in ('http_500', 'http_503', 'transient_6000'):
        state.faults.arm(kind)
    async with _client(app) as client:
        answers = [await client.post(f'/v3/company/{realm}/invoice') for _ in range(3)]
    assert [r.status_code for r in answers] == [500, 503, 400]
    assert [r.json()['Fault']['Error'][0]['code'] for r in answers] == ['10000', '10000', '6000']
    assert [r.json()['Fault']['type'] for r in answers] == ['SystemFault', 'SystemFault', 'ValidationFault']
    assert 'try again' in answers[2].json()['Fault']['Error'][0]['Detail']
    assert app.state.commits == 0


async def test_timeout_after_commit_runs_the_change_then_drops_the_answer():
    state = make_state(fault_injection=True)
    app = _app(state)
    state.faults.arm('timeout_after_commit')
    async with _client(app) as client:
        with pytest.raises(httpx.ReadTimeout) as caught:
            await client.post(f'/v3/company/{state.default_realm_id}/invoice')
        assert isinstance(caught.value, InjectedTimeout)
        assert app.state.commits == 1
        assert (await client.post(f'/v3/company/{state.default_realm_id}/invoice')).status_code == 200


async def test_latency_is_added_before_each_api_call_only():
    slept = []

    async def record(seconds):
        slept.append(seconds)

    state = make_state(fault_injection=True)
    state.faults.sleep = record
    state.faults.update(latency_ms=250)
    async with _client(_app(state)) as client:
        await client.get(f'/v3/company/{state.default_realm_id}/invoice')
        await client.get('/_sandbox/faults')
    assert slept == [0.25]


async def test_faults_are_inert_when_injection_is_off():
    state = make_state()
    app = _app(state)
    state.faults.arm('http_500')
    async with _client(app) as client:
        assert (await client.post(f'/v3/company/{state.default_realm_id}/invoice')).status_code == 200
        assert (await client.get('/_sandbox/faults')).status_code == 404


async def test_admin_api_configures_arms_and_resets():
    state = make_state(fault_injection=True)
    async with _client(_app(state)) as client:
        shown = (await client.put('/_sandbox/faults', json={'rates': {'http_503': 0.5}, 'latency_ms': 0,
                                                              'seed': 3})).json()
        assert shown['rates'] == {'http_503': 0.5} and shown['seed'] == 3
        assert (await client.put('/_sandbox/faults', json={'rates': {'http_503': 2}})).status_code == 422
        assert (await client.post('/_sandbox/faults/arm', json={'kind': 'nope'})).status_code == 422
        assert (await client.post('/_sandbox/faults/arm', json={'kind': 'http_500', 'count': 2})).json()[
            'armed'] == {'http_500': 2}
        assert (await client.post('/_sandbox/faults/reset')).json()['armed'] == {}


INVOICE = {'CustomerRef': {'value': '1'}, 'Line': [{'Amount': 100, 'DetailType': 'SalesItemLineDetail',
                                                    'SalesItemLineDetail': {'ItemRef': {'value': '1'}}}]}


async def test_timeout_after_commit_then_replay_with_the_same_requestid_creates_nothing_twice():
    state = make_state(fault_injection=True)
    token = connect_app(state)
    realm = state.default_realm_id
    company = state.companies.get(realm)
    count = "select count(*) from Invoice where CustomerRef = '1'"   # customer 1 has no seeded history
    async with api_client(state) as client:
        state.faults.arm('timeout_after_commit')
        with pytest.raises(httpx.ReadTimeout):
            await client.post(f'/v3/company/{realm}/invoice', params={'requestid': 'inv-1'}, json=INVOICE,
                              headers=bearer(token))
        assert company.query(count)['totalCount'] == 1             # committed although the answer was lost
        retry = await client.post(f'/v3/company/{realm}/invoice', params={'requestid': 'inv-1'}, json=INVOICE,
                                  headers=bearer(token))
        assert retry.status_code == 200 and company.query(count)['totalCount'] == 1
        assert retry.json()['Invoice']['Id'] == company.query(count.replace('count(*)', '*'))['Invoice'][0]['Id']

        state.faults.arm('timeout_after_commit')                     # the same through a batch
        batch = {'BatchItemRequest': [{'bId': '1', 'operation': 'create', 'Invoice': INVOICE}]}
        with pytest.raises(httpx.ReadTimeout):
            await client.post(f'/v3/company/{realm}/batch', params={'requestid': 'batch-1'}, json=batch,
                              headers=bearer(token))
        replayed = await client.post(f'/v3/company/{realm}/batch', params={'requestid': 'batch-1'}, json=batch,
                                     headers=bearer(token))
        assert int(replayed.json()['BatchItemResponse'][0]['Invoice']['Id']) == int(retry.json()['Invoice']['Id']) + 1
        assert company.query(count)['totalCount'] == 2


async def test_forced_token_expiry_and_revoked_grant_make_api_calls_fail_401():
    state = make_state(fault_injection=True)
    token = connect_app(state)
    realm = state.default_realm_id
    url = f'/v3/company/{realm}/companyinfo/{realm}'
    async with api_client(state) as client:
        assert (await client.get(url, headers=bearer(token))).status_code == 200
        assert (await client.post('/_sandbox/grants/expire-access-tokens', json={'realm_id': realm})).json() == {
            'expired': 1}
        expired = await client.get(url, headers=bearer(token))
        assert expired.status_code == 401 and expired.json()['fault']['error'][0]['code'] == '3200'
        fresh = state.grants.connect('app-one', realm).access_token
        assert (await client.get(url, headers=bearer(fresh))).status_code == 200
        assert (await client.post('/_sandbox/grants/revoke', json={'realm_id': realm, 'client_id': 'app-one'})).json() \
            == {'revoked': True}
        assert (await client.get(url, headers=bearer(fresh))).status_code == 401


def test_over_a_real_socket_the_connection_drops_after_the_commit(live_sandbox):
    """uvicorn closes the connection mid-answer; the client sees a transport error, not a 500."""
    state = live_sandbox.state
    token = connect_app(state, 'faults-live-app')
    realm = state.default_realm_id
    company = state.companies.get(realm)
    before = company.query('select count(*) from Invoice').get('totalCount', 0)
    state.config.fault_injection = True
    try:
        state.faults.arm('timeout_after_commit')
        with httpx.Client(base_url=live_sandbox.base_url, timeout=5) as client:
            with pytest.raises(httpx.TransportError):
                client.post(f'/v3/company/{realm}/invoice', params={'requestid': 'live-1'}, json=INVOICE,
                            headers=bearer(token))
            retry = client.post(f'/v3/company/{realm}/invoice', params={'requestid': 'live-1'}, json=INVOICE,
                                headers=bearer(token))
        assert retry.status_code == 200
        assert company.query('select count(*) from Invoice')['totalCount'] == before + 1
    finally:
        state.config.fault_injection = False
        state.faults.reset()
