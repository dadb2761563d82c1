"""What Intuit answers for anything the API does not offer: an Intuit fault, never a framework's ``{"detail": ...}``.

An unknown sub-path (``/invoice/7/history``), a method a path does not take (``DELETE /invoice/7``, ``PUT
/customer``) or an entity path without its Id (``GET /invoice``) is answered as Intuit answers an unsupported
operation: HTTP 400 with Fault code 500 "Unsupported Operation", after the usual bearer and company checks (so a
caller without a token still gets the 401 first). Paths under ``/v3`` outside a company get the same fault without
those checks. This router is included last: Starlette tries it only when no other route matches path and method.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.responses import Response

from . import faults
from .routes import BASE, api_call, fault_response
from .store import COMPANY_ZONE, Company
from .wire import intuit_datetime

__all__ = ['router', 'METHODS']

METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']
router = APIRouter()


@router.api_route(BASE + '/{rest:path}', methods=METHODS)
async def unsupported_in_company(request: Request, realm_id: str, rest: str) -> Response:
    def run(company: Company) -> tuple[int, dict[str, object]]:
        raise faults.unsupported_operation(f'{request.method} /{rest}')
    return await api_call(request, realm_id, run, replayable=False)


@router.api_route('/v3/{rest:path}', methods=METHODS)
async def unsupported(request: Request, rest: str) -> Response:
    state = request.app.state.sandbox
    return fault_response(faults.unsupported_operation(f'{request.method} /v3/{rest}'),
                          intuit_datetime(state.clock.now(), ZoneInfo(COMPANY_ZONE), millis=True))
