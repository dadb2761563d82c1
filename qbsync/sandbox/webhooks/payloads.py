"""Webhook bodies in Intuit's two formats: the legacy ``eventNotifications`` object and the CloudEvents array.

Both carry only what changed (entity, id, operation, when), never the entity itself: the receiver reads it or
runs CDC. Field spellings follow qbo-api.md 7.3/7.4; the CloudEvents ``type`` verbs other than ``created`` and
``merged`` are UNCONFIRMED and follow the same past-tense pattern.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Iterable, Literal

from ..events import ChangeEvent, Operation

__all__ = ['WebhookFormat', 'Notice', 'aggregate', 'legacy_body', 'cloudevents_body', 'content_type',
           'cloudevent_type']

WebhookFormat = Literal['legacy', 'cloudevents']

_PAST_TENSE: dict[Operation, str] = {
    'Create': 'created', 'Update': 'updated', 'Delete': 'deleted', 'Void': 'voided', 'Merge': 'merged',
    'Emailed': 'emailed',
}


@dataclass(frozen=True)
class Notice:
    """One line of a notification: an entity that changed, how, and when."""
    entity: str
    entity_id: str
    operation: Operation
    last_updated: datetime
    deleted_id: str | None = None

    @classmethod
    def from_event(cls, event: ChangeEvent) -> Notice:
        return cls(event.entity, event.entity_id, event.operation, event.occurred_at, event.deleted_id)


def aggregate(notices: list[Notice], notice: Notice) -> None:
    """Add ``notice``; a repeat of the same entity and operation only moves its time (Intuit aggregates changes)."""
    for index, known in enumerate(notices):
        if (known.entity, known.entity_id, known.operation) == (notice.entity, notice.entity_id, notice.operation):
            notices[index] = replace(known, last_updated=max(known.last_updated, notice.last_updated),
                                     deleted_id=notice.deleted_id or known.deleted_id)
            return
    notices.append(notice)


def content_type(fmt: WebhookFormat) -> str:
    return 'application/cloudevents+json' if fmt == 'cloudevents' else 'application/json'


def cloudevent_type(notice: Notice) -> str:
    return f'qbo.{notice.entity.lower()}.{_PAST_TENSE[notice.operation]}.v1'


def legacy_body(realm_id: str, notices: Iterable[Notice]) -> bytes:
    entities = []
    for notice in notices:
        entry = {'name': notice.entity, 'id': notice.entity_id, 'operation': notice.operation,
                 'lastUpdated': _utc(notice.last_updated)}
        if notice.deleted_id:
            entry['deletedId'] = notice.deleted_id
        entities.append(entry)
    return _json({'eventNotifications': [{'realmId': realm_id, 'dataChangeEvent': {'entities': entities}}]})


def cloudevents_body(realm_id: str, client_id: str, notices: Iterable[Notice], event_ids: Iterable[str]) -> bytes:
    """``event_ids`` are chosen once per delivery so that retries carry the same ids (receivers dedupe on them)."""
    source = f'intuit.{_app_hash(client_id)}'
    events = []
    for notice, event_id in zip(notices, event_ids, strict=True):
        events.append({
            'specversion': '1.0', 'id': event_id, 'source': source, 'type': cloudevent_type(notice),
            'datacontenttype': 'application/json', 'time': _utc(notice.last_updated),
            'intuitentityid': notice.entity_id, 'intuitaccountid': realm_id,
            'data': {'deletedid': notice.deleted_id} if notice.deleted_id else {},
        })
    return _json(events)


def _utc(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def _app_hash(client_id: str) -> str:
    """An opaque, stable per-app token like Intuit's ``source`` suffix."""
    return base64.b64encode(hashlib.sha256(client_id.encode('utf-8')).digest()[:16]).decode('ascii')


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(',', ':')).encode('utf-8')
