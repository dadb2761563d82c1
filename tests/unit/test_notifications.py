"""Banners and emails for problems: failed records and a connection that needs reconnecting, once per problem."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from center_db import database  # noqa: F401 (fixture)
from qbsync.mail import Mailer
from qbsync.models import (ConnectionStatus, EntityLink, LinkStatus, Notification, QuickBooksConnection, Role,
                           SyncLogEntry, User)
from qbsync.services.notifications import MAX_EMAIL_ATTEMPTS, NotificationService
from qbsync.settings import SmtpSettings
from smtp_support import free_port, parts

REALM = '4620816365000001'
NOW = datetime(2026, 5, 4, 9, 30, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def _setup(db) -> dict[str, User]:  # type: ignore[no-untyped-def]
    users = {role: User(email=f'{role}@example.com', password_hash='-', role=role) for role in Role.ALL}
    async with db.session() as session:
        session.add_all(users.values())
        session.add(QuickBooksConnection(realm_id=REALM, company_name='Acme Books', connected_at=NOW))
        await session.commit()
        for user in users.values():
            await session.refresh(user)
    return users


async def _fail(db, local_id: int, at: datetime) -> int:  # type: ignore[no-untyped-def]
    """A failed link and its log entry, as a run leaves them; the entry id."""
    async with db.session() as session:
        link = await session.get(EntityLink, local_id) or EntityLink(id=local_id, realm_id=REALM,
                                                                     entity_type='invoice', local_id=local_id)
        link.status, link.updated_at = LinkStatus.FAILED, at
        entry = SyncLogEntry(realm_id=REALM, at=at, level='error', entity_type='invoice', local_id=local_id,
                             action='create', message='Duplicate Document Number Error')
        session.add_all([link, entry])
        await session.commit()
        return entry.id  # type: ignore[return-value]


async def test_failures_open_one_banner_and_one_email_until_dealt_with(database, smtp_server) -> None:  # noqa: F811
    users = await _setup(database)
    clock = Clock()
    service = NotificationService(database, Mailer(smtp_server.settings), public_url='https://books.example.com/',
                                  now=clock)
    assert await service.banners(users['owner']) == []
    entry_id = await _fail(database, 1, NOW)
    await _fail(database, 2, NOW)

    await service.run()
    (banner,) = await service.banners(users['admin'])
    assert banner.title == '2 records did not sync to QuickBooks' and banner.link.endswith('/log')
    assert await service.banners(users['viewer']) == []  # viewers are not asked to act
    (message,) = smtp_server.messages
    assert sorted(smtp_server.envelopes[0][1]) == ['admin@example.com', 'owner@example.com']
    assert message['Subject'] == 'qbsync: 2 records did not sync to QuickBooks'
    body = parts(message)
    assert 'https://books.example.com/settings/integrations/quickbooks/log' in body['text/plain']
    assert 'href="https://books.example.com/settings/integrations/quickbooks/log"' in body['text/html']

    await service.run()  # the next run finds the same problem: no second email
    await service.run()
    assert len(smtp_server.messages) == 1

    clock.now = NOW + timedelta(minutes=5)
    await _dismiss(database, entry_id, clock.now)
    (banner,) = await service.banners(users['owner'])
    assert banner.title == '1 record did not sync to QuickBooks'  # same problem, updated; still no new email
    await service.run()
    assert len(smtp_server.messages) == 1
    await _resolve_link(database, 2)
    assert await service.banners(users['owner']) == []

    clock.now = NOW + timedelta(hours=1)
    await _fail(database, 1, clock.now)  # failed again after the dismissal: a new problem, a new email
    await service.run()
    assert len(smtp_server.messages) == 2
    assert [b.title for b in await service.banners(users['owner'])] == ['1 record did not sync to QuickBooks']


async def test_reconnect_needed_until_reconnected(database, smtp_server) -> None:  # noqa: F811
    users = await _setup(database)
    service = NotificationService(database, Mailer(smtp_server.settings), public_url='http://localhost:8000')
    await _set_status(database, ConnectionStatus.NEEDS_RECONNECT, 'QuickBooks refused the refresh token.')
    await service.run()
    (banner,) = await service.banners(users['owner'])
    assert banner.kind == 'reconnect' and 'refused the refresh token' in banner.message
    assert smtp_server.messages[0]['Subject'] == 'qbsync: QuickBooks needs to be reconnected'
    await _set_status(database, ConnectionStatus.CONNECTED, '')
    assert await service.banners(users['owner']) == []
    await service.run()
    assert len(smtp_server.messages) == 1


async def test_a_refused_email_is_tried_again_a_few_times_then_left(database) -> None:  # noqa: F811
    await _setup(database)
    nobody = SmtpSettings(host='127.0.0.1', port=free_port(), sender='qbsync@example.com', security='none')
    service = NotificationService(database, Mailer(nobody), public_url='http://localhost:8000')
    await _fail(database, 1, NOW)
    for _ in range(MAX_EMAIL_ATTEMPTS + 2):
        await service.run()
    async with database.session() as session:
        (row,) = (await session.exec(Notification.__table__.select())).all()  # type: ignore[attr-defined]
    assert row.email_attempts == MAX_EMAIL_ATTEMPTS and row.emailed_at is None
    assert '127.0.0.1' in row.email_error and row.resolved_at is None  # the banner stays all the same


async def test_without_smtp_only_banners(database) -> None:  # noqa: F811
    users = await _setup(database)
    service = NotificationService(database, Mailer(None), public_url='http://localhost:8000')
    await _fail(database, 1, NOW)
    await service.run()
    assert len(await service.banners(users['owner'])) == 1


async def _dismiss(db, entry_id: int, at: datetime) -> None:  # type: ignore[no-untyped-def]
    async with db.session() as session:
        entry = await session.get(SyncLogEntry, entry_id)
        entry.dismissed_at = at
        session.add(entry)
        await session.commit()


async def _resolve_link(db, link_id: int) -> None:  # type: ignore[no-untyped-def]
    async with db.session() as session:
        link = await session.get(EntityLink, link_id)
        link.status = LinkStatus.SYNCED
        session.add(link)
        await session.commit()


async def _set_status(db, status: str, error: str) -> None:  # type: ignore[no-untyped-def]
    async with db.session() as session:
        row = (await session.exec(QuickBooksConnection.__table__.select())).first()  # type: ignore[attr-defined]
        connection = await session.get(QuickBooksConnection, row.id)
        connection.status, connection.last_error = status, error
        session.add(connection)
        await session.commit()
