"""Async client for the QuickBooks Online Accounting API v3 of one company.

Every call sends ``minorversion=75`` and ``Accept: application/json``; writes carry the caller's ``requestid`` so
that a retried write can never post twice; amounts are parsed as Decimal and written as exact JSON numbers. A 401
makes the client ask its TokenSource for a fresh access token once and retry once; everything else that fails
raises a class from ``qbsync.quickbooks.errors``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, Sequence

import httpx
import simplejson

from .changes import CdcAnswer, ChangedObject, changed_object, format_instant, parse_cdc
from .errors import NetworkError, QuickBooksError, fault_from_envelope, fault_from_response
from .types import CompanyInfo, QboAccount

__all__ = ['QuickBooksClient', 'TokenSource', 'BatchAnswer', 'MINOR_VERSION', 'PAGE_SIZE', 'MAX_REQUEST_ID_LENGTH',
           'MAX_BATCH_ITEMS', 'MAX_BATCH_REQUEST_ID']

MINOR_VERSION = 75  # Intuit ignores lower values since 2025 (qbo-api.md 2.4)
PAGE_SIZE = 1000  # the largest MAXRESULTS Intuit accepts
MAX_REQUEST_ID_LENGTH = 50  # longer ids are refused with code 2130
NAME_LISTS = frozenset({'Customer', 'Item', 'Vendor', 'Employee', 'Account', 'Class'})  # deactivated, never deleted
MAX_BATCH_ITEMS = 30  # Intuit's batch limit (1040 above it)
MAX_BATCH_REQUEST_ID = 36  # a batch's requestid is shorter (and its bIds at most 10 characters)
LONG_QUERY = 1500  # above this the query goes as a POST body (application/text) instead of a URL parameter

_FROM = re.compile(r'\bfrom\s+(\w+)', re.IGNORECASE)
_PAGING = re.compile(r'\b(startposition|maxresults)\b', re.IGNORECASE)


class TokenSource(Protocol):
    """Where the client gets bearer tokens; the connection service keeps them fresh and persisted."""

    async def access_token(self) -> str:
        """A currently valid access token (refreshed first if it is about to expire)."""
        ...

    async def renew(self, rejected: str) -> str:
        """QuickBooks refused ``rejected`` (401): return a newer token, refreshing unless someone already did."""
        ...


@dataclass(frozen=True)
class BatchAnswer:
    """One item's answer in a batch: the object QuickBooks returned, or the error it raised for that item."""
    bid: str
    entity: dict[str, Any] | None = None
    error: QuickBooksError | None = None


