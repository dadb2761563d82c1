"""``/_sandbox/companies``: list, create and reset companies, and edit records as a QuickBooks user would.

A user editing in QuickBooks' own screens goes through the same rules as the API and always edits the latest
version, so ``edit_as_user`` fills in the current SyncToken and applies changes sparsely. The change is committed
like any other: it emits its ChangeEvent (webhooks, CDC), which is what inbound-sync tests and the demo need.
Intuit faults come back in Intuit's envelope with their status, so a test can assert on them.

``merge`` is the one edit only a user can make (Intuit has no merge API): ``{"entity": "Customer", "operation":
"merge", "id": "<kept>", "merge_id": "<merged away>"}`` (optionally ``"merge_entity"`` when the merged-away record
is of another entity, which is refused); see ``accounting.merge`` for what it does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from ..accounting.faults import QBOFault, object_not_found
from ..accounting.routes import fault_response
from ..accounting.store import Company
from ..accounting.wire import WireError, dumps, loads
from ..state import SandboxState

__all__ = ['router', 'UserEdit', 'edit_as_user']

router = APIRouter(prefix='/companies', tags=['sandbox companies'])

EditOperation = Literal['create', 'update', 'delete', 'void', 'merge']


@dataclass(frozen=True)
class UserEdit:
    entity: str
    operation: EditOperation
    entity_id: str | None = None          # the record edited; on merge, the one that is kept
    fields: dict[str, Any] = field(default_factory=dict)
    merge_id: str | None = None           # merge: the record merged away (deleted) into ``entity_id``
    merge_entity: str | None = None       # merge: its entity when not ``entity`` (refused with the reason)


def edit_as_user(company: Company, edit: UserEdit) -> dict[str, Any]:
    """Apply one edit with the latest SyncToken; returns the entity as the API would; raises QBOFault."""
    if edit.operation == 'create':
        return company.create(edit.entity, dict(edit.fields))
    if edit.operation == 'merge':
        if not edit.entity_id or not edit.merge_id:
            raise ValueError('a merge needs the kept record (entity_id) and the merged-away one (merge_id)')
        return company.merge(edit.entity, edit.entity_id, edit.merge_id, edit.merge_entity)
    with company.lock:
        current = company.get_object(edit.entity, edit.entity_id or '') if edit.entity_id else None
        if current is None:
            raise object_not_found(edit.entity, edit.entity_id or '')
        payload = {**edit.fields, 'Id': current['Id'], 'SyncToken': current['SyncToken'], 'sparse': True}
        if edit.operation == 'update':
            return company.update(edit.entity, payload)
        if edit.operation == 'void':
            return company.void(edit.entity, payload)
        return company.delete(edit.entity, payload)


class CompanyIn(BaseModel):
    name: str | None = Field(default=None, max_length=100)
    profile: Literal['us', 'global', 'new'] = 'us'   # Intuit's sandbox company, a UK company, a new company


def _state(request: Request) -> SandboxState:
    return request.app.state.sandbox


def _company(request: Request, realm_id: str) -> Company:
    company = _state(request).companies.get(realm_id)
    if company is None:
        raise HTTPException(404, f'no company {realm_id}')
    return company


@router.get('')
def list_companies(request: Request) -> list[dict[str, Any]]:
    state = _state(request)
    out = []
    for ref in state.companies.realms():
        company = state.companies.get(ref.realm_id)
        counts = {entity: len(bucket) for entity, bucket in sorted(company.objects.items()) if bucket} \
            if company else {}
        out.append({'realm_id': ref.realm_id, 'name': ref.name, 'counts': counts})
    return out


@router.post('', status_code=201)
def create_company(request: Request, body: CompanyIn) -> dict[str, str]:
    ref = _state(request).companies.create_company(body.name, body.profile)
    return {'realm_id': ref.realm_id, 'name': ref.name, 'profile': body.profile}


@router.post('/{realm_id}/reset')
def reset_company(request: Request, realm_id: str) -> dict[str, str]:
    """Back to the seeded company: records, Id counters and requestid replays (no webhooks: nothing was edited)."""
    _company(request, realm_id)
    _state(request).companies.reset(realm_id)
    return {'realm_id': realm_id, 'status': 'reset'}


@router.post('/{realm_id}/edits')
async def edit(request: Request, realm_id: str) -> Response:
    """Body ``{"entity": "Customer", "operation": "update", "id": "5", "fields": {...}}`` (merge: plus
    ``"merge_id"``); amounts stay Decimal."""
    company = _company(request, realm_id)
    try:
        user_edit = _parse_edit(loads(await request.body()))
        result = edit_as_user(company, user_edit)
    except QBOFault as fault:
        return fault_response(fault, company.time_string())
    except (WireError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from exc
    return Response(dumps({_canonical(user_edit.entity): result, 'time': company.time_string()}),
                    media_type='application/json')


def _parse_edit(body: Any) -> UserEdit:
    """Plain checks instead of a pydantic model, which would turn amounts into floats."""
    if not isinstance(body, dict):
        raise ValueError('the body must be a JSON object')
    entity, operation, entity_id, fields, merge_id, merge_entity = (
        body.get(k) for k in ('entity', 'operation', 'id', 'fields', 'merge_id', 'merge_entity'))
    if not isinstance(entity, str) or not entity.strip():
        raise ValueError('entity is required, e.g. "Customer"')
    if operation not in get_args(EditOperation):
        raise ValueError(f'operation must be one of {", ".join(get_args(EditOperation))}')
    if operation != 'create' and (entity_id is None or not str(entity_id).strip()):
        raise ValueError(f'id is required to {operation}')
    if not isinstance(fields if fields is not None else {}, dict):
        raise ValueError('fields must be an object')
    if operation == 'merge' and (merge_id is None or not str(merge_id).strip()):
        raise ValueError('merge_id (the record merged away) is required to merge')
    if merge_entity is not None and (not isinstance(merge_entity, str) or not merge_entity.strip()):
        raise ValueError('merge_entity must be an entity name, e.g. "Vendor"')
    return UserEdit(_canonical(entity), operation, None if entity_id is None else str(entity_id).strip(),
                    dict(fields or {}), None if merge_id is None else str(merge_id).strip(),
                    _canonical(merge_entity) if merge_entity else None)


def _canonical(entity: str) -> str:
    from ..accounting.entities import entity_type
    return entity_type(entity.strip()).name
