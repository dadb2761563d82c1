"""Change data capture: every object of the asked entities changed since an instant, deletions included (qbo-api.md 5).

Used by ``GET /cdc`` and by ``CDCQuery`` batch items. Choices where Intuit is UNCONFIRMED, each documented here:

* ``changedSince`` is inclusive (an object stamped exactly then is returned): a client that restarts from the
  last ``LastUpdatedTime`` it saw gets that object again, which is harmless, instead of missing a neighbour.
* Older than 30 days: 400 with code 500 and the Detail text a client reported from Intuit ("Operation cdc with
  changedSince date ... which is older than fixed days is not supported.", Wish-Org/QuickBooksSharp#19).
* Over 1,000 changed objects: the 1,000 changed earliest are returned (across all entities, oldest first), so a
  client that moves ``changedSince`` up to the newest ``LastUpdatedTime`` it received makes progress.
* One element per requested entity, in the order asked; an entity with no changes is an empty element ``{}``, so
  one unchanged entity answers ``{"QueryResponse":[{}]}`` exactly as Intuit's empty answer does (the shape of an
  unchanged entity next to changed ones is UNCONFIRMED; an empty element keeps positions and matches that answer).
* Entities Intuit's CDC does not support (TaxCode, TaxRate, TaxAgency, JournalCode, TimeActivity) are refused with
  400/code 500 "Unsupported Operation" naming the entity, as a third-party client documents.
* Deleted objects come as ``{"domain":"QBO","status":"Deleted","Id":..,"MetaData":{"LastUpdatedTime":..}}``.
"""
from __future__ import annotations

import copy

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import faults
from .wire import parse_intuit_datetime

if TYPE_CHECKING:
    from .store import Company

__all__ = ['CDC_LOOKBACK', 'CDC_MAX_OBJECTS', 'CDC_UNSUPPORTED', 'CdcRequest', 'parse_cdc_request',
           'change_data_capture']

CDC_LOOKBACK = timedelta(days=30)
CDC_MAX_OBJECTS = 1000
CDC_UNSUPPORTED = frozenset({'TaxCode', 'TaxRate', 'TaxAgency', 'JournalCode', 'TimeActivity'})


@dataclass(frozen=True)
class CdcRequest:
    entities: tuple[str, ...]   # Intuit's entity names, in the order asked, without repeats
    changed_since: datetime


def parse_cdc_request(company: Company, entities: str | None, changed_since: str | None) -> CdcRequest:
    """Validate the two parameters as Intuit does; raises QBOFault."""
    from .entities import entity_type
    if not entities or not entities.strip():
        raise faults.required_param('entities')
    if not changed_since or not changed_since.strip():
        raise faults.required_param('changedSince')
    names = tuple(dict.fromkeys(name.strip() for name in entities.split(',') if name.strip()))
    for asked in names:
        name = next((n for n in CDC_UNSUPPORTED if n.lower() == asked.lower()), None)
        if name is not None:
            raise faults.unsupported_operation(f'cdc for {name}', f'{name} is not supported by change data '
                                                                  f'capture; query it instead.')
    canonical = tuple(entity_type(name).name for name in names)
    try:
        since = parse_intuit_datetime(changed_since, company.zone)
    except ValueError as exc:
        raise faults.invalid_date('changedSince', changed_since) from exc
    if since < company.now() - CDC_LOOKBACK:
        raise faults.unsupported_operation(f'cdc with changedSince date {changed_since.strip()} which is older '
                                           f'than fixed days')
    return CdcRequest(tuple(dict.fromkeys(canonical)), since)


def change_data_capture(company: Company, request: CdcRequest) -> list[dict[str, Any]]:
    """The ``CDCResponse`` list: one element holding a ``QueryResponse`` list with one entry per changed entity."""
    from .entities import entity_type
    with company.lock:
        changed: list[tuple[datetime, int, str, dict[str, Any]]] = []
        for order, name in enumerate(request.entities):
            kind = entity_type(name)
            live = kind.views(company)
            gone = [dict(stub) for stub in company.tombstones.get(name, {}).values()]
            for obj in live + gone:
                stamp = _last_updated(obj)
                if stamp >= request.changed_since:
                    changed.append((stamp, order, name, copy.deepcopy(obj)))  # views are live objects
    changed.sort(key=lambda row: (row[0], row[1], _id_key(row[3])))
    grouped: dict[str, list[dict[str, Any]]] = {}
    for _, _, name, obj in changed[:CDC_MAX_OBJECTS]:
        grouped.setdefault(name, []).append(obj)
    responses = [{name: objs, 'startPosition': 1, 'maxResults': len(objs)} if (objs := grouped.get(name)) else {}
                 for name in request.entities]
    return [{'QueryResponse': responses}]


def _own(obj: dict[str, Any]) -> dict[str, Any]:
    """The object itself, or the template a RecurringTransaction wraps under its transaction's name."""
    if 'MetaData' in obj:
        return obj
    return next((v for v in obj.values() if isinstance(v, dict) and 'MetaData' in v), obj)


def _last_updated(obj: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(_own(obj)['MetaData']['LastUpdatedTime'])


def _id_key(obj: dict[str, Any]) -> tuple[int, str]:
    ident = str(_own(obj).get('Id', ''))
    return (int(ident), ident) if ident.isdigit() else (0, ident)
