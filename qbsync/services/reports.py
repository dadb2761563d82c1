"""Scheduled sync reports: each owner or admin may ask for a daily or weekly email about the sync.

Periods are whole UTC days (daily: yesterday) or weeks (weekly: Monday to Monday). ``send_due`` (an hourly job, and
once at start-up, so a period that ended while the app was down still goes out) claims a recipient's period in the
database before the email leaves (``last_period_end`` moves forward only, conditionally), so two processes or a
restart can never send the same period twice; a refused email gives the claim back for the next hour.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_, select, update
from sqlmodel import col

from ..mail import MailError
from ..models import (QuickBooksConnection, ReportFrequency, ReportSubscription, Role, SyncLogEntry, SyncRun, User)
from .errors import PermissionDenied, ValidationError
from .mailing import MailingService
from .permissions import require_manager
from .report_content import FailureLine, SyncReport, render_report

__all__ = ['ReportService', 'period_for']

log = logging.getLogger(__name__)
MAX_FAILURES_LISTED = 50
SYNCED_OUTCOMES = ('created', 'updated', 'linked')  # of a run's per-entity counts (qbsync.sync.context.OUTCOMES)
PERIOD_DAYS = {ReportFrequency.DAILY: 1, ReportFrequency.WEEKLY: 7}


def period_for(frequency: str, now: datetime) -> tuple[datetime, datetime]:
    """The last complete period before ``now``: (start, end), end exclusive, in UTC."""
    midnight = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if frequency == ReportFrequency.DAILY:
        return midnight - timedelta(days=1), midnight
    if frequency == ReportFrequency.WEEKLY:
        monday = midnight - timedelta(days=midnight.weekday())
        return monday - timedelta(days=7), monday
    raise ValueError(f'unknown report frequency {frequency!r}')


class ReportService(MailingService):
    _record_path: Callable[[str, int], str] | None = None

    def link_records(self, record_path: Callable[[str, int], str]) -> None:
        """How a record's page is addressed (the pages own their URLs); reports link failures to them."""
        self._record_path = record_path

    async def frequency(self, user: User) -> str | None:
        async with self._db.session() as session:
            row = await session.get(ReportSubscription, user.id)
        return row.frequency if row else None

    async def subscribe(self, frequency: str | None, *, acting: User) -> None:
        """Choose ``acting``'s own report: 'daily', 'weekly' or None (no report). The first one covers the next
        complete period, not one that ended before the choice."""
        require_manager(acting, 'receive sync reports')
        if frequency is not None and frequency not in ReportFrequency.ALL:
            raise ValidationError({'frequency': 'Choose daily, weekly or no report.'})
        async with self._db.session() as session:
            row = await session.get(ReportSubscription, acting.id)
            if frequency is None:
                if row is not None:
                    await session.delete(row)
            elif row is None or row.frequency != frequency:
                row = row or ReportSubscription(user_id=acting.id, frequency=frequency)  # type: ignore[arg-type]
                row.frequency = frequency
                row.last_period_end = period_for(frequency, self._now())[1]
                row.updated_at = self._now()
                session.add(row)
            await session.commit()

    async def send_due(self) -> int:
        """Send every recipient the report of their last complete period, unless it went out already."""
        if not self._mailer.configured:
            return 0
        async with self._db.session() as session:
            due = (await session.exec(select(ReportSubscription, User).join(User, User.id == ReportSubscription.user_id)
                                      .where(col(User.active), col(User.role).in_(Role.MANAGERS)))).all()
        sent = 0
        for subscription, user in due:
            start, end = period_for(subscription.frequency, self._now())
            previous = subscription.last_period_end
            if previous is not None and previous >= end:
                continue
            if not await self._claim(subscription.user_id, end):
                continue
            try:
                await self._send(user.email, subscription.frequency, start, end)
            except MailError:
                await self._release(subscription.user_id, end, previous)
                continue
            sent += 1
        return sent

    async def send_test(self, *, acting: User) -> str:
        """'Send a test report': the report of the period that ends now, to ``acting`` only; the address used."""
        require_manager(acting, 'send a test report')
        if not self._mailer.configured:
            raise PermissionDenied('Email is not set up: set QBSYNC_SMTP_HOST and QBSYNC_SMTP_FROM and restart.')
        frequency = await self.frequency(acting) or ReportFrequency.DAILY
        end = self._now()
        await self._send(acting.email, frequency, end - timedelta(days=PERIOD_DAYS[frequency]), end, test=True)
        return acting.email

    async def build(self, frequency: str, start: datetime, end: datetime) -> SyncReport:
        """The report's figures for [start, end) of the active company (also for the company of no connection)."""
        async with self._db.session() as session:
            connection = (await session.exec(select(QuickBooksConnection)
                                             .order_by(col(QuickBooksConnection.connected_at).desc()).limit(1))) \
                .scalars().first()
            realm = connection.realm_id if connection else ''
            in_period = (col(SyncLogEntry.realm_id).in_((realm, '')), col(SyncLogEntry.at) >= start,
                         col(SyncLogEntry.at) < end)
            period_runs = (await session.exec(select(SyncRun.status, SyncRun.entity_counts).where(
                SyncRun.realm_id == realm, col(SyncRun.started_at) >= start, col(SyncRun.started_at) < end))).all()
            runs: dict[str, int] = {}
            synced: dict[str, int] = {}
            for status, counts in period_runs:
                runs[status] = runs.get(status, 0) + 1
                for entity_type, tally in json.loads(counts or '{}').items():
                    done = sum(int(tally.get(outcome, 0)) for outcome in SYNCED_OUTCOMES)
                    synced[entity_type] = synced.get(entity_type, 0) + done
            failure_filter = (*in_period, col(SyncLogEntry.local_id).is_not(None),
                              or_(SyncLogEntry.status == 'failed', SyncLogEntry.level == 'error'))
            failures_total = int((await session.exec(select(func.count()).where(*failure_filter))).scalar_one())
            failures = (await session.exec(select(SyncLogEntry).where(*failure_filter)
                                           .order_by(col(SyncLogEntry.at).desc()).limit(MAX_FAILURES_LISTED))) \
                .scalars().all()
        return SyncReport(
            frequency=frequency, start=start, end=end,
            company=(connection.company_name or connection.realm_id) if connection else '',
            connection_status=connection.status if connection else 'disconnected',
            connection_error=connection.last_error if connection else '',
            refresh_token_expires_at=connection.refresh_token_expires_at if connection else None,
            runs=runs, synced={name: count for name, count in synced.items() if count}, failures_total=failures_total,
            failures=[FailureLine(e.at, e.entity_type, e.local_id or 0, e.message, self._url(e.entity_type, e.local_id))
                      for e in failures],
            log_url=f'{self._public_url}/settings/integrations/quickbooks/log')

    async def _send(self, address: str, frequency: str, start: datetime, end: datetime, *, test: bool = False) -> None:
        report = await self.build(frequency, start, end)
        await self._mailer.send(render_report(report, to=address, test=test))

    def _url(self, entity_type: str, local_id: int | None) -> str:
        if self._record_path is None or local_id is None:
            return ''
        return f'{self._public_url}{self._record_path(entity_type, local_id)}'

    async def _claim(self, user_id: int, end: datetime) -> bool:
        async with self._db.session() as session:
            result = await session.exec(update(ReportSubscription).where(
                ReportSubscription.user_id == user_id,
                or_(col(ReportSubscription.last_period_end).is_(None), col(ReportSubscription.last_period_end) < end),
            ).values(last_period_end=end))
            await session.commit()
        return (result.rowcount or 0) == 1

    async def _release(self, user_id: int, end: datetime, previous: datetime | None) -> None:
        async with self._db.session() as session:
            await session.exec(update(ReportSubscription).where(
                ReportSubscription.user_id == user_id, ReportSubscription.last_period_end == end,
            ).values(last_period_end=previous))
            await session.commit()
