"""Accepted webhook bodies wait in a journal on disk until stored: framing, torn tails, sealing, replay at start, and
a database that fails for a while (issue 8, item 1: the answer never waits; nothing acknowledged is lost)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from data_support import db, db_url  # noqa: F401 (fixtures)
from sqlmodel import select

from qbsync.db import Database
from qbsync.models import QuickBooksConnection, WebhookEvent
from qbsync.services.webhook_inbox import WebhookInbox
from qbsync.services.webhook_journal import WebhookJournal


def body(*ids: int, realm: str = 'R1') -> bytes:
    return json.dumps({'eventNotifications': [{'realmId': realm, 'dataChangeEvent': {'entities': [
        {'name': 'Customer', 'id': str(n), 'operation': 'Update', 'lastUpdated': f'2026-11-02T09:00:{n:02d}Z'}
        for n in ids]}}]}).encode()


def test_appended_bodies_come_back_in_order_until_discarded(tmp_path: Path) -> None:
    journal = WebhookJournal(tmp_path)
    journal.append(b'one\nwith a newline')
    journal.append(b'')
    (first,) = journal.seal()
    journal.append(b'three')
    assert WebhookJournal(tmp_path).leftovers()[0].bodies == [b'one\nwith a newline', b'']
    (second,) = journal.seal()
    assert [s.bodies for s in WebhookJournal(tmp_path).leftovers()] == [[b'one\nwith a newline', b''], [b'three']]
    journal.discard(first)
    assert [s.path for s in WebhookJournal(tmp_path).leftovers()] == [second]
    assert journal.seal() == []  # nothing appended since


def test_a_record_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    journal = WebhookJournal(tmp_path)
    journal.append(b'kept')
    journal.append(b'cut short')
    (path,) = journal.seal()
    path.write_bytes(path.read_bytes()[:-3])  # the last write() never finished: its delivery was never answered
    assert WebhookJournal(tmp_path).leftovers()[0].bodies == [b'kept']
    damaged = bytearray(path.read_bytes())
    damaged[10] ^= 0xFF  # a flipped byte fails the record's CRC
    path.write_bytes(bytes(damaged))
    assert WebhookJournal(tmp_path).leftovers()[0].bodies == []


def test_new_segments_number_after_those_left_behind(tmp_path: Path) -> None:
    old = WebhookJournal(tmp_path)
    old.append(b'left behind')
    (left,) = old.seal()
    fresh = WebhookJournal(tmp_path)
    fresh.append(b'new')
    (new,) = fresh.seal()
    assert new.name > left.name and left.exists()


async def _connected(db: Database) -> None:
    async with db.session() as session:
        session.add(QuickBooksConnection(realm_id='R1', company_name='R1 Co'))
        await session.commit()


async def _stored(db: Database) -> list[str]:
    async with db.session() as session:
        return [e.entity_qbo_id for e in (await session.exec(select(WebhookEvent).order_by(WebhookEvent.id))).all()]


async def test_accepted_bodies_are_stored_and_their_segments_removed(db: Database, tmp_path: Path) -> None:
    await _connected(db)
    folder = tmp_path / 'webhooks'
    woken: list[int] = []
    inbox = WebhookInbox(db, folder, on_stored=lambda: woken.append(1))
    inbox.accept(body(1, 2))
    inbox.accept(body(2, 3))  # Intuit's retry overlaps the first delivery
    inbox.accept(b'{"not": "a delivery"')  # signed yet unreadable: acknowledged and dropped
    assert await inbox.drain()
    assert await _stored(db) == ['1', '2', '3'] and woken
    assert list(folder.iterdir()) == []


async def test_what_a_killed_process_accepted_is_stored_at_the_next_start(db: Database, tmp_path: Path) -> None:
    await _connected(db)
    folder = tmp_path / 'webhooks'
    journal = WebhookJournal(folder)  # as the killed process left it: accepted, answered, never stored
    journal.append(body(7))
    journal.append(body(8, realm='R2'))  # a company not connected here: read back, then not kept
    inbox = WebhookInbox(db, folder)
    inbox.start()
    assert await inbox.drain()
    assert await _stored(db) == ['7']
    assert list(folder.iterdir()) == []


async def test_a_failing_database_keeps_the_journal_and_is_tried_again(db: Database, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    await _connected(db)
    folder = tmp_path / 'webhooks'
    monkeypatch.setattr('qbsync.services.webhook_inbox.RETRY_FIRST', 0.01)
    inbox = WebhookInbox(db, folder)
    store, failures = inbox._store, [RuntimeError('database is locked')] * 2

    async def flaky(changes):  # type: ignore[no-untyped-def]
        if failures:
            raise failures.pop()
        return await store(changes)

    monkeypatch.setattr(inbox, '_store', flaky)
    inbox.accept(body(1))
    assert not await inbox.drain(timeout=0.001)  # still trying
    assert inbox.unstored == 1  # what /metrics shows (qbsync_webhook_deliveries_unstored)
    assert len(WebhookJournal(folder).leftovers()) == 1  # meanwhile on disk, for a restart
    inbox.accept(body(2))
    assert await inbox.drain(timeout=10)
    assert inbox.unstored == 0
    assert await _stored(db) == ['1', '2']
    assert list(folder.iterdir()) == []


async def test_a_delivery_that_cannot_be_kept_is_refused(db: Database, tmp_path: Path) -> None:
    blocked = tmp_path / 'webhooks'
    blocked.write_text('a file where the folder should be')
    with pytest.raises(OSError):
        WebhookInbox(db, blocked).accept(body(1))


async def test_a_stop_while_the_database_refuses_keeps_the_deliveries_for_the_next_start(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await _connected(db)
    folder = tmp_path / 'webhooks'
    monkeypatch.setattr('qbsync.services.webhook_inbox.RETRY_FIRST', 0.01)
    stopping = WebhookInbox(db, folder)

    async def refused(changes):  # type: ignore[no-untyped-def]
        raise RuntimeError('disk I/O error')

    monkeypatch.setattr(stopping, '_store', refused)
    stopping.accept(body(4))
    stopping.accept(body(5))
    await stopping.close(grace=0.05)  # the app stops: it does not wait for ever
    assert await _stored(db) == [] and stopping.unstored == 2
    restarted = WebhookInbox(db, folder)
    restarted.start()
    assert await restarted.drain(timeout=10)
    assert await _stored(db) == ['4', '5']
    assert list(folder.iterdir()) == []
