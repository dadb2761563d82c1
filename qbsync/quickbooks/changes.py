"""What QuickBooks says changed: CDC answers and bulk reads, parsed into typed objects (deleted stubs included).

CDC groups the changed objects per entity inside ``CDCResponse[0].QueryResponse[]``; a deleted transaction comes as
a stub ``{"status": "Deleted", "Id": .., "MetaData": {"LastUpdatedTime": ..}}`` (qbo-api.md 5). Timestamps carry the
company's UTC offset and are compared as instants, so they are turned into aware UTC datetimes here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = ['ChangedObject', 'CdcAnswer', 'CDC_MAX_OBJECTS', 'parse_instant', 'parse_cdc', 'changed_object',
           'format_instant']

CDC_MAX_OBJECTS = 1000  # Intuit's cap on one CDC answer, across all entities asked


@dataclass(frozen=True)
class ChangedObject:
    entity: str  # Intuit's name, e.g. 'Customer'
    id: str
    sync_token: str | None
    last_updated: datetime | None
    deleted: bool = False
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # the full object ({} if deleted)

    @property
    def voided(self) -> bool:
        return str(self.data.get('status', '')).lower() == 'voided' or \
            str(self.data.get('PrivateNote', '')).startswith('Voided')


@dataclass(frozen=True)
class CdcAnswer:
    objects: list[ChangedObject]
    time: datetime | None  # QuickBooks' clock when it answered

    @property
    def full(self) -> bool:
        """At the cap: objects changed later than the newest here may be missing (ask again from there)."""
        return len(self.objects) >= CDC_MAX_OBJECTS

    @property
    def newest(self) -> datetime | None:
        stamps = [o.last_updated for o in self.objects if o.last_updated is not None]
        return max(stamps, default=None)


def parse_instant(text: Any) -> datetime | None:
    """ISO-8601 as Intuit writes it (offsets like ``-07:00`` or ``-0700``, ``Z``, millis) -> aware UTC, or None."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def format_instant(value: datetime) -> str:
    """The form QuickBooks accepts in ``changedSince`` and query literals: seconds, explicit UTC offset."""
    return value.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S+00:00')


def changed_object(entity: str, data: dict[str, Any]) -> ChangedObject:
    meta = data.get('MetaData') if isinstance(data.get('MetaData'), dict) else {}
    deleted = str(data.get('status', '')).lower() == 'deleted'
    token = data.get('SyncToken')
    return ChangedObject(entity=entity, id=str(data.get('Id', '')), sync_token=None if token is None else str(token),
                         last_updated=parse_instant(meta.get('LastUpdatedTime')), deleted=deleted,
                         data={} if deleted else data)


def parse_cdc(body: dict[str, Any], entities: list[str]) -> CdcAnswer:
    """The objects of a ``/cdc`` answer (or a batch ``CDCResponse``), in the order QuickBooks listed them."""
    names = {name.lower(): name for name in entities}
    objects: list[ChangedObject] = []
    for block in body.get('CDCResponse') or []:
        responses = block.get('QueryResponse') if isinstance(block, dict) else None
        for response in responses or []:
            if not isinstance(response, dict):
                continue
            for key, value in response.items():
                entity = names.get(key.lower())
                if entity is not None and isinstance(value, list):
                    objects.extend(changed_object(entity, row) for row in value if isinstance(row, dict))
    return CdcAnswer(objects=objects, time=parse_instant(body.get('time')))
