"""What makes a browser session valid, and the one-time login tickets that carry a login into a fresh session.

A session's server-side data (NiceGUI's per-browser user storage) holds ``user_id``, ``signed_in_at``,
``seen_at`` and ``credential`` (a fingerprint of the password hash at login). It is valid while

- the user is active (checked by the caller, which re-reads the user),
- it is younger than the absolute lifetime and was used within the idle timeout,
- the user's password is still the one it signed in with: changing or resetting a password ends every other
  session of that user without any table of sessions.

The login form runs over the websocket, which cannot set a cookie, so a successful login is handed to a plain
HTTP route by a ticket: single use, short-lived, and bound to the browser session that logged in. That route gives
the browser a new session id and new storage (``qbsync.web.sessions``), so a session id planted before the login
is worth nothing after it.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ..models import User

__all__ = ['SessionRules', 'LoginTicket', 'TICKET_LIFETIME']

TICKET_LIFETIME = timedelta(seconds=60)
_TOUCH_EVERY = timedelta(seconds=60)  # seen_at is written at most this often (it is a file write)
_MAX_TICKETS = 1000


@dataclass(frozen=True)
class LoginTicket:
    session_id: str
    user_id: int
    target: str
    expires_at: datetime


class SessionRules:
    def __init__(self, *, idle: timedelta, lifetime: timedelta,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.idle = idle
        self.lifetime = lifetime
        self._now = now
        self._tickets: dict[str, LoginTicket] = {}

    def start(self, user: User) -> dict[str, Any]:
        """The data a new session of ``user`` starts with."""
        now = self._now().timestamp()
        return {'user_id': user.id, 'signed_in_at': now, 'seen_at': now, 'credential': credential(user)}

    def valid(self, data: Mapping[str, Any], user: User) -> bool:
        """Whether session ``data`` still signs ``user`` in (see the module docstring)."""
        now = self._now().timestamp()
        signed_in, seen = data.get('signed_in_at'), data.get('seen_at')
        if not isinstance(signed_in, (int, float)) or not isinstance(seen, (int, float)):
            return False
        return (now - signed_in < self.lifetime.total_seconds() and now - seen < self.idle.total_seconds()
                and secrets.compare_digest(str(data.get('credential', '')), credential(user)))

    def touch(self, data: MutableMapping[str, Any]) -> None:
        """Record use of the session, for the idle timeout."""
        now = self._now().timestamp()
        if now - float(data.get('seen_at') or 0) >= _TOUCH_EVERY.total_seconds():
            data['seen_at'] = now

    def renew(self, data: MutableMapping[str, Any], user: User) -> None:
        """After the user changed their own password: this session stays valid, every other one ends."""
        data['credential'] = credential(user)

    def issue_ticket(self, session_id: str, user: User, target: str) -> str:
        """A single-use token that finishes ``user``'s login in the browser session ``session_id``."""
        now = self._now()
        for token in [t for t, ticket in self._tickets.items() if ticket.expires_at <= now]:
            del self._tickets[token]
        if len(self._tickets) >= _MAX_TICKETS:  # a flood of logins cannot grow this without bound
            self._tickets.pop(next(iter(self._tickets)))
        token = secrets.token_urlsafe(32)
        assert user.id is not None
        self._tickets[_digest(token)] = LoginTicket(session_id, user.id, target, now + TICKET_LIFETIME)
        return token

    def redeem_ticket(self, token: str, session_id: str | None) -> LoginTicket | None:
        """The ticket, once, if it is live and presented by the browser session it was issued to."""
        ticket = self._tickets.pop(_digest(token or ''), None)
        if ticket is None or ticket.expires_at <= self._now() or not session_id \
                or not secrets.compare_digest(ticket.session_id, session_id):
            return None
        return ticket


def credential(user: User) -> str:
    """A fingerprint of the user's password hash: it changes whenever the password does."""
    return hashlib.sha256(f'qbsync-session:{user.password_hash}'.encode()).hexdigest()[:32]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
