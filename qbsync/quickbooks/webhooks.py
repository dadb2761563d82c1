"""Intuit webhooks: signature verification and both payload formats, parsed into typed entity changes.

Intuit signs the exact request bytes (``intuit-signature`` = base64 HMAC-SHA256 with the app's verifier token) and
sends either the legacy ``{"eventNotifications": [...]}`` object or, since 2025, a CloudEvents 1.0 array. Both
become the same ``EntityChange`` records with a stable ``event_key`` to dedupe Intuit's retries.

Events are read one by one (``parse_delivery``): Intuit resends nothing once it got a 200, so one unreadable event
must never cost its readable neighbours. Ids longer than the columns that keep them are refused, never cut: two
long ids that share a prefix would otherwise collide into one record.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

__all__ = ['EntityChange', 'Delivery', 'WebhookPayloadError', 'verify_signature', 'parse_notification',
           'parse_delivery', 'MAX_EVENT_KEY', 'MAX_ID_LENGTH']

MAX_EVENT_KEY = 200  # WebhookEvent.event_key column width; longer keys are hashed
MAX_ID_LENGTH = 32  # WebhookEvent realm/entity/deleted id columns; Intuit's ids are short digit strings
_MAX_NAME = {'entity': 40, 'operation': 20}  # the other column widths

# Intuit's spelling of the entities a webhook can name (qbo-api.md 7.5); CloudEvents types carry them lowercased.
_ENTITY_NAMES = {name.lower(): name for name in (
    'Invoice', 'Payment', 'CreditMemo', 'SalesReceipt', 'RefundReceipt', 'BillPayment', 'Purchase', 'Transfer',
    'Estimate', 'PurchaseOrder', 'Account', 'Class', 'Customer', 'Employee', 'Item', 'Vendor', 'Bill', 'Deposit',
    'JournalEntry', 'TimeActivity', 'VendorCredit', 'Department', 'PaymentMethod', 'Budget', 'Currency',
    'JournalCode', 'TaxAgency', 'Term', 'Preferences')}
# CloudEvents past-tense verbs -> legacy operation names; only created/merged are documented (UNCONFIRMED rest)
_OPERATIONS = {'created': 'Create', 'updated': 'Update', 'deleted': 'Delete', 'merged': 'Merge', 'voided': 'Void',
               'emailed': 'Emailed'}


class WebhookPayloadError(ValueError):
    """The body is signed correctly but is not a notification we can read."""


@dataclass(frozen=True)
class EntityChange:
    event_key: str
    realm_id: str
    entity: str  # Intuit's entity name, e.g. 'Invoice'
    entity_id: str
    operation: str  # Create | Update | Delete | Merge | Void | Emailed
    last_updated: datetime | None = None
    deleted_id: str | None = None  # the merged-away object on Merge


def verify_signature(body: bytes, signature: str | None, verifier_token: str) -> bool:
    """True when ``signature`` is Intuit's HMAC of exactly these bytes; compared in constant time."""
    if not signature or not verifier_token:
        return False
    expected = base64.b64encode(hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


@dataclass(frozen=True)
class Delivery:
    """What one webhook body held: the readable changes, and why each unreadable event was refused."""
    changes: list[EntityChange]
    rejected: list[str]


def parse_delivery(body: bytes) -> Delivery:
    """Every readable entity change in a legacy or CloudEvents body, event by event.

    Raises WebhookPayloadError only when the body as a whole is unreadable (not JSON, nested beyond reason, or
    neither format); an unreadable event is listed in ``rejected`` and its neighbours are kept.
    """
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise WebhookPayloadError(f'the body is not JSON: {str(exc)[:200]}') from None
    if isinstance(payload, list):
        return _each(enumerate(payload), _cloud_event)
    if isinstance(payload, dict) and 'eventNotifications' in payload:
        return _legacy(payload['eventNotifications'])
    if isinstance(payload, dict) and payload.get('specversion'):  # a single CloudEvent in structured mode
        return _each([(0, payload)], _cloud_event)
    raise WebhookPayloadError('expected an eventNotifications object or a CloudEvents array')


def parse_notification(body: bytes) -> list[EntityChange]:
    """Strict: every change in the body, or WebhookPayloadError when the body or any event in it is unreadable."""
    delivery = parse_delivery(body)
    if delivery.rejected:
        raise WebhookPayloadError('; '.join(delivery.rejected[:5]))
    return delivery.changes


def _each(events: Iterable[tuple[Any, Any]], read: Callable[[Any, Any], EntityChange]) -> Delivery:
    delivery = Delivery([], [])
    for where, event in events:
        try:
            delivery.changes.append(read(event, where))
        except WebhookPayloadError as exc:
            delivery.rejected.append(str(exc))
    return delivery


def _legacy(notifications: Any) -> Delivery:
    if not isinstance(notifications, list):
        raise WebhookPayloadError('eventNotifications must be a list')
    delivery = Delivery([], [])
    for index, notification in enumerate(notifications):
        try:
            realm_id = _id(notification, 'realmId', f'notification {index}')
        except WebhookPayloadError as exc:
            delivery.rejected.append(str(exc))
            continue
        entities = ((notification.get('dataChangeEvent') or {}).get('entities')) \
            if isinstance(notification.get('dataChangeEvent'), dict) else None
        if not isinstance(entities, list):
            delivery.rejected.append(f'notification for realm {realm_id} has no dataChangeEvent.entities list')
            continue
        part = _each(((f'realm {realm_id} entity {at}', entry) for at, entry in enumerate(entities)),
                     functools.partial(_legacy_entity, realm_id=realm_id))
        delivery.changes.extend(part.changes)
        delivery.rejected.extend(part.rejected)
    return delivery


def _legacy_entity(entry: Any, where: str, *, realm_id: str) -> EntityChange:
    entity = _entity_name(_text(entry, 'name', where, _MAX_NAME['entity']))
    entity_id = _id(entry, 'id', where)
    operation = _text(entry, 'operation', where, _MAX_NAME['operation'])
    stamp = str(entry.get('lastUpdated') or '')[:64]
    key = _key(f'{realm_id}:{entity}:{entity_id}:{operation}:{stamp}')
    return EntityChange(event_key=key, realm_id=realm_id, entity=entity, entity_id=entity_id, operation=operation,
                        last_updated=_instant(stamp), deleted_id=_optional_id(entry, 'deletedId', where))


def _cloud_event(event: Any, index: Any) -> EntityChange:
    where = f'event {index}'
    event_id = _text(event, 'id', where, 10_000)  # hashed when long (the key column is a dedupe key only)
    kind = _text(event, 'type', where, 200)  # qbo.<entity>.<past-tense verb>.v<n>
    parts = kind.split('.')
    if len(parts) < 3 or parts[0] != 'qbo':
        raise WebhookPayloadError(f'{where}: unexpected type {kind[:80]!r}')
    entity = _entity_name(parts[1])
    operation = _OPERATIONS.get(parts[2].lower(), parts[2].capitalize())
    for name, value in (('entity', entity), ('operation', operation)):
        if len(value) > _MAX_NAME[name]:
            raise WebhookPayloadError(f'{where}: {name} longer than {_MAX_NAME[name]} characters')
    data = event.get('data') if isinstance(event.get('data'), dict) else {}
    return EntityChange(event_key=_key(event_id), realm_id=_id(event, 'intuitaccountid', where), entity=entity,
                        entity_id=_id(event, 'intuitentityid', where), operation=operation,
                        last_updated=_instant(str(event.get('time') or '')[:64]),
                        deleted_id=_optional_id(data, 'deletedid', where) or _optional_id(data, 'deletedId', where))


def _text(container: Any, key: str, where: str, limit: int) -> str:
    value = container.get(key) if isinstance(container, dict) else None
    if isinstance(value, (dict, list)) or value is None or str(value).strip() == '':
        raise WebhookPayloadError(f'{where} lacks {key!r}')
    text = str(value).strip()
    if len(text) > limit:
        raise WebhookPayloadError(f'{where}: {key!r} is longer than {limit} characters')
    return text


def _id(container: Any, key: str, where: str) -> str:
    return _text(container, key, where, MAX_ID_LENGTH)


def _optional_id(container: Any, key: str, where: str) -> str | None:
    value = container.get(key) if isinstance(container, dict) else None
    return None if value in (None, '') else _id(container, key, where)


def _entity_name(name: str) -> str:
    return _ENTITY_NAMES.get(name.lower(), name[:1].upper() + name[1:])


def _instant(text: str) -> datetime | None:
    """ISO-8601 in the variants Intuit uses (``Z``, ``-0700``, millis); None when absent or unreadable."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _key(raw: str) -> str:
    return raw if len(raw) <= MAX_EVENT_KEY else 'sha256:' + hashlib.sha256(raw.encode()).hexdigest()
