"""Webhook intake under attack or abuse: size limits before hashing, event-by-event parsing, pathological bodies,
foreign companies, long ids, and pruning (issue 10, item 4)."""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from nicegui import app
from nicegui.testing import User

from qbsync.quickbooks.webhooks import parse_delivery
from qbsync.services.webhook_inbox import PROCESSED_RETENTION, UNPROCESSED_RETENTION

from .webhook_support import REALM, connect_company, signed, stored_events

URL = '/api/quickbooks/webhook'
MB = 1024 * 1024


def legacy(*entities: dict, realm: str = REALM) -> bytes:
    return json.dumps({'eventNotifications': [{'realmId': realm, 'dataChangeEvent': {'entities': list(entities)}}]
                       }).encode()


def entity(entity_id: str, name: str = 'Invoice', operation: str = 'Update') -> dict:
    return {'name': name, 'id': entity_id, 'operation': operation, 'lastUpdated': '2026-01-15T18:53:39.000Z'}


async def test_oversized_body_is_refused_from_its_content_length(user: User) -> None:
    body = b' ' * (MB + 1)
    response = await user.http_client.post(URL, content=body, headers={'content-type': 'application/json'})
    assert response.status_code == 413  # not 401: refused before the signature is computed


async def test_oversized_streamed_body_is_refused_while_reading(user: User) -> None:
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:  # no Content-Length: chunked, as an attacker would send it
        nonlocal pulled
        for _ in range(1600):  # 100 MB if read to the end
            pulled += 64 * 1024
            yield b' ' * (64 * 1024)

    response = await user.http_client.post(URL, content=endless(), headers={'content-type': 'application/json'})
    assert response.status_code == 413
    assert pulled <= 2 * MB


async def test_a_body_at_the_limit_is_still_read(user: User) -> None:
    await connect_company()
    body = legacy(entity('1'))
    body = body + b' ' * (MB - len(body))  # JSON allows trailing whitespace; exactly 1 MB
    assert (await user.http_client.post(URL, content=body, headers=signed(body))).status_code == 200
    assert [e.entity_qbo_id for e in await stored_events()] == ['1']


async def test_one_unreadable_event_keeps_its_neighbours(user: User) -> None:
    await connect_company()
    body = legacy(entity('10'), {'name': 'Invoice', 'operation': 'Update'}, 'garbage', entity('11', 'Customer'))
    assert (await user.http_client.post(URL, content=body, headers=signed(body))).status_code == 200
    assert [(e.entity, e.entity_qbo_id) for e in await stored_events()] == [('Invoice', '10'), ('Customer', '11')]


async def test_one_unreadable_cloud_event_keeps_its_neighbours(user: User) -> None:
    await connect_company()
    good = {'specversion': '1.0', 'id': 'ev-1', 'type': 'qbo.invoice.created.v1', 'intuitentityid': '5',
            'intuitaccountid': REALM}
    body = json.dumps([good, {'id': 'ev-2', 'type': 'something.else'}, {**good, 'id': 'ev-3', 'intuitentityid': '6'},
                       [1, 2]]).encode()
    assert (await user.http_client.post(URL, content=body, headers=signed(body))).status_code == 200
    assert [e.event_key for e in await stored_events()] == ['ev-1', 'ev-3']


async def test_deeply_nested_body_is_acknowledged_not_a_500(user: User) -> None:
    body = b'[' * 200_000 + b']' * 200_000
    response = await user.http_client.post(URL, content=body, headers=signed(body))
    assert response.status_code == 200
    assert await stored_events() == []


async def test_twenty_thousand_entities_are_answered_in_time_without_blocking(user: User) -> None:
    await connect_company()
    entities = [{'name': 'Item', 'id': str(n), 'operation': 'Create'} for n in range(20_000)]
    body = json.dumps({'eventNotifications': [{'realmId': REALM, 'dataChangeEvent': {'entities': entities}}]},
                      separators=(',', ':')).encode()
    assert len(body) <= MB
    started = time.perf_counter()
    delivery = asyncio.create_task(user.http_client.post(URL, content=body, headers=signed(body)))
    health = await user.http_client.get('/healthz')  # another request is served meanwhile
    assert health.status_code == 200
    response = await delivery
    assert response.status_code == 200
    assert time.perf_counter() - started < 3  # Intuit's deadline for an answer: its contract, asserted as such
    await app.state.services.webhooks.drain()  # what did not fit in the answer's time is stored meanwhile
    assert len(await stored_events()) == 20_000


async def test_events_for_companies_not_connected_are_not_kept(user: User, caplog: pytest.LogCaptureFixture) -> None:
    await connect_company()
    await connect_company('4620816365000000', status='disconnected')
    body = json.dumps({'eventNotifications': [
        {'realmId': REALM, 'dataChangeEvent': {'entities': [entity('1')]}},
        {'realmId': '4620816365000000', 'dataChangeEvent': {'entities': [entity('2')]}},
        {'realmId': '1234', 'dataChangeEvent': {'entities': [entity('3')]}}]}).encode()
    assert (await user.http_client.post(URL, content=body, headers=signed(body))).status_code == 200
    assert [(e.realm_id, e.entity_qbo_id) for e in await stored_events()] == [(REALM, '1')]
    assert 'not connected here' in caplog.text


async def test_long_entity_ids_are_refused_never_truncated_into_collisions(user: User) -> None:
    await connect_company()
    prefix = '9' * 32
    body = legacy(entity(prefix + '1'), entity(prefix + '2'), entity('7'))
    assert (await user.http_client.post(URL, content=body, headers=signed(body))).status_code == 200
    assert [e.entity_qbo_id for e in await stored_events()] == ['7']
    assert len(parse_delivery(body).rejected) == 2


async def test_processed_events_are_pruned_after_the_retention(user: User) -> None:
    await connect_company()
    body = legacy(entity('1'), entity('2'), entity('3'))
    await user.http_client.post(URL, content=body, headers=signed(body))
    inbox, now = app.state.services.webhooks, app.state.services.webhooks._now()
    async with app.state.services.db.session() as session:
        first, second, third = await stored_events()
        first.processed_at = now - PROCESSED_RETENTION - timedelta(minutes=1)  # processed long ago: goes
        second.processed_at = now - timedelta(hours=1)  # processed recently: stays
        third.received_at = now - UNPROCESSED_RETENTION - timedelta(minutes=1)  # never processed, stale: goes
        session.add_all([first, second, third])
        await session.commit()
    assert await inbox.prune() == 2
    assert [e.entity_qbo_id for e in await stored_events()] == ['2']
