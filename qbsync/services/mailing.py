"""What the services that email owners and admins share: the database, the mailer, the app's public address, a clock."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from ..db import Database
from ..mail import Mailer

__all__ = ['MailingService']


class MailingService:
    def __init__(self, db: Database, mailer: Mailer, *, public_url: str,
                 now: Callable[[], datetime] | None = None) -> None:
        """:param public_url: where the links in the emails point (QBSYNC_PUBLIC_URL)
        :param now: the clock (UTC); injectable for tests"""
        self._db = db
        self._mailer = mailer
        self._public_url = public_url.rstrip('/')
        self._now = now or (lambda: datetime.now(timezone.utc))
