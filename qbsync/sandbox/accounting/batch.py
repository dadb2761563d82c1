"""``POST /batch``: up to 30 operations in one call, run in order, each answered on its own (qbo-api.md 6).

An item holds ``bId``, an optional ``operation`` (create, update, delete; ``optionsData: "void"`` with update, or
operation ``void``, voids) and exactly one of an entity object, ``Query`` or ``CDCQuery``. Each item's result or
Fault is keyed by its ``bId``; the call itself answers 200 unless the request as a whole is malformed or too big
(1040). Intuit runs items serially but an item cannot use objects created by earlier items of the same batch
(B-BATCH17); the sandbox reproduces that by hiding each newly created object from the rest of the batch, under the
company lock so no other call sees the company in that state, and putting them back when the batch ends.

A batch that carries a ``requestid`` is limited to a 36-character requestid and 10-character ``bId`` values
(B-RID), both answered with 2130.

UNCONFIRMED choices: an entity item without ``operation`` is a create; a missing or repeated ``bId`` rejects the
whole batch with 2020/2010 (no answer could be correlated); ``Query`` and ``CDCQuery`` items see the company as the
earlier items left it, minus their creations.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import faults
from .cdc import change_data_capture, parse_cdc_request
from .entities import entity_type
from .faults import FaultError, QBOFault

if TYPE_CHECKING:
    from .store import Company

__all__ = ['MAX_BATCH_ITEMS', 'MAX_BATCH_REQUEST_ID', 'MAX_BID_WITH_REQUEST_ID', 'batch_too_large', 'run_batch']

MAX_BATCH_ITEMS = 30
MAX_BATCH_REQUEST_ID = 36
MAX_BID_WITH_REQUEST_ID = 10
_OPERATIONS = ('create', 'update', 'delete', 'void')


def batch_too_large(count: int) -> QBOFault:
    return QBOFault([FaultError('1040', 'Batch size exceeds allowed limit',
                                f'Batch size exceeds allowed limit. Maximum allowed: {MAX_BATCH_ITEMS}. '
                                f'Supplied: {count}')])


def run_batch(company: Company, body: Any, request_id: str | None = None) -> list[dict[str, Any]]:
    """The ``BatchItemResponse`` list for a parsed request body; raises QBOFault when the batch as a whole is bad."""
    if request_id is not None and len(request_id) > MAX_BATCH_REQUEST_ID:
        raise faults.invalid_request_id(request_id, MAX_BATCH_REQUEST_ID)
    items = _items(body, bid_limit=MAX_BID_WITH_REQUEST_ID if request_id else None)
    hidden: list[tuple[str, str, dict[str, Any]]] = []
    with company.lock:
        try:
            answers = []
            for item in items:
                answer, created = _run_item(company, item)
                answers.append({'bId': item['bId'], **answer})
                if created is not None:
                    entity, entity_id = created
                    hidden.append((entity, entity_id, company.objects[entity].pop(entity_id)))
            return answers
        finally:
            for entity, entity_id, obj in hidden:
                company.objects.setdefault(entity, {})[entity_id] = obj


def _items(body: Any, bid_limit: int | None) -> list[dict[str, Any]]:
    items = body.get('BatchItemRequest') if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise faults.required_param('BatchItemRequest', 'Required parameter BatchItemRequest is missing or empty')
    if len(items) > MAX_BATCH_ITEMS:
        raise batch_too_large(len(items))
    seen: set[str] = set()
    for item in items:
        bid = item.get('bId') if isinstance(item, dict) else None
        if not isinstance(bid, str) or not bid.strip():
            raise faults.required_param('bId', 'Required parameter bId is missing in a BatchItemRequest')
        if bid_limit is not None and len(bid) > bid_limit:
            raise faults.invalid_request_id(bid, bid_limit, 'bId')
        if bid in seen:
            raise faults.request_body_error(f'bId {bid} is used by more than one BatchItemRequest')
        seen.add(bid)
    return items


def _run_item(company: Company, item: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """One item's answer, and the (entity, Id) it created if any; a fault becomes that item's answer."""
    try:
        payload_keys = [k for k in item if k not in ('bId', 'operation', 'optionsData')]
        if len(payload_keys) != 1:
            raise faults.request_body_error('a BatchItemRequest needs exactly one of an entity, Query or CDCQuery; '
                                            f'got {", ".join(payload_keys) or "none"}')
        key = payload_keys[0]
        if key == 'Query':
            return {'QueryResponse': company.query(str(item['Query']))}, None
        if key == 'CDCQuery':
            return {'CDCResponse': _cdc(company, item['CDCQuery'])}, None
        return _entity_item(company, key, item)
    except QBOFault as fault:
        return {'Fault': {'Error': [e.as_json() for e in fault.errors], 'type': fault.type}}, None


def _entity_item(company: Company, entity: str, item: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, str] | None]:
    name = entity_type(entity).name
    operation = str(item.get('operation') or 'create').lower()
    options = str(item.get('optionsData') or '').lower()
    if operation not in _OPERATIONS:
        raise faults.invalid_enum('operation', item.get('operation'))
    payload = item[entity]
    if operation == 'void' or (operation == 'update' and options == 'void'):
        return {name: company.void(name, payload)}, None
    if operation == 'delete':
        return {name: company.delete(name, payload)}, None
    if operation == 'update':
        return {name: company.update(name, payload)}, None
    created = company.create(name, payload)
    return {name: created}, (name, created['Id'])


def _cdc(company: Company, query: Any) -> list[dict[str, Any]]:
    if not isinstance(query, dict):
        raise faults.request_body_error('CDCQuery must be an object with Entities and ChangedSince')
    return change_data_capture(company, parse_cdc_request(company, query.get('Entities'), query.get('ChangedSince')))
