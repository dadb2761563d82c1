"""Keeping a company's OAuth tokens alive: refresh before expiry and after a 401, one refresh at a time per company.

Intuit rotates refresh tokens and kills the previous one 24 hours after a newer one is issued, so the newest one
must never be lost: every refresh is done under a per-realm lock, and its result is encrypted and committed before
the new access token is handed to anyone. ``invalid_grant`` marks the connection NEEDS_RECONNECT (with a log entry):
only the user can fix that, by reconnecting.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Callable

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db import Database
from ..models import ConnectionStatus, QuickBooksConnection, SyncLogEntry
from ..quickbooks.errors import NotConnectedError, ReconnectRequired
from ..quickbooks.oauth import IntuitOAuth, TokenSet
from ..security import TokenCipher, TokenDecryptionError

__all__ = ['TokenKeeper', 'RealmTokens', 'REFRESH_MARGIN']

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)  # refresh when the access token has less than this left


class TokenKeeper:
    def __init__(self, db: Database, cipher: TokenCipher, oauth: IntuitOAuth, *, now: Callable[[], datetime],
                 margin: timedelta = REFRESH_MARGIN) -> None:
        self._db = db
        self._cipher = cipher
        self._oauth = oauth
        self._now = now
        self._margin = margin
        self._locks: dict[str, asyncio.Lock] = {}
        self.refresh_count = 0  # refreshes done by this process (health figures, tests)

    def lock(self, realm_id: str) -> asyncio.Lock:
        """The one lock that serialises refresh, disconnect and switch for a company."""
        return self._locks.setdefault(realm_id, asyncio.Lock())

    def source(self, realm_id: str) -> RealmTokens:
        return RealmTokens(self, realm_id)

    def seal(self, row: QuickBooksConnection, tokens: TokenSet) -> None:
        """Put ``tokens`` on the row: encrypted JSON plus the (non-secret) expiry instants the UI shows."""
        row.encrypted_tokens = self._cipher.encrypt(tokens.to_json())
        row.access_token_expires_at = tokens.access_expires_at
        row.refresh_token_expires_at = tokens.refresh_expires_at
        row.refresh_token_hard_expires_at = tokens.refresh_hard_expires_at

    def unseal(self, row: QuickBooksConnection) -> TokenSet:
        """The stored tokens; a key that was removed from QUICKBOOKS_TOKEN_ENCRYPTION_KEY makes them unusable."""
        try:
            return TokenSet.from_json(self._cipher.decrypt(row.encrypted_tokens))
        except TokenDecryptionError:
            log.error('the stored QuickBooks tokens of company %s cannot be decrypted with the configured keys',
                      row.realm_id)
            raise ReconnectRequired('undecryptable_tokens', 'The stored QuickBooks tokens cannot be decrypted with '
                                    'QUICKBOOKS_TOKEN_ENCRYPTION_KEY: list the previous key after the new one, or '
                                    'reconnect.') from None

    @staticmethod
    def clear(row: QuickBooksConnection) -> None:
        row.encrypted_tokens = ''
        row.access_token_expires_at = row.refresh_token_expires_at = row.refresh_token_hard_expires_at = None

    async def access_token(self, realm_id: str) -> str:
        tokens = await self._stored(realm_id)
        if not tokens.access_expires_within(self._margin, self._now()):
            return tokens.access_token
        async with self.lock(realm_id):
            tokens = await self._stored(realm_id)  # another caller may have refreshed while we waited
            if tokens.access_expires_within(self._margin, self._now()):
                tokens = await self._refresh_locked(realm_id, tokens)
            return tokens.access_token

    async def renew(self, realm_id: str, rejected: str) -> str:
        """After a 401 for ``rejected``: refresh, unless the stored token is already a newer one."""
        async with self.lock(realm_id):
            tokens = await self._stored(realm_id)
            if tokens.access_token != rejected:
                return tokens.access_token
            return (await self._refresh_locked(realm_id, tokens)).access_token

    async def refresh_if_idle(self, realm_id: str, max_idle: timedelta) -> bool:
        """Refresh when the last refresh (or the connect) is older than ``max_idle``; True if it refreshed."""
        async with self.lock(realm_id):
            async with self._db.session() as session:
                row = await _row(session, realm_id)
            if row is None or row.status != ConnectionStatus.CONNECTED or not row.encrypted_tokens:
                return False
            if (row.last_refreshed_at or row.connected_at) > self._now() - max_idle:
                return False
            await self._refresh_locked(realm_id, self.unseal(row))
            return True

    async def _stored(self, realm_id: str) -> TokenSet:
        async with self._db.session() as session:
            row = await _row(session, realm_id)
        if row is not None and row.status == ConnectionStatus.NEEDS_RECONNECT:
            raise ReconnectRequired('invalid_grant', row.last_error or 'QuickBooks needs to be reconnected')
        if row is None or row.status != ConnectionStatus.CONNECTED or not row.encrypted_tokens:
            raise NotConnectedError(f'QuickBooks company {realm_id} is not connected')
        return self.unseal(row)

    async def _refresh_locked(self, realm_id: str, tokens: TokenSet) -> TokenSet:
        try:
            fresh = await self._oauth.refresh(tokens.refresh_token)
        except ReconnectRequired as error:
            await self._mark_needs_reconnect(realm_id, error)
            raise
        self.refresh_count += 1
        async with self._db.session() as session:  # committed before the new access token is used anywhere
            row = await _row(session, realm_id)
            if row is None:
                raise NotConnectedError(f'QuickBooks company {realm_id} was removed during a token refresh')
            self.seal(row, fresh)
            row.last_refreshed_at = row.updated_at = self._now()
            row.last_error = ''
            session.add(row)
            await session.commit()
        return fresh

    async def _mark_needs_reconnect(self, realm_id: str, error: ReconnectRequired) -> None:
        reason = f'QuickBooks refused the refresh token ({error.description or error.error}); reconnect to continue.'
        log.warning('QuickBooks company %s needs to be reconnected: %s', realm_id, error.error)
        async with self._db.session() as session:
            row = await _row(session, realm_id)
            if row is not None:
                row.status = ConnectionStatus.NEEDS_RECONNECT
                row.last_error = reason[:2000]
                row.updated_at = self._now()
                self.clear(row)  # the grant is dead; nothing left worth keeping
                session.add(row)
            session.add(SyncLogEntry(realm_id=realm_id, at=self._now(), level='error', action='reconnect_required',
                                     message=reason[:2000]))
            await session.commit()


class RealmTokens:
    """The TokenSource a QuickBooksClient uses for one company."""

    def __init__(self, keeper: TokenKeeper, realm_id: str) -> None:
        self._keeper = keeper
        self.realm_id = realm_id

    async def access_token(self) -> str:
        return await self._keeper.access_token(self.realm_id)

    async def renew(self, rejected: str) -> str:
        return await self._keeper.renew(self.realm_id, rejected)


async def _row(session: AsyncSession, realm_id: str) -> QuickBooksConnection | None:
    return (await session.exec(select(QuickBooksConnection).where(QuickBooksConnection.realm_id == realm_id))).first()
