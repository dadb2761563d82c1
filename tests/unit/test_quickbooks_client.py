"""QuickBooksClient against the real (in-process) sandbox: wire conventions, paging, Decimals, typed faults,
requestid idempotency and the single refresh-and-retry on a 401."""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from qbsync.quickbooks.client import QuickBooksClient
from qbsync.quickbooks.errors import (AuthenticationError, DuplicateNameError, ObjectNotFoundError, QuickBooksError,
                                      StaleObjectError, ValidationFault)
from qbsync.quickbooks.oauth import AsyncOAuth2Client, IntuitOAuth, OAuthApp, TokenSet
from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState, create_sandbox_app
from qbsync.settings import sandbox_endpoints

BASE = 'http://sandbox.test'
CLIENT_ID, SECRET, REDIRECT = 'client-unit', 'client-unit-secret-0123456789', 'https://app.example.com/callback'


class Recorder(httpx.AsyncBaseTransport):
    """Forwards to the sandbox and keeps every request for inspection."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


class RefreshingTokens:
    """A minimal TokenSource: holds the tokens and refreshes them through IntuitOAuth when asked."""

    def __init__(self, tokens: TokenSet, oauth: IntuitOAuth) -> None:
        self.tokens, self.oauth, self.renewals = tokens, oauth, 0

    async def access_token(self) -> str:
        return self.tokens.access_token

    async def renew(self, rejected: str) -> str:
        self.renewals += 1
        self.tokens = await self.oauth.refresh(self.tokens.refresh_token)
        return self.tokens.access_token


@dataclass
class Env:
    state: SandboxState
    realm_id: str
    recorder: Recorder
    tokens: RefreshingTokens
    client: QuickBooksClient
    http: httpx.AsyncClient


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    clock = ManualClock()
    state = SandboxState(SandboxConfig(clock=clock))
    state.apps.register(CLIENT_ID, SECRET, redirect_uris=[REDIRECT], throttling=False)
    recorder = Recorder(httpx.ASGITransport(app=create_sandbox_app(state)))
    realm_id = state.default_realm_id
    issued = state.grants.connect(CLIENT_ID, realm_id)
    oauth = IntuitOAuth(OAuthApp(CLIENT_ID, SECRET, REDIRECT, sandbox_endpoints(BASE)), transport=recorder,
                        now=clock.now)
    tokens = RefreshingTokens(TokenSet.from_response(issued.body(), clock.now()), oauth)
    async with httpx.AsyncClient(transport=recorder) as http:
        client = QuickBooksClient(http, api_base_url=f'{BASE}/v3', realm_id=realm_id, tokens=tokens)
        yield Env(state, realm_id, recorder, tokens, client, http)


async def test_every_call_sends_minorversion_75_and_accepts_json(env: Env) -> None:
    await env.client.company_info()
    await env.client.preferences()
    await env.client.query("SELECT * FROM Customer WHERE Active = true")
    await env.client.create('Customer', {'DisplayName': 'Wire Check'}, request_id='wire-1')
    api_calls = [r for r in env.recorder.requests if '/v3/company/' in r.url.path]
    assert len(api_calls) == 4
    for request in api_calls:
        assert request.url.params['minorversion'] == '75'
        assert request.headers['accept'] == 'application/json'
        assert request.headers['authorization'].startswith('Bearer ')
    assert api_calls[-1].url.params['requestid'] == 'wire-1'
    assert api_calls[-1].headers['content-type'] == 'application/json'


async def test_company_info_and_decimal_amounts(env: Env) -> None:
    company = await env.client.company_info()
    assert company.realm_id == env.realm_id and company.company_name
    items = await env.client.query("SELECT * FROM Item WHERE Type = 'Service'")
    assert not [item['UnitPrice'] for item in items if isinstance(item.get('UnitPrice'), float)]  # never a float
    created = await env.client.create('Item', {'Name': 'Exact Price', 'Type': 'Service', 'UnitPrice': Decimal('0.10'),
                                               'IncomeAccountRef': {'value': items[0]['IncomeAccountRef']['value']}},
                                      request_id='item-exact')
    assert created['UnitPrice'] == Decimal('0.10') and isinstance(created['UnitPrice'], Decimal)


async def test_query_pages_through_startposition(env: Env) -> None:
    everything = await env.client.query('SELECT * FROM Account')
    paged = QuickBooksClient(env.http, api_base_url=f'{BASE}/v3', realm_id=env.realm_id, tokens=env.tokens,
                             page_size=4)
    env.recorder.requests.clear()
    rows = await paged.query('SELECT * FROM Account')
    assert [r['Id'] for r in rows] == [r['Id'] for r in everything] and len(rows) > 8
    queries = [r.url.params['query'] for r in env.recorder.requests]
    assert queries[0].endswith('STARTPOSITION 1 MAXRESULTS 4') and queries[1].endswith('STARTPOSITION 5 MAXRESULTS 4')
    assert len(queries) == len(rows) // 4 + 1
    with pytest.raises(ValueError):
        await env.client.query('SELECT * FROM Account MAXRESULTS 10')


async def test_create_is_idempotent_per_requestid_and_faults_are_typed(env: Env) -> None:
    first = await env.client.create('Customer', {'DisplayName': 'Once Only'}, request_id='cust-once-v1')
    again = await env.client.create('Customer', {'DisplayName': 'Once Only'}, request_id='cust-once-v1')
    assert again['Id'] == first['Id']  # a retried write never posts twice
    with pytest.raises(DuplicateNameError) as duplicate:
        await env.client.create('Customer', {'DisplayName': 'Once Only'}, request_id='cust-once-v2')
    assert duplicate.value.code == '6240' and duplicate.value.status == 400
    with pytest.raises(ValueError):
        await env.client.create('Customer', {'DisplayName': 'x'}, request_id='r' * 51)


async def test_sparse_update_and_stale_synctoken(env: Env) -> None:
    customer = await env.client.create('Customer', {'DisplayName': 'Sparse Co'}, request_id='sparse-1')
    updated = await env.client.sparse_update('Customer', {'Id': customer['Id'], 'SyncToken': customer['SyncToken'],
                                                          'Notes': 'hello'}, request_id='sparse-2')
    assert updated['Notes'] == 'hello' and updated['DisplayName'] == 'Sparse Co'
    assert updated['SyncToken'] != customer['SyncToken']
    with pytest.raises(StaleObjectError) as stale:
        await env.client.sparse_update('Customer', {'Id': customer['Id'], 'SyncToken': customer['SyncToken'],
                                                    'Notes': 'late'}, request_id='sparse-3')
    assert stale.value.code == '5010' and isinstance(stale.value, ValidationFault)
    with pytest.raises(ValueError):
        await env.client.sparse_update('Customer', {'Id': customer['Id']}, request_id='sparse-4')


async def test_read_unknown_id_is_object_not_found(env: Env) -> None:
    with pytest.raises(ObjectNotFoundError) as missing:
        await env.client.read('Customer', '999999')
    assert missing.value.code == '610'
    assert (await env.client.read('Customer', '1'))['Id'] == '1'


async def test_a_401_renews_once_and_retries(env: Env) -> None:
    env.state.grants.expire_access_tokens(env.realm_id)
    company = await env.client.company_info()
    assert company.realm_id == env.realm_id and env.tokens.renewals == 1
    env.state.grants.revoke_grant(env.realm_id, CLIENT_ID)

    class Stubborn(RefreshingTokens):
        async def renew(self, rejected: str) -> str:
            self.renewals += 1
            return rejected  # a token source that cannot help: the client must not loop

    stubborn = Stubborn(env.tokens.tokens, env.tokens.oauth)
    client = QuickBooksClient(env.http, api_base_url=f'{BASE}/v3', realm_id=env.realm_id, tokens=stubborn)
    with pytest.raises(AuthenticationError) as refused:
        await client.company_info()
    assert refused.value.code == '3200' and stubborn.renewals == 1


def test_authlib_still_builds_on_httpx() -> None:
    assert issubclass(AsyncOAuth2Client, httpx.AsyncClient)  # stack-notes 5.1: httpx2 would silently change this


async def test_read_many_is_one_query_and_includes_inactive_names(env: Env) -> None:
    company = env.state.companies.get(env.realm_id)
    made = [company.create('Customer', {'DisplayName': f'Bulk {n}'}) for n in range(3)]
    company.update('Customer', {'Id': made[0]['Id'], 'SyncToken': made[0]['SyncToken'], 'sparse': True,
                                'Active': False})
    before = len(env.recorder.requests)
    found = await env.client.read_many('Customer', [m['Id'] for m in made] + ['999999', made[1]['Id']])
    assert len(env.recorder.requests) - before == 1  # one Id IN (...) statement, never a GET per Id
    assert sorted(o.id for o in found) == sorted(m['Id'] for m in made)
    assert {o.id: o.data['Active'] for o in found}[made[0]['Id']] is False
    assert all(o.sync_token is not None and o.last_updated is not None and not o.deleted for o in found)


async def test_cdc_returns_typed_changes_with_deleted_stubs(env: Env) -> None:
    company = env.state.companies.get(env.realm_id)
    since = env.state.clock.now()
    env.state.clock.advance(seconds=5)
    customer = company.create('Customer', {'DisplayName': 'CDC Customer'})
    item = next(i for i in company.objects['Item'].values() if i.get('Type') == 'Service')
    invoice = company.create('Invoice', {'CustomerRef': {'value': customer['Id']}, 'Line': [
        {'Amount': Decimal('40.00'), 'DetailType': 'SalesItemLineDetail',
         'SalesItemLineDetail': {'ItemRef': {'value': item['Id']}, 'Qty': 1, 'UnitPrice': Decimal('40.00')}}]})
    company.delete('Invoice', {'Id': invoice['Id'], 'SyncToken': invoice['SyncToken']})
    answer = await env.client.cdc(['Customer', 'Invoice'], since)
    assert not answer.full and answer.time is not None
    kinds = {(o.entity, o.id): o for o in answer.objects}
    assert kinds[('Customer', customer['Id'])].data['DisplayName'] == 'CDC Customer'
    stub = kinds[('Invoice', invoice['Id'])]
    assert stub.deleted and stub.data == {} and stub.last_updated is not None
    assert (await env.client.cdc(['Customer'], env.state.clock.now() + timedelta(hours=1))
            ).objects == []


async def test_cdc_older_than_thirty_days_is_refused_and_queries_page_by_last_updated(env: Env) -> None:
    with pytest.raises(QuickBooksError):
        await env.client.cdc(['Customer'], env.state.clock.now() - timedelta(days=31))
    company = env.state.companies.get(env.realm_id)
    since = env.state.clock.now() + timedelta(seconds=1)
    env.state.clock.advance(seconds=2)
    made = company.create('Customer', {'DisplayName': 'Late Change'})
    company.update('Customer', {'Id': made['Id'], 'SyncToken': made['SyncToken'], 'sparse': True, 'Active': False})
    changed = await env.client.changed_since('Customer', since)
    assert [o.id for o in changed] == [made['Id']]  # inactive included, older ones left out
    everything = await env.client.changed_since('Customer', None)
    assert len(everything) == len(company.objects['Customer'])
