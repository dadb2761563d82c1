"""What stands between a request and the Accounting API: Intuit's throttle, then any injected fault.

A pure ASGI middleware (not BaseHTTPMiddleware) because "timeout after commit" must let the route run to the end
and then withhold its answer: the response start goes out and the connection is dropped. Over a real socket
uvicorn then closes the connection mid-response; in-process (httpx.ASGITransport) the client sees the
``InjectedTimeout`` exception, which is an ``httpx.ReadTimeout`` so that client code handles it exactly like the
real thing. The middleware also starts webhook delivery lazily, since a mounted sandbox never gets a lifespan.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .accounting.faults import FaultError, QBOFault, business_validation, system_failure
from .accounting.routes import fault_response
from .accounting.store import COMPANY_ZONE
from .accounting.wire import intuit_datetime
from .oauth.grants import ApiAccessDenied

if TYPE_CHECKING:
    from .faults_injection import FaultKind
    from .state import SandboxState

__all__ = ['ApiGate', 'InjectedTimeout', 'throttle_response', 'injected_fault']

_API_PATH = re.compile(r'/v3/company/(?P<realm>[^/]+)(?P<tail>/[^?]*)?$')
_THROTTLE_MESSAGE = 'message=ThrottleExceeded; errorCode=003001; statusCode=429'
_THROTTLE_DETAIL = 'The request limit was reached.  Try again later'
_XML_THROTTLE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{time}">'
    '<Fault type="SERVICE"><Error code="3001"><Message>{message}</Message><Detail>{detail}</Detail></Error></Fault>'
    '</IntuitResponse>'
)


class InjectedTimeout(httpx.ReadTimeout):
    """The connection dropped after the change was committed (fault injection ``timeout_after_commit``)."""


class ApiGate:
    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _API_PATH.search(scope['path']) if scope['type'] == 'http' else None
        if match is None:
            await self.app(scope, receive, send)
            return
        state = self.state
        state.webhooks.ensure_background()
        realm_id, tail = match['realm'], (match['tail'] or '').rstrip('/')
        if not self._admitted(scope, realm_id, batch=tail == '/batch'):
            await throttle_response(state, realm_id, xml=state.config.throttle_xml)(scope, receive, send)
            return
        if not state.config.fault_injection:
            await self.app(scope, receive, send)
            return
        faults = state.faults
        if faults.latency_seconds:
            await faults.sleep(faults.latency_seconds)
        kind = faults.pick(scope['method'])
        if kind == 'timeout_after_commit':
            await self._drop_after(scope, receive, send)
        elif kind is not None:
            await _fault_response(state, realm_id, injected_fault(kind))(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _admitted(self, scope: Scope, realm_id: str, *, batch: bool) -> bool:
        """Only calls from an authorised app that has throttling switched on are counted; the route answers the rest."""
        headers = dict(scope['headers'])
        authorization = headers.get(b'authorization', b'').decode('latin-1')
        try:
            registered = self.state.grants.authorize_api_call(authorization, realm_id)
        except ApiAccessDenied:  # the route gives the proper 401/403 answer
            return True
        if not registered.throttling:
            return True
        return self.state.throttle.admit(realm_id, registered.client_id, batch=batch)

    async def _drop_after(self, scope: Scope, receive: Receive, send: Send) -> None:
        started: list[Message] = []

        async def hold(message: Message) -> None:
            if message['type'] == 'http.response.start':
                started.append(message)

        await self.app(scope, receive, hold)
        if started:
            await send(started[0])
        raise InjectedTimeout('sandbox fault injection: connection dropped after the change was committed')


def injected_fault(kind: FaultKind) -> QBOFault:
    """The answer for an injected error; 503's body is UNCONFIRMED (a SystemFault like 500's is assumed)."""
    if kind == 'http_500':
        return system_failure()
    if kind == 'http_503':
        return QBOFault([FaultError('10000', 'Service Unavailable',
                                    'System Failure Error: The service is temporarily unavailable. Try again later')],
                        status=503, type='SystemFault')
    if kind == 'transient_6000':
        return business_validation('An unexpected error occurred while accessing or saving your data. Please wait '
                                   'a few minutes and try again. If the problem persists, contact customer support.')
    raise ValueError(f'{kind} is not an error answer')


def throttle_response(state: SandboxState, realm_id: str, *, xml: bool = False) -> Response:
    """429 ThrottleExceeded; captured answers were XML even for JSON clients, hence the ``throttle_xml`` option."""
    if xml:
        body = _XML_THROTTLE.format(time=_now(state, realm_id), message=_THROTTLE_MESSAGE, detail=_THROTTLE_DETAIL)
        return Response(body, status_code=429, media_type='application/xml')
    fault = QBOFault([FaultError('3001', _THROTTLE_MESSAGE, _THROTTLE_DETAIL)], status=429, type='SERVICE')
    return _fault_response(state, realm_id, fault)


def _fault_response(state: SandboxState, realm_id: str, fault: QBOFault) -> Response:
    return fault_response(fault, _now(state, realm_id))


def _now(state: SandboxState, realm_id: str) -> str:
    """The envelope time in the company's offset (the seeded companies' zone for a realm that does not exist)."""
    company = state.companies.get(realm_id)
    if company is not None:
        return company.time_string()
    return intuit_datetime(state.clock.now(), ZoneInfo(COMPANY_ZONE), millis=True)

