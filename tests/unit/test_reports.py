"""Scheduled sync reports: daily and weekly per recipient, HTML and text, test report, never the same period twice."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from center_db import database  # noqa: F401 (fixture)
from qbsync.mail import Mailer
from qbsync.models import QuickBooksConnection, Role, SyncLogEntry, SyncRun, User
from qbsync.services.errors import PermissionDenied
from qbsync.services.reports import ReportService, period_for
from qbsync.settings import SmtpSettings
from smtp_support import free_port, parts

REALM = '4620816365000001'
WEDNESDAY = datetime(2026, 5, 6, 14, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_periods_are_whole_utc_days_and_weeks() -> None:
    assert period_for('daily', WEDNESDAY) == (datetime(2026, 5, 5, tzinfo=timezone.utc),
                                              datetime(2026, 5, 6, tzinfo=timezone.utc))
    assert period_for('weekly', WEDNESDAY) == (datetime(2026, 4, 27, tzinfo=timezone.utc),
                                               datetime(2026, 5, 4, tzinfo=timezone.utc))
    with pytest.raises(ValueError):
        period_for('hourly', WEDNESDAY)


async def _users(db) -> dict[str, User]:  # type: ignore[no-untyped-def]
    users = {role: User(email=f'{role}@example.com', password_hash='-', role=role) for role in Role.ALL}
    async with db.session() as session:
        session.add_all(users.values())
        session.add(QuickBooksConnection(realm_id=REALM, company_name='Acme <Books>', connected_at=WEDNESDAY,
                                         refresh_token_expires_at=WEDNESDAY + timedelta(days=90)))
        await session.commit()
        for user in users.values():
            await session.refresh(user)
    return users


async def _activity(db, day: datetime) -> None:  # type: ignore[no-untyped-def]
    """One run on ``day``: two invoices and a customer sent, one invoice refused."""
    async with db.session() as session:
        run = SyncRun(realm_id=REALM, trigger='scheduled', started_at=day, finished_at=day, status='partial',
                      entity_counts='{"customer": {"linked": 1}, "invoice": {"created": 1, "updated": 1, "failed": 1},'
                                    ' "item": {"skipped": 2}}')
        session.add(run)
        await session.flush()
        for n, (kind, level, message) in enumerate([('invoice', 'info', 'Sent'), ('invoice', 'info', 'Sent'),
                                                    ('customer', 'info', 'Sent'),
                                                    ('invoice', 'error', 'Duplicate <Document> Number')]):
            session.add(SyncLogEntry(run_id=run.id, realm_id=REALM, at=day + timedelta(seconds=n), level=level,
                                     entity_type=kind, local_id=10 + n, action='create', message=message,
                                     status='failed' if level == 'error' else 'synced', direction='outbound'))
        await session.commit()


def _service(db, smtp, clock) -> ReportService:  # type: ignore[no-untyped-def]
    service = ReportService(db, Mailer(smtp.settings), public_url='https://books.example.com', now=clock)
    service.link_records(lambda entity_type, local_id: f'/{entity_type}s/{local_id}')
    return service


async def test_daily_report_once_per_day_and_after_a_restart(database, smtp_server) -> None:  # noqa: F811
    users = await _users(database)
    clock = Clock(WEDNESDAY)
    service = _service(database, smtp_server, clock)
    await service.subscribe('daily', acting=users['admin'])
    assert await service.frequency(users['admin']) == 'daily'
    assert await service.send_due() == 0  # the first report covers the next whole day, not yesterday
    await _activity(database, datetime(2026, 5, 6, 9, tzinfo=timezone.utc))

    clock.now = datetime(2026, 5, 7, 0, 30, tzinfo=timezone.utc)
    assert await service.send_due() == 1
    assert await service.send_due() == 0
    assert await _service(database, smtp_server, clock).send_due() == 0  # a restart: still not twice
    (message,) = smtp_server.messages
    assert smtp_server.envelopes[0][1] == ['admin@example.com']
    assert message['Subject'] == 'qbsync daily sync report, 2026-05-06: 1 failed'
    body = parts(message)
    text, html = body['text/plain'], body['text/html']
    assert 'Sync report for Acme <Books>, 2026-05-06 (UTC)' in text
    assert 'Runs: 1 (1 partial)' in text and '  Invoices: 2' in text and '  Customers: 1' in text
    assert 'Invoice #13: Duplicate <Document> Number' in text and 'https://books.example.com/invoices/13' in text
    assert 'Connection: Connected (refresh token valid until 2026-08-04)' in text
    assert 'Acme &lt;Books&gt;' in html and 'Duplicate &lt;Document&gt; Number' in html  # escaped
    assert '<a href="https://books.example.com/invoices/13">Invoice #13</a>' in html

    clock.now = datetime(2026, 5, 8, 1, 0, tzinfo=timezone.utc)
    assert await service.send_due() == 1
    assert 'Failures: 0' in parts(smtp_server.messages[1])['text/plain']


async def test_weekly_report_and_per_recipient_choice(database, smtp_server) -> None:  # noqa: F811
    users = await _users(database)
    clock = Clock(WEDNESDAY)
    service = _service(database, smtp_server, clock)
    await service.subscribe('weekly', acting=users['owner'])
    await service.subscribe('daily', acting=users['admin'])
    await service.subscribe(None, acting=users['admin'])  # changed their mind
    await _activity(database, datetime(2026, 5, 7, 9, tzinfo=timezone.utc))
    clock.now = datetime(2026, 5, 9, tzinfo=timezone.utc)
    assert await service.send_due() == 0  # the week has not ended
    clock.now = datetime(2026, 5, 11, 2, tzinfo=timezone.utc)
    assert await service.send_due() == 1
    assert await service.send_due() == 0
    (message,) = smtp_server.messages
    assert smtp_server.envelopes[0][1] == ['owner@example.com']
    assert message['Subject'] == 'qbsync weekly sync report, 2026-05-04 to 2026-05-10: 1 failed'
    with pytest.raises(PermissionDenied):
        await service.subscribe('daily', acting=users['viewer'])


async def test_a_refused_report_is_sent_at_the_next_try(database, smtp_server) -> None:  # noqa: F811
    users = await _users(database)
    clock = Clock(WEDNESDAY)
    service = _service(database, smtp_server, clock)
    await service.subscribe('daily', acting=users['owner'])
    clock.now += timedelta(days=1)
    nobody = SmtpSettings(host='127.0.0.1', port=free_port(), sender='qbsync@example.com', security='none')
    broken = ReportService(database, Mailer(nobody), public_url='http://x', now=clock)
    assert await broken.send_due() == 0  # refused: the period is given back
    assert await service.send_due() == 1
    assert len(smtp_server.messages) == 1


async def test_send_a_test_report_now(database, smtp_server) -> None:  # noqa: F811
    users = await _users(database)
    clock = Clock(WEDNESDAY)
    service = _service(database, smtp_server, clock)
    await _activity(database, WEDNESDAY - timedelta(hours=2))
    assert await service.send_test(acting=users['admin']) == 'admin@example.com'
    (message,) = smtp_server.messages
    assert message['Subject'].startswith('[Test] qbsync daily sync report, 2026-05-05 to 2026-05-06')
    assert '  Invoices: 2' in parts(message)['text/plain']
    with pytest.raises(PermissionDenied):
        await service.send_test(acting=users['viewer'])
    with pytest.raises(PermissionDenied, match='QBSYNC_SMTP_HOST'):
        await ReportService(database, Mailer(None), public_url='http://x').send_test(acting=users['admin'])
