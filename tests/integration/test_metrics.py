"""/metrics after a real run: the app's Services connected to the in-process sandbox, a run through the engine's
runner (with a pass that calls QuickBooks), a token refresh, webhook events and a scheduler job; then the scrape's
names and values, and who may scrape."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from qbsync.models import Role, User, WebhookEvent
from qbsync.models.records import utcnow
from qbsync.operations.live_metrics import LiveMetrics, MeteredTransport
from qbsync.sandbox import SandboxConfig, SandboxState, create_sandbox_app
from qbsync.services import Services
from qbsync.settings import DEMO_CLIENT_ID, SANDBOX_MOUNT, load_settings
from qbsync.sync.context import RunContext
from qbsync.sync.scheduler import KEEPALIVE_JOB
from qbsync.web import metrics as metrics_route
from qbsync.web.loopback import LoopbackTransport

PUBLIC = 'http://app.test'


class QueryingPass:
    """Asks QuickBooks for its customers (real requests), then reports outcomes as the outbound pass would."""

    found = 0

    async def execute(self, ctx: RunContext) -> None:
        customers = await ctx.client.query('SELECT * FROM Customer')
        self.found = len(customers)
        ctx.add_total(len(customers) + 2)
        ctx.count('customer', 'created', len(customers))
        ctx.count('invoice', 'failed', 1)
        ctx.count('invoice', 'skipped', 1)


@pytest.fixture
async def app_services(tmp_path) -> AsyncIterator[tuple[Services, FastAPI]]:  # type: ignore[no-untyped-def]
    settings = load_settings({'QBSYNC_DATA_DIR': str(tmp_path / 'data'), 'QBSYNC_PUBLIC_URL': PUBLIC,
                              'QBSYNC_DEMO_DATA': '0', 'QBSYNC_HEALTH_TOKEN': 'scrape-secret-token'})
    api = FastAPI()
    sandbox = SandboxState(SandboxConfig())
    sandbox.apps.register(client_id=DEMO_CLIENT_ID, client_secret=settings.client_secret, name='qbsync',
                          redirect_uris=[settings.redirect_uri])
    api.mount(SANDBOX_MOUNT, create_sandbox_app(sandbox))
    services = Services(settings, http_transport=LoopbackTransport(app=api))
    services.start()
    api.include_router(metrics_route.build_router(services))
    api.state.sandbox = sandbox
    yield services, api
    await services.stop()


async def _connect(services: Services, api: FastAPI) -> str:
    async with services.db.session() as session:
        owner = User(email='owner@example.com', name='Owner', password_hash='-', role=Role.OWNER)
        session.add(owner)
        await session.commit()
    url = await services.connection.begin_connect('browser-1', owner.id)  # type: ignore[arg-type]
    query = parse_qs(urlsplit(url).query)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=PUBLIC) as client:
        answer = await client.post(f'{SANDBOX_MOUNT}/_sandbox/consent', json={
            'client_id': query['client_id'][0], 'redirect_uri': query['redirect_uri'][0],
            'scope': query['scope'][0], 'state': query['state'][0], 'decision': 'allow',
            'realm_id': api.state.sandbox.default_realm_id})
    params = {k: v[0] for k, v in parse_qs(urlsplit(answer.json()['redirect_url']).query).items()}
    outcome = await services.connection.complete_connect('browser-1', owner.id, state=params['state'],
                                                         code=params['code'], realm_id=params['realmId'])
    assert outcome.result.value == 'connected'
    return params['realmId']


async def _scrape(api: FastAPI, *, client: tuple[str, int] = ('127.0.0.1', 40000),
                  headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=api, client=client)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as http:
        return await http.get('/metrics', headers=headers)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


async def test_metrics_after_a_run(app_services: tuple[Services, FastAPI]) -> None:
    services, api = app_services
    realm = await _connect(services, api)
    querying = QueryingPass()
    services.runner.register_pass('outbound', querying)
    summary = await services.runner.run(trigger='manual')
    assert summary.status == 'partial'
    assert await services.connection.refresh_idle_connections(timedelta(0)) == 1  # one refresh-token grant
    now = utcnow()
    async with services.db.session() as session:
        session.add(WebhookEvent(event_key='a', realm_id=realm, entity='Invoice', entity_qbo_id='1',
                                 operation='Create', received_at=now - timedelta(seconds=45),
                                 processed_at=now - timedelta(seconds=10)))
        session.add(WebhookEvent(event_key='b', realm_id=realm, entity='Invoice', entity_qbo_id='2',
                                 operation='Update', received_at=now - timedelta(seconds=5)))
        await session.commit()
    ran = asyncio.Event()
    services.scheduler.add_listener(lambda event: ran.set(), 1 << 12)  # EVENT_JOB_EXECUTED
    services.scheduler.run_now(KEEPALIVE_JOB)
    await asyncio.wait_for(ran.wait(), 10)

    response = await _scrape(api)
    assert response.status_code == 200 and response.headers['content-type'].startswith('text/plain; version=0.0.4')
    values = _samples(response.text)
    customers = querying.found  # what the pass found in QuickBooks and reported as created
    assert customers > 0
    assert values[('qbsync_sync_runs_total', (('outcome', 'partial'), ('trigger', 'manual')))] == 1
    assert values[('qbsync_sync_records_total', (('entity', 'customer'), ('result', 'created')))] == customers
    assert values[('qbsync_sync_records_total', (('entity', 'invoice'), ('result', 'failed')))] == 1
    assert values[('qbsync_sync_run_duration_seconds_count', (('trigger', 'manual'),))] == 1
    assert values[('qbsync_sync_running', ())] == 0
    assert values[('qbsync_quickbooks_requests_total', (('api', 'accounting'), ('status', '200')))] >= 2
    assert values[('qbsync_quickbooks_token_refreshes_total', (('outcome', 'succeeded'),))] == 1
    assert values[('qbsync_webhook_events_received_total', ())] == 2
    assert values[('qbsync_webhook_events_processed_total', (('outcome', 'processed'),))] == 1
    assert values[('qbsync_webhook_events_pending', ())] == 1
    assert values[('qbsync_webhook_deliveries_unstored', ())] == 0
    assert values[('qbsync_webhook_processing_lag_seconds_bucket', (('le', '30.0'),))] == 0
    assert values[('qbsync_webhook_processing_lag_seconds_bucket', (('le', '60.0'),))] == 1
    assert values[('qbsync_scheduler_job_runs_total', (('job', KEEPALIVE_JOB), ('outcome', 'succeeded')))] == 1
    assert values[('qbsync_scheduler_running', ())] == 1
    assert ('qbsync_scheduler_job_next_run_timestamp_seconds', (('job', 'daily-backup'),)) in values

    await services.runner.run(trigger='manual')  # counters grow; nothing is counted twice
    again = _samples((await _scrape(api)).text)
    assert again[('qbsync_sync_runs_total', (('outcome', 'partial'), ('trigger', 'manual')))] == 2
    assert again[('qbsync_sync_records_total', (('entity', 'invoice'), ('result', 'failed')))] == 2
    assert again[('qbsync_webhook_events_received_total', ())] == 2


async def test_metrics_need_loopback_or_the_token(app_services: tuple[Services, FastAPI]) -> None:
    _, api = app_services
    outside = ('203.0.113.9', 51000)
    assert (await _scrape(api, client=outside)).status_code == 403
    assert (await _scrape(api, client=outside, headers={'Authorization': 'Bearer wrong'})).status_code == 403
    assert (await _scrape(api, client=outside,
                          headers={'Authorization': 'Bearer scrape-secret-token'})).status_code == 200
    # a reverse proxy on the same host makes every caller look local: a forwarded request needs the token
    assert (await _scrape(api, headers={'X-Forwarded-For': '203.0.113.9'})).status_code == 403


async def test_429s_and_failed_requests_are_counted() -> None:
    from prometheus_client import CollectorRegistry

    live = LiveMetrics(CollectorRegistry())

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith('/query'):
            return httpx.Response(429, text='Too Many Requests')
        if 'tokens/bearer' in request.url.path:
            return httpx.Response(400, json={'error': 'invalid_grant'})
        raise httpx.ConnectError('no route')

    async with httpx.AsyncClient(transport=MeteredTransport(httpx.MockTransport(answer), live)) as client:
        await client.get('https://quickbooks.api.intuit.com/v3/company/1/query')
        await client.post('https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
                          data={'grant_type': 'refresh_token', 'refresh_token': 'x'})
        with pytest.raises(httpx.ConnectError):
            await client.get('https://quickbooks.api.intuit.com/v3/company/1/companyinfo/1')
    assert live.throttled.labels(api='accounting')._value.get() == 1
    assert live.token_refreshes.labels(outcome='rejected')._value.get() == 1
    assert live.requests.labels(api='accounting', status='error')._value.get() == 1
