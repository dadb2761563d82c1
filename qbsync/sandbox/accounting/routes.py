"""The ``/v3/company/{realmId}/...`` routes: thin HTTP around ``Company`` operations, in Intuit's wire format.

Every call: bearer check (401 lowercase body / 403 fault), company lookup, ``requestid`` replay, then the operation.
Only successful (200) answers are kept for replay: a refused request changed nothing, so re-running it is harmless
and lets a client retry after fixing its data (Intuit's handling of failed requests is UNCONFIRMED). Replays are kept
for POST operations (create, update, delete, void), where idempotency matters; reads are always answered fresh.
``/send`` is a POST and replayable like the other writes; ``/pdf`` answers ``application/pdf`` (faults stay JSON).
``minorversion`` is accepted whatever its value and everything behaves as 75. An entity path this sandbox does not
know is answered 400 with code 2000 "Invalid object name"; any other path or method is Intuit's "Unsupported
Operation" fault (.fallback_routes). ``include=invoiceLink`` on an invoice read or write adds ``InvoiceLink``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.responses import Response

from . import faults
from .entities import entity_type
from .entities.sales import with_invoice_link
from .store import COMPANY_ZONE, Company, Replay
from .options import request_options
from .wire import WireError, dumps, epoch_ms, intuit_datetime, loads

if TYPE_CHECKING:
    from ..state import SandboxState

__all__ = ['router', 'api_call', 'fault_response', 'json_body', 'BinaryAnswer', 'BASE', 'MAX_REQUEST_ID_LENGTH']

MAX_REQUEST_ID_LENGTH = 50
BASE = '/v3/company/{realm_id}'
JSON = 'application/json;charset=UTF-8'
router = APIRouter()
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BinaryAnswer:
    """A successful answer that is not JSON (a PDF); never stored for replay."""

    content: bytes
    media_type: str


Answer = tuple[int, dict[str, Any]] | BinaryAnswer


@router.api_route(BASE + '/query', methods=['GET', 'POST'])
async def query(request: Request, realm_id: str) -> Response:
    text = request.query_params.get('query')
    if request.method == 'POST':
        body = (await request.body()).decode('utf-8', errors='replace').strip()
        text = body or text
    statement = text or ''

    def run(company: Company) -> tuple[int, dict[str, Any]]:
        if not statement.strip():
            raise faults.query_parse_error('No query statement was supplied')
        return 200, {'QueryResponse': company.query(statement)}
    return await api_call(request, realm_id, run, replayable=False)


@router.get(BASE + '/preferences')
async def read_preferences(request: Request, realm_id: str) -> Response:
    return await api_call(request, realm_id, lambda c: (200, {'Preferences': c.read('Preferences', '1')}),
                           replayable=False)


@router.get(BASE + '/companyinfo/{entity_id}')
async def read_company_info(request: Request, realm_id: str, entity_id: str) -> Response:
    """``/companyinfo/{realmId}`` is how clients ask; the object's own Id ("1") is accepted too."""
    target = '1' if entity_id in (realm_id, '1') else entity_id
    return await api_call(request, realm_id, lambda c: (200, {'CompanyInfo': c.read('CompanyInfo', target)}),
                           replayable=False)


@router.get(BASE + '/{entity}/{entity_id}')
async def read(request: Request, realm_id: str, entity: str, entity_id: str) -> Response:
    def run(company: Company) -> tuple[int, dict[str, Any]]:
        etype = entity_type(entity)
        return 200, {etype.name: _included(company, etype.name, company.read(etype.name, entity_id), request)}
    return await api_call(request, realm_id, run, replayable=False)


def _included(company: Company, name: str, obj: dict[str, Any], request: Request) -> dict[str, Any]:
    """What ``include=`` adds to an answer (``invoiceLink`` on invoices)."""
    if name == 'Invoice' and 'invoicelink' in request_options(request.query_params).include:
        return with_invoice_link(company, obj)
    return obj


@router.post(BASE + '/{entity}/{entity_id}/send')
async def send(request: Request, realm_id: str, entity: str, entity_id: str) -> Response:
    """Email an invoice or credit memo; ``sendTo`` replaces BillEmail.Address. The body (octet-stream) is ignored."""
    send_to = request.query_params.get('sendTo', request.query_params.get('sendto'))

    def run(company: Company) -> tuple[int, dict[str, Any]]:
        etype = entity_type(entity)
        return 200, {etype.name: company.send(etype.name, entity_id, send_to)}
    return await api_call(request, realm_id, run, replayable=True)


