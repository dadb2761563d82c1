"""Intuit webhooks: signature verification and both payload formats, parsed into typed entity changes.

Intuit signs the exact request bytes (``intuit-signature`` = base64 HMAC-SHA256 with the app's verifier token) and
sends either the legacy ``{"eventNotifications": [...]}`` object or, since 2025, a CloudEvents 1.0 array. Both
become the same ``EntityChange`` records with a stable ``event_key`` to dedupe Intuit's retries.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

__all__ = ['EntityChange', 'WebhookPayloadError', 'verify_signature', 'parse_notification', 'MAX_EVENT_KEY']

MAX_EVENT_KEY = 200  # WebhookEvent.event_key column width; longer keys are hashed

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


def parse_notification(body: bytes) -> list[EntityChange]:
    """Every entity change in a legacy or CloudEvents body; raises WebhookPayloadError for anything else."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookPayloadError(f'the body is not JSON: {exc}') from None
    if isinstance(payload, list):
        return [_cloud_event(event, index) for index, event in enumerate(payload)]
    if isinstance(payload, dict) and 'eventNotifications' in payload:
        return _legacy(payload['eventNotifications'])
    if isinstance(payload, dict) and payload.get('specversion'):  # a single CloudEvent in structured mode
        return [_cloud_event(payload, 0)]
    raise WebhookPayloadError('expected an eventNotifications object or a CloudEvents array')


def _legacy(notifications: Any) -> list[EntityChange]:
    if not isinstance(notifications, list):
        raise WebhookPayloadError('eventNotifications must be a list')
    changes: list[EntityChange] = []
    for notification in notifications:
        realm_id = _text(notification, 'realmId', 'notification')
        entities = ((notification.get('dataChangeEvent') or {}).get('entities')) if isinstance(notification, dict) \
            else None
        if not isinstance(entities, list):
            raise WebhookPayloadError(f'notification for realm {realm_id} has no dataChangeEvent.entities list')
        for entry in entities:
            entity = _entity_name(_text(entry, 'name', 'entity'))
            entity_id, operation = _text(entry, 'id', 'entity'), _text(entry, 'operation', 'entity')
            stamp = str(entry.get('lastUpdated') or '')
            key = _key(f'{realm_id}:{entity}:{entity_id}:{operation}:{stamp}')
            changes.append(EntityChange(event_key=key, realm_id=realm_id, entity=entity, entity_id=entity_id,
                                        operation=operation, last_updated=_instant(stamp),
                                        deleted_id=_optional(entry.get('deletedId'))))
    return changes


def _cloud_event(event: Any, index: int) -> EntityChange:
    where = f'event {index}'
    event_id = _text(event, 'id', where)
    kind = _text(event, 'type', where)  # qbo.<entity>.<past-tense verb>.v<n>
    parts = kind.split('.')
    if len(parts) < 3 or parts[0] != 'qbo':
        raise WebhookPayloadError(f'{where}: unexpected type {kind!r}')
    data = event.get('data') if isinstance(event.get('data'), dict) else {}
    return EntityChange(event_key=_key(event_id), realm_id=_text(event, 'intuitaccountid', where),
                        entity=_entity_name(parts[1]), entity_id=_text(event, 'intuitentityid', where),
                        operation=_OPERATIONS.get(parts[2].lower(), parts[2].capitalize()),
                        last_updated=_instant(str(event.get('time') or '')),
                        deleted_id=_optional(data.get('deletedid') or data.get('deletedId')))


def _text(container: Any, key: str, where: str) -> str:
    value = container.get(key) if isinstance(container, dict) else None
    if value is None or str(value).strip() == '':
        raise WebhookPayloadError(f'{where} lacks {key!r}')
    return str(value).strip()


def _optional(value: Any) -> str | None:
    return str(value) if value not in (None, '') else None


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
