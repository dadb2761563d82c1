"""Counters of what happens in this process: QuickBooks HTTP traffic and scheduler job outcomes.

The QuickBooks side is counted by wrapping the HTTP transport every QuickBooks call goes through (the API client's
shared AsyncClient and the OAuth calls alike: ``Services`` hands the same transport to both), so neither the client
nor the OAuth code needs to know about metrics. Requests are classed by Intuit's paths: the Accounting API
(``/v3/company/...``), the token endpoint (a ``refresh_token`` grant is a token refresh) and the rest of OAuth.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qs
from urllib.request import getproxies

import httpx
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ['LiveMetrics', 'MeteredTransport', 'network_transport', 'SCHEDULER_EVENTS']

TOKEN_PATH = '/oauth2/v1/tokens/bearer'
SCHEDULER_EVENTS = EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
_OUTCOMES = {EVENT_JOB_EXECUTED: 'succeeded', EVENT_JOB_ERROR: 'failed', EVENT_JOB_MISSED: 'missed',
             EVENT_JOB_MAX_INSTANCES: 'skipped_overlap'}


class LiveMetrics:
    """The process's own counters, on a registry of their own (one per app, so tests can build many apps)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter('qbsync_quickbooks_requests', 'HTTP requests to QuickBooks by API and status code '
                                "('error' when no answer came)", ['api', 'status'], registry=registry)
        self.throttled = Counter('qbsync_quickbooks_throttled', "QuickBooks answers 429 (Intuit's rate limits)",
                                 ['api'], registry=registry)
        self.token_refreshes = Counter('qbsync_quickbooks_token_refreshes', 'OAuth refresh-token grants by outcome',
                                       ['outcome'], registry=registry)
        self.latency = Histogram('qbsync_quickbooks_request_duration_seconds', 'QuickBooks request time by API',
                                 ['api'], registry=registry,
                                 buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
        self.job_runs = Counter('qbsync_scheduler_job_runs', 'Scheduler job executions by job and outcome',
                                ['job', 'outcome'], registry=registry)

    def observe_job(self, event: object) -> None:
        """APScheduler listener (see ``SyncScheduler.add_listener``)."""
        outcome = _OUTCOMES.get(getattr(event, 'code', 0))
        if outcome is not None:
            self.job_runs.labels(job=getattr(event, 'job_id', ''), outcome=outcome).inc()

    def observe(self, request: httpx.Request, status: int | None, seconds: float) -> None:
        api = _api_of(request)
        label = str(status) if status is not None else 'error'
        self.requests.labels(api=api, status=label).inc()
        self.latency.labels(api=api).observe(seconds)
        if status == 429:
            self.throttled.labels(api=api).inc()
        if api == 'oauth_token' and _is_refresh(request):
            outcome = 'succeeded' if status == 200 else ('rejected' if status in (400, 401) else 'failed')
            self.token_refreshes.labels(outcome=outcome).inc()


class MeteredTransport(httpx.AsyncBaseTransport):
    """Passes every request on unchanged and counts it (an observer: errors propagate as they were)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, metrics: LiveMetrics) -> None:
        self.inner = inner
        self.metrics = metrics

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await self.inner.handle_async_request(request)
        except Exception:
            self.metrics.observe(request, None, time.perf_counter() - started)
            raise
        self.metrics.observe(request, response.status_code, time.perf_counter() - started)
        return response

    async def aclose(self) -> None:
        """Shared by many short-lived clients (each OAuth call makes one and closes it): only the owner closes
        the inner transport, through ``close_inner``."""

    async def close_inner(self) -> None:
        await self.inner.aclose()


def network_transport() -> httpx.AsyncHTTPTransport:
    """What an AsyncClient without a transport would use, HTTPS_PROXY included (an explicit transport turns
    httpx's own proxy lookup off)."""
    proxy = getproxies().get('https')
    return httpx.AsyncHTTPTransport(proxy=proxy) if proxy else httpx.AsyncHTTPTransport()


def _api_of(request: httpx.Request) -> str:
    path = request.url.path
    if '/v3/company/' in path:
        return 'accounting'
    if path.endswith(TOKEN_PATH):
        return 'oauth_token'
    if '/oauth2/' in path or 'openid_connect' in path:
        return 'oauth_other'  # revoke, userinfo, discovery
    return 'other'


def _is_refresh(request: httpx.Request) -> bool:
    try:
        body = request.content.decode('utf-8', 'replace')
    except httpx.RequestNotRead:  # a streamed body: OAuth bodies never are
        return False
    return parse_qs(body).get('grant_type') == ['refresh_token']