@router.get(BASE + '/{entity}/{entity_id}/pdf')
async def pdf(request: Request, realm_id: str, entity: str, entity_id: str) -> Response:
    def run(company: Company) -> BinaryAnswer:
        return BinaryAnswer(company.pdf(entity_type(entity).name, entity_id), 'application/pdf')
    return await api_call(request, realm_id, run, replayable=False)


@router.post(BASE + '/{entity}')
async def write(request: Request, realm_id: str, entity: str) -> Response:
    raw = await request.body()

    def run(company: Company) -> tuple[int, dict[str, Any]]:
        etype = entity_type(entity)
        payload = _entity_body(raw, etype.name)
        options = request_options(request.query_params)
        if options.operation == 'delete':
            result = company.delete(etype.name, payload)
        elif options.operation == 'void' or (options.operation == 'update' and 'void' in options.include):
            result = company.void(etype.name, payload)
        elif options.operation not in ('', 'create', 'update'):
            raise faults.unsupported_operation(f'{options.operation} on {etype.name}')
        elif isinstance(payload, dict) and payload.get('Id') not in (None, ''):
            result = company.update(etype.name, payload, allow_duplicate_doc_num=options.allow_duplicate_doc_num)
        else:
            result = company.create(etype.name, payload, allow_duplicate_doc_num=options.allow_duplicate_doc_num)
        return 200, {etype.name: _included(company, etype.name, result, request)}
    return await api_call(request, realm_id, run, replayable=True)


def json_body(raw: bytes) -> Any:
    """A request body as JSON with Decimal amounts; not JSON: Intuit's 2010 fault."""
    try:
        return loads(raw)
    except WireError as exc:
        raise faults.request_body_error(f'the request body is not valid JSON ({exc})') from None


def _entity_body(raw: bytes, name: str) -> Any:
    """JSON with Decimal amounts; a body wrapped as ``{"Invoice": {...}}`` is unwrapped (lenient)."""
    payload = json_body(raw)
    if isinstance(payload, dict) and len(payload) == 1 and isinstance(payload.get(name), dict):
        payload = payload[name]
    return payload


async def api_call(request: Request, realm_id: str, run: Callable[[Company], Answer], replayable: bool) -> Response:
    state: SandboxState = request.app.state.sandbox
    from ..oauth.discovery import sandbox_base_url
    from ..oauth.grants import ApiAccessDenied
    company = state.companies.get(realm_id)
    zone = company.zone if company is not None else ZoneInfo(COMPANY_ZONE)
    try:
        state.grants.authorize_api_call(request.headers.get('Authorization'), realm_id)
    except ApiAccessDenied as denied:
        if denied.status == 401:
            body = faults.authentication_body(denied.detail, epoch_ms(state.clock.now()))
            return Response(dumps(body), status_code=401, media_type=JSON)
        return fault_response(faults.authorization_fault(denied.detail), intuit_datetime(state.clock.now(), zone, True))
    if company is None:
        return fault_response(faults.authorization_fault(f'Company {realm_id} does not exist or is not connected'),
                      intuit_datetime(state.clock.now(), zone, True))
    company.base_url = sandbox_base_url(request, state.config.public_base_url)   # for download links
    request_id = request.query_params.get('requestid')
    if request_id is not None and len(request_id) > MAX_REQUEST_ID_LENGTH:
        return fault_response(faults.invalid_request_id(request_id), company.time_string())
    with company.lock:
        if replayable and request_id and (replay := company.replays.get(request_id)) is not None:
            return Response(replay.body, status_code=replay.status, media_type=JSON)
        try:
            answer = run(company)
        except faults.QBOFault as fault:
            return fault_response(fault, company.time_string())
        except Exception:   # Intuit's answer to its own failures: 500 with code 10000 (logged here for the developer)
            logger.exception('sandbox accounting call failed: %s %s', request.method, request.url.path)
            return fault_response(faults.system_failure(), company.time_string())
        if isinstance(answer, BinaryAnswer):
            return Response(answer.content, status_code=200, media_type=answer.media_type)
        status, body = answer
        encoded = dumps({**body, 'time': company.time_string()})
        if replayable and request_id:
            company.replays[request_id] = Replay(status, encoded)
    return Response(encoded, status_code=status, media_type=JSON)


def fault_response(fault: faults.QBOFault, time: str) -> Response:
    return Response(dumps(faults.fault_body(fault, time)), status_code=fault.status, media_type=JSON)


