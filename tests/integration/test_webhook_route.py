"""POST /api/quickbooks/webhook on the running app: signature, both formats, dedupe, and 200 for unreadable bodies."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from nicegui import app
from nicegui.testing import User
from sqlmodel import select

from qbsync.models import QuickBooksConnection, WebhookEvent

LEGACY = json.dumps({'eventNotifications': [{'realmId': '9130350000000001', 'dataChangeEvent': {'entities': [
    {'name': 'Invoice', 'id': '239', 'operation': 'Update', 'lastUpdated': '2026-01-15T18:53:39.000Z'},
    {'name': 'Customer', 'id': '58', 'operation': 'Merge', 'lastUpdated': '2026-01-15T18:54:02.000Z',
     'deletedId': '61'}]}}]}).encode()
CLOUD = json.dumps([{'specversion': '1.0', 'id': 'c0ffee-1', 'source': 'intuit.x=', 'type': 'qbo.payment.created.v1',
                     'datacontenttype': 'application/json', 'time': '2026-01-15T19:00:00Z', 'intuitentityid': '77',
                     'intuitaccountid': '9130350000000001', 'data': {}}]).encode()


def _signed(body: bytes) -> dict[str, str]:
    token = app.state.services.settings.webhook_verifier_token
    return {'intuit-signature': base64.b64encode(hmac.new(token.encode(), body, hashlib.sha256).digest()).decode(),
            'content-type': 'application/json'}


@pytest.fixture(autouse=True)
async def _connected(user: User) -> None:
    """Only changes for a connected company are kept (tests/security covers the others)."""
    async with app.state.services.db.session() as session:
        session.add(QuickBooksConnection(realm_id='9130350000000001', company_name='Test Co'))
        await session.commit()


async def _events() -> list[WebhookEvent]:
    await app.state.services.webhooks.drain()  # the route answers before storing
    async with app.state.services.db.session() as session:
        return list((await session.exec(select(WebhookEvent).order_by(WebhookEvent.id))).all())


async def test_legacy_notification_is_stored_once(user: User) -> None:
    for _ in range(2):  # Intuit's retry of the same delivery
        response = await user.http_client.post('/api/quickbooks/webhook', content=LEGACY, headers=_signed(LEGACY))
        assert response.status_code == 200
    events = await _events()
    assert [(e.entity, e.entity_qbo_id, e.operation, e.deleted_id) for e in events] == [
        ('Invoice', '239', 'Update', None), ('Customer', '58', 'Merge', '61')]
    assert all(e.realm_id == '9130350000000001' and e.processed_at is None for e in events)


async def test_cloudevents_with_their_content_type(user: User) -> None:
    headers = {**_signed(CLOUD), 'content-type': 'application/cloudevents+json'}
    assert (await user.http_client.post('/api/quickbooks/webhook', content=CLOUD, headers=headers)).status_code == 200
    assert (await user.http_client.post('/api/quickbooks/webhook', content=CLOUD, headers=headers)).status_code == 200
    (event,) = await _events()
    assert (event.event_key, event.entity, event.operation, event.entity_qbo_id) == ('c0ffee-1', 'Payment', 'Create',
                                                                                     '77')


@pytest.mark.parametrize('signature', [None, '', 'AAAA', 'JC2GUwciPmRBwEO7WvrRmKqu9tGOKL8FFallocTFi8Q='])
async def test_missing_or_wrong_signature_is_401(user: User, signature: str | None) -> None:
    headers = {'content-type': 'application/json'}
    if signature is not None:
        headers['intuit-signature'] = signature
    response = await user.http_client.post('/api/quickbooks/webhook', content=LEGACY, headers=headers)
    assert response.status_code == 401
    assert await _events() == []


async def test_signature_of_another_body_is_401(user: User) -> None:
    response = await user.http_client.post('/api/quickbooks/webhook', content=LEGACY, headers=_signed(CLOUD))
    assert response.status_code == 401


async def test_signed_but_malformed_body_is_acknowledged_with_a_warning(user: User,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    body = b'{"unexpected": true}'
    response = await user.http_client.post('/api/quickbooks/webhook', content=body, headers=_signed(body))
    assert response.status_code == 200  # never 400 to Intuit: it would retry the whole batch
    assert 'signed correctly but unreadable' in caplog.text
    assert await _events() == []
