"""Intuit's webhook signature (test vector from Intuit's Java SDK) and both payload formats."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timezone

import pytest

from qbsync.quickbooks.webhooks import MAX_EVENT_KEY, WebhookPayloadError, parse_notification, verify_signature

VECTOR_TOKEN = 'b5771f19b12ddb4bcdb9f08bdc50bc63878a'
VECTOR_BODY = (b'{"eventNotifications":[{"realmId":"1185883450","dataChangeEvent":{"entities":[{"name":"Customer",'
               b'"id":"1","operation":"Create","lastUpdated":"2015-10-05T14:42:19-0700"}]}}]}')
VECTOR_SIGNATURE = 'JC2GUwciPmRBwEO7WvrRmKqu9tGOKL8FFallocTFi8Q='


def test_intuit_test_vector_verifies() -> None:
    assert verify_signature(VECTOR_BODY, VECTOR_SIGNATURE, VECTOR_TOKEN)


@pytest.mark.parametrize('signature', [None, '', 'JC2GUwciPmRBwEO7WvrRmKqu9tGOKL8FFallocTFi8X=', 'not base64'])
def test_wrong_or_missing_signature_fails(signature: str | None) -> None:
    assert not verify_signature(VECTOR_BODY, signature, VECTOR_TOKEN)


def test_a_changed_byte_or_another_token_fails() -> None:
    assert not verify_signature(VECTOR_BODY.replace(b'"1"', b'"2"'), VECTOR_SIGNATURE, VECTOR_TOKEN)
    assert not verify_signature(VECTOR_BODY, VECTOR_SIGNATURE, 'another-token')
    assert not verify_signature(VECTOR_BODY, VECTOR_SIGNATURE, '')


def test_legacy_payload() -> None:
    body = json.dumps({'eventNotifications': [{'realmId': '310687', 'dataChangeEvent': {'entities': [
        {'name': 'Invoice', 'id': '239', 'operation': 'Update', 'lastUpdated': '2025-03-05T18:53:39.000Z'},
        {'name': 'Customer', 'id': '58', 'operation': 'Merge', 'lastUpdated': '2025-03-05T18:54:02.000Z',
         'deletedId': '61'}]}}]}).encode()
    invoice, customer = parse_notification(body)
    assert (invoice.realm_id, invoice.entity, invoice.entity_id, invoice.operation) == ('310687', 'Invoice', '239',
                                                                                        'Update')
    assert invoice.last_updated == datetime(2025, 3, 5, 18, 53, 39, tzinfo=timezone.utc)
    assert invoice.event_key == '310687:Invoice:239:Update:2025-03-05T18:53:39.000Z'
    assert (customer.operation, customer.deleted_id) == ('Merge', '61')


def test_cloudevents_array() -> None:
    body = json.dumps([
        {'specversion': '1.0', 'id': '3f6c2b9e-5d1a-4c7e-9a0b-2e8d4f1c7a55', 'source': 'intuit.abc=',
         'type': 'qbo.creditmemo.voided.v1', 'datacontenttype': 'application/json', 'time': '2025-03-05T18:53:39.412Z',
         'intuitentityid': '239', 'intuitaccountid': '310687', 'data': {}},
        {'specversion': '1.0', 'id': 'ev-2', 'source': 'intuit.abc=', 'type': 'qbo.customer.merged.v1',
         'time': '2025-03-05T18:54:02Z', 'intuitentityid': '58', 'intuitaccountid': '310687',
         'data': {'deletedid': '61'}}]).encode()
    memo, customer = parse_notification(body)
    assert (memo.event_key, memo.entity, memo.operation, memo.realm_id) == (
        '3f6c2b9e-5d1a-4c7e-9a0b-2e8d4f1c7a55', 'CreditMemo', 'Void', '310687')
    assert (customer.entity, customer.operation, customer.deleted_id) == ('Customer', 'Merge', '61')


def test_long_event_ids_are_hashed_to_fit() -> None:
    body = json.dumps([{'specversion': '1.0', 'id': 'x' * 500, 'type': 'qbo.invoice.created.v1',
                        'intuitentityid': '1', 'intuitaccountid': '9'}]).encode()
    (change,) = parse_notification(body)
    assert len(change.event_key) <= MAX_EVENT_KEY and change.event_key.startswith('sha256:')


@pytest.mark.parametrize('body', [b'not json', b'{"hello": 1}', b'[{"id": "1"}]', b'{"eventNotifications": 3}',
                                  b'{"eventNotifications":[{"realmId":"1"}]}', b'[{"id":"1","type":"other.x.y",'
                                  b'"intuitentityid":"1","intuitaccountid":"2"}]'])
def test_malformed_bodies_raise_a_clear_error(body: bytes) -> None:
    with pytest.raises(WebhookPayloadError):
        parse_notification(body)


def sign(body: bytes, token: str) -> str:
    return base64.b64encode(hmac.new(token.encode(), body, hashlib.sha256).digest()).decode()


def test_signature_helper_matches_vector() -> None:
    assert sign(VECTOR_BODY, VECTOR_TOKEN) == VECTOR_SIGNATURE
