"""Intuit's throttle: sliding windows on the sandbox clock, and the 429 ThrottleExceeded answer through the gate."""
from __future__ import annotations

import json

import httpx
from starlette.responses import JSONResponse

from qbsync.sandbox.clock import ManualClock
from qbsync.sandbox.gate import ApiGate
from qbsync.sandbox.throttle import Throttle

from ops_support import api_client, bearer, connect_app, make_state


def _admit_many(throttle, count, realm='r1', app='a1', batch=False):
    return [throttle.admit(realm, app, batch=batch) for _ in range(count)]


def test_ten_per_second_per_realm_and_app():
    clock = ManualClock()
    throttle = Throttle(clock)
    assert _admit_many(throttle, 10) == [True] * 10
    assert throttle.admit('r1', 'a1') is False
    assert throttle.admit('r1', 'a2') is True and throttle.admit('r2', 'a1') is True   # other keys unaffected
    clock.advance(seconds=0.999)
    assert throttle.admit('r1', 'a1') is False
    clock.advance(seconds=0.001)
    assert _admit_many(throttle, 10) == [True] * 10


def test_five_hundred_per_minute_per_realm_across_apps_and_refusals_do_not_count():
    clock = ManualClock()
    throttle = Throttle(clock)
    for second in range(50):
        assert _admit_many(throttle, 10, app=f'a{second % 3}') == [True] * 10
        clock.advance(seconds=1)
    assert throttle.admit('r1', 'fresh-app') is False       # 500 in the last minute
    assert _admit_many(throttle, 30, app='other') == [False] * 30
    clock.advance(seconds=10)                                # the first second's ten fall out of the window
    assert _admit_many(throttle, 10, app='fresh-app') == [True] * 10
    assert throttle.admit('r1', 'again') is False


def test_batch_limits_forty_per_app_and_hundred_twenty_per_realm_per_minute():
    clock = ManualClock()
    throttle = Throttle(clock)
    for app in ('a1', 'a2', 'a3'):
        for _ in range(4):
            assert _admit_many(throttle, 10, app=app, batch=True) == [True] * 10
            clock.advance(seconds=1)
        assert throttle.admit('r1', app, batch=True) is False      # 40 per app and realm
    assert throttle.admit('r1', 'a4', batch=True) is False         # 120 per realm
    assert throttle.admit('r1', 'a4') is True                      # plain calls still pass
    clock.advance(minutes=1)
    assert throttle.admit('r1', 'a1', batch=True) is True


async def _ok(scope, receive, send):
    await JSONResponse({'QueryResponse': {}})(scope, receive, send)


def _client(state, app=_ok):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=ApiGate(app, state)), base_url='http://sandbox')


async def test_burst_through_the_gate_trips_429_and_recovers():
    state = make_state()
    token = connect_app(state)
    realm = state.default_realm_id
    headers = {'Authorization': f'Bearer {token}', 'Accept': 'application/json'}
    async with _client(state) as client:
        answers = [await client.get(f'/v3/company/{realm}/query', params={'query': 'select * from Customer'},
                                    headers=headers) for _ in range(12)]
        assert [r.status_code for r in answers] == [200] * 10 + [429] * 2
        fault = answers[-1].json()['Fault']
        assert fault['type'] == 'SERVICE'
        assert fault['Error'] == [{'Message': 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
                                   'Detail': 'The request limit was reached.  Try again later', 'code': '3001',
                                   'element': ''}]
        assert answers[-1].json()['time'].endswith(('-08:00', '-07:00'))   # the company's offset
        state.clock.advance(seconds=1)
        assert (await client.get(f'/v3/company/{realm}/companyinfo/{realm}', headers=headers)).status_code == 200


async def test_xml_variant_and_per_app_switch_and_unauthenticated_calls_pass_to_the_route():
    state = make_state(throttle_xml=True)
    token = connect_app(state)
    free = connect_app(state, 'unthrottled', throttling=False)
    realm = state.default_realm_id
    async with _client(state) as client:
        for _ in range(10):
            await client.post(f'/v3/company/{realm}/batch', headers={'Authorization': f'Bearer {token}'})
        refused = await client.post(f'/v3/company/{realm}/batch', headers={'Authorization': f'Bearer {token}'})
        assert refused.status_code == 429 and refused.headers['content-type'].startswith('application/xml')
        assert '<Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>' \
               in refused.text
        free_answers = [await client.post(f'/v3/company/{realm}/batch', headers={'Authorization': f'Bearer {free}'})
                        for _ in range(25)]
        assert {r.status_code for r in free_answers} == {200}
        anonymous = [await client.get(f'/v3/company/{realm}/query') for _ in range(15)]
        assert {r.status_code for r in anonymous} == {200}   # the route, not the throttle, answers these
        assert json.loads(anonymous[0].content) == {'QueryResponse': {}}


async def test_burst_against_the_real_api_trips_the_throttle_and_recovers():
    state = make_state()
    token = connect_app(state)
    realm = state.default_realm_id
    url = f'/v3/company/{realm}/query'
    async with api_client(state) as client:
        burst = [await client.get(url, params={'query': 'select count(*) from Item'}, headers=bearer(token))
                 for _ in range(15)]
        assert [r.status_code for r in burst] == [200] * 10 + [429] * 5
        assert burst[-1].json()['Fault']['Error'][0]['code'] == '3001' and 'intuit_tid' in burst[-1].headers
        state.clock.advance(seconds=1)
        recovered = await client.get(url, params={'query': 'select count(*) from Item'}, headers=bearer(token))
        assert recovered.status_code == 200 and recovered.json()['QueryResponse']['totalCount'] == 9
        batch = {'BatchItemRequest': [{'bId': '1', 'Query': 'select count(*) from Item'}]}
        answers = []
        for _ in range(41):
            state.clock.advance(seconds=0.5)
            answer = await client.post(f'/v3/company/{realm}/batch', json=batch, headers=bearer(token))
            answers.append(answer.status_code)
        assert answers == [200] * 40 + [429]
