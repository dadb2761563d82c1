"""Problems owners and admins must hear about: records QuickBooks refused, and a connection that needs reconnecting.

Each problem is derived from the database (failed links not yet dismissed; the connection's status), never from a
counter: ``refresh`` opens a Notification when a problem appears and resolves it by itself once it is dealt with
(the records retried or dismissed, QuickBooks reconnected). While it is open every owner and admin sees a banner;
``send_emails`` mails it once (the claim on ``emailed_at`` is written before the email leaves, so a crash or a
second process can never send it twice; a refused email gives the claim back, up to ``MAX_EMAIL_ATTEMPTS``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from html import escape

from sqlalchemy import and_, exists, func, select, update
from sqlmodel import col

from ..mail import Email, MailError
from ..models import (ConnectionStatus, EntityLink, LinkStatus, Notification, NotificationKind, QuickBooksConnection,
                      Role, SyncLogEntry, User)
from .mailing import MailingService

__all__ = ['NotificationService', 'Banner', 'MAX_EMAIL_ATTEMPTS', 'SYNC_LOG_PATH', 'OVERVIEW_PATH']

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 3
SYNC_LOG_PATH = '/settings/integrations/quickbooks/log'
OVERVIEW_PATH = '/settings/integrations/quickbooks/overview'


@dataclass(frozen=True)
class Banner:
    id: int
    kind: str
    title: str
    message: str
    link: str


@dataclass(frozen=True)
class _Problem:
    key: str
    kind: str
    realm_id: str
    title: str
    message: str
    link: str


class NotificationService(MailingService):

    async def refresh(self) -> list[Notification]:
        """Open notifications for new problems, update the open ones, resolve what was dealt with; the new ones."""
        problems = {problem.key: problem for problem in await self._problems()}
        opened: list[Notification] = []
        now = self._now()
        async with self._db.session() as session:
            open_rows = (await session.exec(select(Notification).where(col(Notification.resolved_at).is_(None)))) \
                .scalars().all()
            for row in open_rows:
                problem = problems.pop(row.key, None)
                if problem is None:
                    row.resolved_at = now
                elif (row.title, row.message) != (problem.title, problem.message):
                    row.title, row.message, row.updated_at = problem.title, problem.message, now
                session.add(row)
            for problem in problems.values():
                row = Notification(key=problem.key, kind=problem.kind, realm_id=problem.realm_id, title=problem.title,
                                   message=problem.message, link=problem.link, opened_at=now, updated_at=now)
                session.add(row)
                opened.append(row)
            await session.commit()
        return opened

    async def banners(self, user: User) -> list[Banner]:
        """What ``user`` sees on top of every page: the open problems, for owners and admins only."""
        if not user.active or user.role not in Role.MANAGERS:
            return []
        await self.refresh()
        async with self._db.session() as session:
            rows = (await session.exec(select(Notification).where(col(Notification.resolved_at).is_(None))
                                       .order_by(col(Notification.opened_at)))).scalars().all()
        return [Banner(row.id, row.kind, row.title, row.message, row.link) for row in rows]  # type: ignore[arg-type]

    async def send_emails(self) -> int:
        """Email every open, not yet emailed notification to the active owners and admins; how many went out."""
        if not self._mailer.configured:
            return 0
        async with self._db.session() as session:
            recipients = tuple((await session.exec(
                select(User.email).where(col(User.active), col(User.role).in_(Role.MANAGERS)).order_by(User.id)
            )).scalars().all())
            pending = (await session.exec(select(Notification).where(
                col(Notification.resolved_at).is_(None), col(Notification.emailed_at).is_(None),
                col(Notification.email_attempts) < MAX_EMAIL_ATTEMPTS))).scalars().all()
        if not recipients:
            return 0
        sent = 0
        for row in pending:
            if not await self._claim(row.id):  # type: ignore[arg-type]
                continue
            try:
                await self._mailer.send(self._email(row, recipients))
            except MailError as error:
                await self._release(row.id, str(error))  # type: ignore[arg-type]
                continue
            sent += 1
        return sent

    async def run(self) -> None:
        """The scheduler's job (and what runs after each sync run): refresh, then send what is new."""
        await self.refresh()
        await self.send_emails()

    async def _claim(self, notification_id: int) -> bool:
        async with self._db.session() as session:
            result = await session.exec(update(Notification).where(
                Notification.id == notification_id, col(Notification.emailed_at).is_(None)
            ).values(emailed_at=self._now(), email_attempts=Notification.email_attempts + 1))
            await session.commit()
        return (result.rowcount or 0) == 1

    async def _release(self, notification_id: int, reason: str) -> None:
        async with self._db.session() as session:
            await session.exec(update(Notification).where(Notification.id == notification_id)
                               .values(emailed_at=None, email_error=reason[:500]))
            await session.commit()

    def _email(self, row: Notification, recipients: tuple[str, ...]) -> Email:
        url = f'{self._public_url}{row.link}'
        text = f'{row.message}\n\nDeal with it here: {url}\n\n-- qbsync\n'
        html = (f'<p>{escape(row.message)}</p><p><a href="{escape(url, quote=True)}">Open qbsync</a></p>'
                '<p style="color:#777">qbsync</p>')
        return Email(to=recipients, subject=f'qbsync: {row.title}', text=text, html=html)

    async def _problems(self) -> list[_Problem]:
        async with self._db.session() as session:
            connection = (await session.exec(
                select(QuickBooksConnection).where(col(QuickBooksConnection.status).in_(
                    (ConnectionStatus.CONNECTED, ConnectionStatus.NEEDS_RECONNECT)))
                .order_by(col(QuickBooksConnection.connected_at).desc()).limit(1))).scalars().first()
            if connection is None:
                return []
            realm_id, name = connection.realm_id, connection.company_name or connection.realm_id
            problems = []
            if connection.status == ConnectionStatus.NEEDS_RECONNECT:
                problems.append(_Problem(
                    f'{NotificationKind.RECONNECT}:{realm_id}', NotificationKind.RECONNECT, realm_id,
                    'QuickBooks needs to be reconnected',
                    f'qbsync can no longer reach {name}: {connection.last_error or "QuickBooks refused the access"} '
                    'Nothing syncs until an owner or admin reconnects on the Overview tab.', OVERVIEW_PATH))
            failed = await _open_failures(session, realm_id)
            if failed:
                problems.append(_Problem(
                    f'{NotificationKind.SYNC_FAILURES}:{realm_id}', NotificationKind.SYNC_FAILURES, realm_id,
                    f'{failed} record{"s" if failed != 1 else ""} did not sync to QuickBooks',
                    f'QuickBooks refused {failed} record{"s" if failed != 1 else ""} of {name}. The Sync Log explains '
                    'each one and how to fix it; retry or dismiss them there.', SYNC_LOG_PATH))
        return problems


async def _open_failures(session, realm_id: str) -> int:  # type: ignore[no-untyped-def]
    """Failed links of the company whose failure nobody dismissed since the link last changed."""
    dismissed = exists().where(and_(SyncLogEntry.entity_type == EntityLink.entity_type,
                                    SyncLogEntry.local_id == EntityLink.local_id, SyncLogEntry.realm_id == realm_id,
                                    col(SyncLogEntry.dismissed_at) >= EntityLink.updated_at))
    statement = select(func.count()).select_from(EntityLink).where(
        EntityLink.realm_id == realm_id, EntityLink.status == LinkStatus.FAILED, ~dismissed)
    return int((await session.exec(statement)).scalar_one())