class QuickBooksClient:
    def __init__(self, http: httpx.AsyncClient, *, api_base_url: str, realm_id: str, tokens: TokenSource,
                 minor_version: int = MINOR_VERSION, page_size: int = PAGE_SIZE) -> None:
        """:param http: a shared client (not closed here); its transport decides network vs. in-process sandbox."""
        if not 1 <= page_size <= PAGE_SIZE:
            raise ValueError(f'page_size must be 1..{PAGE_SIZE}')
        self._page_size = page_size
        self.realm_id = realm_id
        self._http = http
        self._base = f'{api_base_url.rstrip("/")}/company/{realm_id}'
        self._tokens = tokens
        self._minor_version = minor_version

    async def read(self, entity: str, entity_id: str) -> dict[str, Any]:
        """One object by Id, e.g. ``read('Customer', '58')``; unknown Ids raise ObjectNotFoundError (610)."""
        body = await self._send('GET', f'/{entity.lower()}/{entity_id}')
        return _entity(body, entity)

    async def create(self, entity: str, payload: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        body = await self._send('POST', f'/{entity.lower()}', json_body=payload, request_id=request_id)
        return _entity(body, entity)

    async def sparse_update(self, entity: str, payload: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        """Change only the fields given; ``payload`` must carry ``Id`` and the current ``SyncToken``."""
        if 'Id' not in payload or 'SyncToken' not in payload:
            raise ValueError('a sparse update needs the Id and the current SyncToken')
        body = await self._send('POST', f'/{entity.lower()}', json_body={**payload, 'sparse': True},
                                request_id=request_id)
        return _entity(body, entity)

    async def batch(self, items: Sequence[dict[str, Any]], *, request_id: str) -> dict[str, BatchAnswer]:
        """Up to 30 operations in one request; answers by ``bId``. A fault of the whole request raises; an item's
        fault comes back as that item's ``error``."""
        return await self.batch_encoded([simplejson.dumps(item, use_decimal=True) for item in items],
                                        request_id=request_id)

    async def batch_encoded(self, items: Sequence[str], *, request_id: str) -> dict[str, BatchAnswer]:
        """``batch`` for items already encoded as JSON objects (``bId`` included): the outbox encodes each item once,
        to store it, and the same text goes on the wire."""
        if not 1 <= len(items) <= MAX_BATCH_ITEMS:
            raise ValueError(f'a batch holds 1..{MAX_BATCH_ITEMS} items')
        if len(request_id) > MAX_BATCH_REQUEST_ID:
            raise ValueError(f'a batch requestid is at most {MAX_BATCH_REQUEST_ID} characters')
        content = ('{"BatchItemRequest":[' + ','.join(items) + ']}').encode()
        body = await self._send('POST', '/batch', content=content, content_type='application/json',
                                request_id=request_id)
        answers: dict[str, BatchAnswer] = {}
        for answer in body.get('BatchItemResponse') or []:
            bid = str(answer.get('bId', ''))
            fault = answer.get('Fault')
            if fault is not None:
                answers[bid] = BatchAnswer(bid, error=fault_from_envelope(fault, status=400))
                continue
            entity = next((v for k, v in answer.items() if k not in ('bId', 'QueryResponse') and isinstance(v, dict)),
                          None)
            answers[bid] = BatchAnswer(bid, entity=entity if entity is not None else answer.get('QueryResponse'))
        return answers

    async def query(self, statement: str) -> list[dict[str, Any]]:
        """All rows of a SELECT, fetched in pages of 1000 (STARTPOSITION/MAXRESULTS are added here)."""
        match = _FROM.search(statement)
        if match is None:
            raise ValueError('a query needs a FROM clause')
        if _PAGING.search(statement):
            raise ValueError('leave STARTPOSITION and MAXRESULTS out: the client pages by itself')
        entity, rows, start = match.group(1), [], 1
        while True:
            size = self._page_size
            page = await self._query_page(f'{statement.strip()} STARTPOSITION {start} MAXRESULTS {size}', entity)
            rows.extend(page)
            if len(page) < size:
                return rows
            start += size

    async def read_many(self, entity: str, ids: Sequence[str], *, chunk: int = 200) -> list[ChangedObject]:
        """Objects by Id in bulk (``Id IN (...)``, 200 per statement, long ones sent as POST bodies), never one GET
        each; inactive name-list objects are included. Ids that no longer exist are simply absent."""
        unique = list(dict.fromkeys(str(i) for i in ids))
        active = ' AND Active IN (true, false)' if entity in NAME_LISTS else ''
        found: list[ChangedObject] = []
        for start in range(0, len(unique), chunk):
            quoted = ', '.join("'" + i.replace("'", "\\'") + "'" for i in unique[start:start + chunk])
            rows = await self.query(f'SELECT * FROM {entity} WHERE Id IN ({quoted}){active}')
            found.extend(changed_object(entity, row) for row in rows)
        return found

    async def changed_since(self, entity: str, since: datetime | None) -> list[ChangedObject]:
        """Live objects changed at or after ``since`` (all of them with None), oldest first, paged: CDC's stand-in
        when the cursor is older than CDC's 30 days. Deletions cannot be seen this way."""
        clauses = [f"MetaData.LastUpdatedTime >= '{format_instant(since)}'"] if since is not None else []
        if entity in NAME_LISTS:
            clauses.append('Active IN (true, false)')
        where = f' WHERE {" AND ".join(clauses)}' if clauses else ''
        rows = await self.query(f'SELECT * FROM {entity}{where} ORDERBY MetaData.LastUpdatedTime')
        return [changed_object(entity, row) for row in rows]

    async def cdc(self, entities: Sequence[str], changed_since: datetime) -> CdcAnswer:
        """Change data capture: every object of ``entities`` changed since the instant (at most 1,000 in all,
        ``answer.full`` says when the cap was hit), deleted stubs included; older than 30 days is refused by
        QuickBooks (a QuickBooksError)."""
        body = await self._send('GET', '/cdc', params={'entities': ','.join(entities),
                                                       'changedSince': format_instant(changed_since)})
        return parse_cdc(body, list(entities))

    async def company_info(self) -> CompanyInfo:
        body = await self._send('GET', f'/companyinfo/{self.realm_id}')
        return CompanyInfo.from_wire(self.realm_id, _entity(body, 'CompanyInfo'))

    async def preferences(self) -> dict[str, Any]:
        return _entity(await self._send('GET', '/preferences'), 'Preferences')

    async def accounts(self, account_types: Sequence[str] | None = None) -> list[QboAccount]:
        """Active accounts, optionally of some AccountTypes only (e.g. ``['Income', 'Bank']``)."""
        statement = 'SELECT * FROM Account'
        if account_types:
            quoted = ', '.join("'" + t.replace("'", "\\'") + "'" for t in account_types)
            statement += f' WHERE AccountType IN ({quoted})'
        return [QboAccount.from_wire(row) for row in await self.query(statement + ' ORDERBY Name')]

    async def _query_page(self, statement: str, entity: str) -> list[dict[str, Any]]:
        if len(statement) > LONG_QUERY:
            body = await self._send('POST', '/query', content=statement.encode(), content_type='application/text')
        else:
            body = await self._send('GET', '/query', params={'query': statement})
        response = body.get('QueryResponse') or {}
        for key, value in response.items():
            if key.lower() == entity.lower() and isinstance(value, list):
                return value
        return []

    async def _send(self, method: str, path: str, *, params: dict[str, str] | None = None,
                    json_body: dict[str, Any] | None = None, content: bytes | None = None,
                    content_type: str | None = None, request_id: str | None = None) -> dict[str, Any]:
        query = dict(params or {})
        if request_id is not None:
            query['requestid'] = _checked_request_id(request_id)
        query['minorversion'] = str(self._minor_version)
        headers = {'Accept': 'application/json'}
        if json_body is not None:
            content, content_type = simplejson.dumps(json_body, use_decimal=True).encode(), 'application/json'
        if content_type:
            headers['Content-Type'] = content_type
        token = await self._tokens.access_token()
        response = await self._request(method, path, query, headers, content, token)
        if response.status_code == 401:
            token = await self._tokens.renew(token)
            response = await self._request(method, path, query, headers, content, token)
        return _parsed(response)

    async def _request(self, method: str, path: str, params: dict[str, str], headers: dict[str, str],
                       content: bytes | None, token: str) -> httpx.Response:
        try:
            return await self._http.request(method, self._base + path, params=params, content=content,
                                            headers={**headers, 'Authorization': f'Bearer {token}'})
        except httpx.TransportError as exc:
            raise NetworkError(f'{method} {path} got no answer: {type(exc).__name__}') from exc


def _checked_request_id(request_id: str) -> str:
    if not request_id or len(request_id) > MAX_REQUEST_ID_LENGTH:
        raise ValueError(f'requestid must be 1..{MAX_REQUEST_ID_LENGTH} characters')
    return request_id


def _parsed(response: httpx.Response) -> dict[str, Any]:
    tid = response.headers.get('intuit_tid', '')
    if not response.is_success:
        raise fault_from_response(response.status_code, response.content, intuit_tid=tid)
    try:
        body = simplejson.loads(response.content, use_decimal=True)
    except ValueError:
        raise QuickBooksError(f'QuickBooks sent a non-JSON answer (HTTP {response.status_code})',
                              status=response.status_code, intuit_tid=tid) from None
    if not isinstance(body, dict):
        raise QuickBooksError('QuickBooks sent an unexpected JSON answer', status=response.status_code, intuit_tid=tid)
    if 'Fault' in body or 'fault' in body:  # a 200 can still carry a Fault
        raise fault_from_response(response.status_code, response.content, intuit_tid=tid)
    return body


def _entity(body: dict[str, Any], entity: str) -> dict[str, Any]:
    for key, value in body.items():
        if key.lower() == entity.lower() and isinstance(value, dict):
            return value
    raise QuickBooksError(f'QuickBooks answered without a {entity} object')

