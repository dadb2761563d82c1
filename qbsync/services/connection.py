"""The QuickBooks connection: connect (OAuth with a single-use, session-bound state), keep tokens alive,
switch company only on the user's explicit choice, disconnect, and an API client for the connected company.

Tokens live only encrypted (``services.cipher``) in QuickBooksConnection.encrypted_tokens. Connecting a company
other than the one the existing links and mappings belong to parks the new grant as a *pending switch*: its tokens
wait encrypted on the new company's row (status ``pending_switch``) for at most 15 minutes, until the user confirms
(the old company is disconnected and revoked) or cancels (the new grant is revoked). Nothing is lost or left live
at Intuit without the app holding it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from typing import Callable, Sequence

import httpx
from sqlalchemy import func
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db import Database
from ..models import (AccountMapping, ConnectionStatus, EntityLink, OAuthState, QuickBooksConnection, Role,
                      SyncLogEntry, User)
from ..quickbooks.client import QuickBooksClient, TokenSource
from ..quickbooks.errors import AuthenticationError, NotConnectedError, OAuthError, QuickBooksError
from ..quickbooks.oauth import IntuitOAuth, OAuthApp, TokenSet, utcnow
from ..quickbooks.types import CompanyInfo, QboAccount
from ..security import TokenCipher, hash_oauth_state, new_oauth_state
from ..settings import Settings
from .connection_views import ConnectionView, ConnectOutcome, ConnectResult, PendingSwitch
from .errors import PermissionDenied
from .permissions import require_manager
from .quickbooks_tokens import TokenKeeper

__all__ = ['ConnectionService', 'STATE_LIFETIME', 'SWITCH_LIFETIME', 'PENDING_SWITCH', 'IDLE_REFRESH_AFTER']

log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)
SWITCH_LIFETIME = timedelta(minutes=15)
IDLE_REFRESH_AFTER = timedelta(hours=24)  # well inside Intuit's 100-day rolling refresh-token window
PENDING_SWITCH = ConnectionStatus.PENDING_SWITCH  # re-exported: the status of a company awaiting the user's choice
ACTIVE = (ConnectionStatus.CONNECTED, ConnectionStatus.NEEDS_RECONNECT)


class ConnectionService:
    def __init__(self, settings: Settings, db: Database, cipher: TokenCipher, *,
                 transport: httpx.AsyncBaseTransport | None = None, now: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self._db = db
        self._cipher = cipher
        self._transport = transport
        self._now = now
        self.oauth = IntuitOAuth(OAuthApp.from_settings(settings), transport=transport, now=now)
        self.tokens = TokenKeeper(db, cipher, self.oauth, now=now)
        self._http: httpx.AsyncClient | None = None

    # -- reading -----------------------------------------------------------------------------------------------
    async def current(self) -> ConnectionView | None:
        """The connected company (also when it needs reconnecting), or None."""
        async with self._db.session() as session:
            row = await _active(session)
        return ConnectionView.of(row) if row else None

    async def api(self) -> QuickBooksClient:
        """A client for the connected company; raises NotConnectedError or ReconnectRequired."""
        view = await self.current()
        if view is None:
            raise NotConnectedError('No QuickBooks company is connected.')
        return self._client(view.realm_id, self.tokens.source(view.realm_id))

    async def list_accounts(self, account_types: Sequence[str] | None = None) -> list[QboAccount]:
        """The company's active accounts, live from QuickBooks (all pages), optionally of some AccountTypes."""
        return await (await self.api()).accounts(account_types)

    # -- connecting --------------------------------------------------------------------------------------------
    async def begin_connect(self, session_id: str, user_id: int, allow_company_switch: bool = False) -> str:
        """Intuit's consent URL with a fresh state bound to this browser session; only the state's hash is kept."""
        if not session_id:
            raise ValueError('a browser session is needed to connect QuickBooks')
        now = self._now()
        state = new_oauth_state()
        async with self._db.session() as session:
            user = await session.get(User, user_id)
            if user is None:
                raise PermissionDenied('Sign in to connect QuickBooks.')
            require_manager(user, 'connect QuickBooks')
            await session.exec(delete(OAuthState).where(col(OAuthState.expires_at) < now))
            session.add(OAuthState(state_hash=hash_oauth_state(state), session_id=session_id, user_id=user_id,
                                   created_at=now, expires_at=now + STATE_LIFETIME,
                                   allow_company_switch=allow_company_switch))
            await session.commit()
        return self.oauth.authorization_url(state)

    async def complete_connect(self, session_id: str | None, user_id: int | None, *, state: str | None,
                               code: str | None = None, realm_id: str | None = None, error: str | None = None,
                               error_description: str | None = None) -> ConnectOutcome:
        """Everything the callback needs; every failure is an outcome with a message, never an exception."""
        checked = await self._consume_state(state, session_id, user_id)
        if isinstance(checked, ConnectOutcome):
            return checked
        if error:
            if error == 'access_denied':
                return ConnectOutcome(ConnectResult.DENIED, 'Connection cancelled',
                                      'You declined access on the QuickBooks consent page. Nothing was changed.')
            return _failed(f'QuickBooks reported an error: {error_description or error}.')
        if not code or not realm_id:
            return _failed('QuickBooks sent no authorization code or company ID.')
        try:
            tokens = await self.oauth.exchange_code(code)
        except OAuthError as exc:
            return _failed(f'QuickBooks refused the authorization ({exc.error}). Please connect again.')
        except QuickBooksError as exc:
            return _failed(f'QuickBooks could not be reached ({exc}). Please connect again.')
        try:
            company = await self._client(realm_id, _FixedTokens(tokens)).company_info()
        except QuickBooksError as exc:
            await self._revoke_quietly(tokens.refresh_token)
            return _failed(f'The company information could not be read ({exc}). Please connect again.')
        async with self._db.session() as session:
            previous = None if checked.allow_company_switch else await _conflicting_company(session, realm_id)
            if previous is not None:
                return await self._park_switch(session, checked, company, tokens, previous)
        return await self._activate(company, tokens, checked.user_id, note='')

    async def confirm_switch(self, session_id: str | None, user_id: int | None, ticket: str) -> ConnectOutcome:
        """The user chose the new company: the old one is disconnected (revoked), its links and mappings kept."""
        if (refused := await self._refuse_non_manager(user_id)) is not None:
            return refused
        parked = await self._take_switch(session_id, user_id, ticket)
        if isinstance(parked, ConnectOutcome):
            return parked
        row, payload = parked
        company = CompanyInfo(realm_id=row.realm_id, company_name=row.company_name)
        return await self._activate(company, TokenSet.from_json(payload['tokens']), user_id,
                                    note=' after confirming the company switch')

    async def cancel_switch(self, session_id: str | None, user_id: int | None, ticket: str) -> ConnectOutcome:
        """The user kept the current company: the new grant is revoked at Intuit and forgotten."""
        if (refused := await self._refuse_non_manager(user_id)) is not None:
            return refused
        parked = await self._take_switch(session_id, user_id, ticket)
        if isinstance(parked, ConnectOutcome):
            return parked
        row, payload = parked
        await self._revoke_quietly(TokenSet.from_json(payload['tokens']).refresh_token)
        return ConnectOutcome(ConnectResult.CANCELLED, 'Company unchanged',
                              f'{row.company_name or row.realm_id} was not connected; its authorization was revoked.',
                              connection=await self.current())

    # -- lifecycle ---------------------------------------------------------------------------------------------
    async def disconnect(self, acting_user: User) -> bool:
        """Revoke at Intuit, delete the tokens, keep mappings and links; True if Intuit confirmed the revocation."""
        require_manager(acting_user, 'disconnect QuickBooks')
        view = await self.current()
        if view is None:
            raise NotConnectedError('No QuickBooks company is connected.')
        async with self.tokens.lock(view.realm_id):
            async with self._db.session() as session:
                row = await _by_realm(session, view.realm_id)
                tokens = self.tokens.unseal(row) if row and row.encrypted_tokens else None
            revoked, note = False, ''
            if tokens is not None:
                try:
                    await self.oauth.revoke(tokens.refresh_token)
                    revoked = True
                except QuickBooksError as exc:
                    note = (f' Intuit did not confirm the revocation ({exc}); remove the app under Connected apps '
                            'in QuickBooks if it is still listed.')
            async with self._db.session() as session:
                row = await _by_realm(session, view.realm_id)
                if row is not None:
                    _retire(row, self._now())
                    session.add(row)
                session.add(self._entry(view.realm_id, 'disconnect', 'warning' if note else 'info',
                                        f'Disconnected {view.company_name or view.realm_id} by {_who(acting_user)}.'
                                        + note))
                await session.commit()
        return revoked

    async def refresh_idle_connections(self, max_idle: timedelta = IDLE_REFRESH_AFTER) -> int:
        """Keep-alive job: refresh every connection idle for longer than ``max_idle``; returns how many."""
        await self.purge_expired()
        async with self._db.session() as session:
            realms = (await session.exec(select(QuickBooksConnection.realm_id).where(
                QuickBooksConnection.status == ConnectionStatus.CONNECTED))).all()
        refreshed = 0
        for realm_id in realms:
            try:
                refreshed += await self.tokens.refresh_if_idle(realm_id, max_idle)
            except QuickBooksError as exc:  # ReconnectRequired is already recorded on the connection
                log.warning('keep-alive refresh for QuickBooks company %s failed: %s', realm_id, type(exc).__name__)
        return refreshed

    async def purge_expired(self) -> None:
        """Drop expired OAuth states and expired pending switches (revoking their grants at Intuit)."""
        now = self._now()
        async with self._db.session() as session:
            await session.exec(delete(OAuthState).where(col(OAuthState.expires_at) < now))
            parked = (await session.exec(select(QuickBooksConnection).where(
                QuickBooksConnection.status == PENDING_SWITCH))).all()
            await session.commit()
        for row in parked:
            payload = self._payload(row)
            if payload is None or datetime.fromisoformat(payload['expires_at']) <= now:
                await self._take_switch(None, None, '', row_id=row.id)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- internals ---------------------------------------------------------------------------------------------
    def _client(self, realm_id: str, tokens: TokenSource) -> QuickBooksClient:
        if self._http is None:
            self._http = httpx.AsyncClient(transport=self._transport, timeout=httpx.Timeout(60.0, connect=10.0))
        return QuickBooksClient(self._http, api_base_url=self.settings.endpoints.api_base_url, realm_id=realm_id,
                                tokens=tokens)

    async def _consume_state(self, state: str | None, session_id: str | None,
                             user_id: int | None) -> OAuthState | ConnectOutcome:
        """Single use: the state row is marked used atomically, so a replayed callback can never connect twice."""
        now = self._now()
        async with self._db.session() as session:
            row = await session.get(OAuthState, hash_oauth_state(state)) if state else None
            if row is None:
                return _invalid('This authorization does not belong to a connection started here. '
                                'Start again from Settings → Integrations.')
            if not session_id or not hmac.compare_digest(row.session_id, session_id):
                return _invalid('This authorization was started in a different browser session. '
                                'Start again from Settings → Integrations in this browser.')
            if row.used_at is not None:
                return _invalid('This authorization was already used. Start again from Settings → Integrations.')
            if row.expires_at <= now:
                return _invalid('This authorization expired (it is valid for 10 minutes). '
                                'Start again from Settings → Integrations.')
            if row.user_id is None or row.user_id != user_id:
                return _invalid('Sign in as the user who started the connection, then start again.')
            user = await session.get(User, row.user_id)
            if user is None or not user.active or user.role not in Role.MANAGERS:
                return _invalid('Only owners and admins may connect QuickBooks.')
            claimed = await session.exec(update(OAuthState).where(
                col(OAuthState.state_hash) == row.state_hash, col(OAuthState.used_at).is_(None)).values(used_at=now))
            await session.commit()
            if claimed.rowcount != 1:
                return _invalid('This authorization was already used. Start again from Settings → Integrations.')
            return row

    async def _activate(self, company: CompanyInfo, tokens: TokenSet, user_id: int | None,
                        note: str) -> ConnectOutcome:
        """Make ``company`` the connected one; any other active company is disconnected and its grant revoked."""
        now, realm_id = self._now(), company.realm_id
        async with self._db.session() as session:
            others = (await session.exec(select(QuickBooksConnection).where(
                QuickBooksConnection.realm_id != realm_id, col(QuickBooksConnection.status).in_(ACTIVE)))).all()
        retired: list[str] = []
        async with AsyncExitStack() as stack:
            for realm in sorted({realm_id, *(o.realm_id for o in others)}):
                await stack.enter_async_context(self.tokens.lock(realm))
            async with self._db.session() as session:
                user = await session.get(User, user_id) if user_id is not None else None
                for other in (await session.exec(select(QuickBooksConnection).where(
                        QuickBooksConnection.realm_id != realm_id,
                        col(QuickBooksConnection.status).in_(ACTIVE)))).all():
                    if other.encrypted_tokens:
                        retired.append(self.tokens.unseal(other).refresh_token)
                    _retire(other, now)
                    session.add(other)
                    session.add(self._entry(other.realm_id, 'disconnect', 'info',
                                            f'Disconnected {other.company_name or other.realm_id}: '
                                            f'{company.company_name or realm_id} was connected instead.'))
                row = await _by_realm(session, realm_id) or QuickBooksConnection(realm_id=realm_id)
                replaced = self._refresh_token_of(row) if row.status in ACTIVE else None
                if replaced and replaced != tokens.refresh_token:  # a reconnect: the old grant must not stay live
                    retired.append(replaced)
                row.company_name = company.company_name or row.company_name
                row.environment = self.settings.environment
                row.status = ConnectionStatus.CONNECTED
                self.tokens.seal(row, tokens)
                row.connected_at = row.last_refreshed_at = row.updated_at = now
                row.connected_by_user_id = user_id
                row.last_error = ''
                session.add(row)
                session.add(self._entry(realm_id, 'connect', 'info',
                                        f'Connected {row.company_name or realm_id} ({row.environment})'
                                        f'{" by " + _who(user) if user else ""}{note}.'))
                await session.commit()
                view = ConnectionView.of(row)
        for refresh_token in retired:
            await self._revoke_quietly(refresh_token)
        return ConnectOutcome(ConnectResult.CONNECTED, 'QuickBooks connected',
                              f'{view.company_name or view.realm_id} is connected.', connection=view)

    async def _park_switch(self, session: AsyncSession, state: OAuthState, company: CompanyInfo, tokens: TokenSet,
                           previous: QuickBooksConnection) -> ConnectOutcome:
        now, ticket = self._now(), secrets.token_urlsafe(32)
        row = await _by_realm(session, company.realm_id)
        restore = row.status if row is not None else None
        if row is not None and row.status == PENDING_SWITCH:  # an older parked grant for the same company
            old = self._payload(row)
            restore = old.get('restore') if old else None
            if old:
                await self._revoke_quietly(TokenSet.from_json(old['tokens']).refresh_token)
        parked_elsewhere = select(QuickBooksConnection).where(QuickBooksConnection.status == PENDING_SWITCH,
                                                              QuickBooksConnection.realm_id != company.realm_id)
        for other in (await session.exec(parked_elsewhere)).all():
            old = self._payload(other)  # one pending switch at a time: the one it replaces is revoked
            if old:
                await self._revoke_quietly(TokenSet.from_json(old['tokens']).refresh_token)
            if old and old.get('restore'):
                self.tokens.clear(other)
                other.status, other.updated_at = old['restore'], now
                session.add(other)
            else:
                await session.delete(other)
        row = row or QuickBooksConnection(realm_id=company.realm_id, environment=self.settings.environment)
        row.company_name = company.company_name or row.company_name
        row.status = PENDING_SWITCH
        row.updated_at = now
        expires_at = now + SWITCH_LIFETIME
        row.encrypted_tokens = self._cipher.encrypt(json.dumps({
            'tokens': tokens.to_json(), 'session_id': state.session_id, 'user_id': state.user_id,
            'ticket_hash': _sha256(ticket), 'expires_at': expires_at.isoformat(), 'restore': restore}))
        session.add(row)
        links = await _count(session, EntityLink, previous.realm_id)
        mappings = await _count(session, AccountMapping, previous.realm_id)
        await session.commit()
        switch = PendingSwitch(ticket=ticket, realm_id=company.realm_id, company_name=row.company_name,
                               previous_realm_id=previous.realm_id, previous_company_name=previous.company_name,
                               previous_links=links, previous_mappings=mappings, expires_at=expires_at)
        return ConnectOutcome(
            ConnectResult.CONFIRM_SWITCH, 'Connect a different company?',
            f'{switch.company_name or switch.realm_id} is not the company the existing data belongs to: '
            f'{links} synced record link(s) and {mappings} account mapping(s) belong to '
            f'{previous.company_name or previous.realm_id}. Switching keeps them for that company but they will not '
            'be used with the new one, and the records will sync again as new objects.', switch=switch)

    async def _refuse_non_manager(self, user_id: int | None) -> ConnectOutcome | None:
        """The switch is answered with the user's role *now* (an admin demoted since the connect is refused)."""
        async with self._db.session() as session:
            user = await session.get(User, user_id) if user_id is not None else None
        if user is None or not user.active or user.role not in Role.MANAGERS:
            return _invalid('Only owners and admins may answer a company switch.')
        return None

    async def _take_switch(self, session_id: str | None, user_id: int | None, ticket: str, *,
                           row_id: int | None = None) -> tuple[QuickBooksConnection, dict] | ConnectOutcome:
        """Remove a parked switch (the caller's, by ticket; or an expired one by ``row_id``) and return it."""
        now = self._now()
        async with self._db.session() as session:
            rows = (await session.exec(select(QuickBooksConnection).where(
                QuickBooksConnection.status == PENDING_SWITCH))).all()
            for row in rows:
                payload = self._payload(row)
                if row_id is not None:
                    if row.id != row_id:
                        continue
                elif payload is None or not hmac.compare_digest(payload['ticket_hash'], _sha256(ticket)) \
                        or payload['session_id'] != session_id or payload['user_id'] != user_id:
                    continue
                restore = payload.get('restore') if payload else None
                if restore:
                    self.tokens.clear(row)
                    row.status, row.updated_at = restore, now
                    session.add(row)
                else:
                    await session.delete(row)
                await session.commit()
                if payload is None:
                    return _failed('The pending company switch could not be read.')
                if datetime.fromisoformat(payload['expires_at']) <= now or row_id is not None:
                    await self._revoke_quietly(TokenSet.from_json(payload['tokens']).refresh_token)
                    return _failed('The company switch waited too long and was cancelled. Connect again.')
                return row, payload
        return _failed('There is no pending company switch for this session (it may have been answered already).')

    def _refresh_token_of(self, row: QuickBooksConnection) -> str | None:
        if not row.encrypted_tokens:
            return None
        try:
            return self.tokens.unseal(row).refresh_token
        except Exception:  # unreadable (a removed key): nothing we could revoke anyway
            return None

    def _payload(self, row: QuickBooksConnection) -> dict | None:
        try:
            return json.loads(self._cipher.decrypt(row.encrypted_tokens))
        except Exception:  # a key was removed or the row is damaged: treat as unreadable, never crash the job
            return None

    async def _revoke_quietly(self, refresh_token: str) -> None:
        try:
            await self.oauth.revoke(refresh_token)
        except QuickBooksError as exc:
            log.warning('revoking a QuickBooks grant failed: %s', type(exc).__name__)

    def _entry(self, realm_id: str, action: str, level: str, message: str) -> SyncLogEntry:
        return SyncLogEntry(realm_id=realm_id, at=self._now(), level=level, action=action, message=message[:2000])


class _FixedTokens:
    """Tokens fresh from the code exchange, before they are stored: nothing to refresh yet."""

    def __init__(self, tokens: TokenSet) -> None:
        self._tokens = tokens

    async def access_token(self) -> str:
        return self._tokens.access_token

    async def renew(self, rejected: str) -> str:
        raise AuthenticationError('QuickBooks refused a token it had just issued')


async def _active(session: AsyncSession) -> QuickBooksConnection | None:
    return (await session.exec(select(QuickBooksConnection).where(col(QuickBooksConnection.status).in_(ACTIVE))
                               .order_by(col(QuickBooksConnection.connected_at).desc()))).first()


async def _by_realm(session: AsyncSession, realm_id: str) -> QuickBooksConnection | None:
    return (await session.exec(select(QuickBooksConnection).where(QuickBooksConnection.realm_id == realm_id))).first()


async def _conflicting_company(session: AsyncSession, realm_id: str) -> QuickBooksConnection | None:
    """The company the existing data belongs to, when it is not ``realm_id`` and there is something to lose."""
    latest = (await session.exec(select(QuickBooksConnection).where(QuickBooksConnection.status != PENDING_SWITCH)
                                 .order_by(col(QuickBooksConnection.connected_at).desc(),
                                           col(QuickBooksConnection.id).desc()))).first()
    if latest is None or latest.realm_id == realm_id:
        return None
    if latest.status in ACTIVE:
        return latest
    has_data = await _count(session, EntityLink, latest.realm_id) or await _count(session, AccountMapping,
                                                                                  latest.realm_id)
    return latest if has_data else None


async def _count(session: AsyncSession, table: type[EntityLink] | type[AccountMapping], realm_id: str) -> int:
    return (await session.exec(select(func.count()).select_from(table).where(table.realm_id == realm_id))).one()


def _retire(row: QuickBooksConnection, now: datetime) -> None:
    TokenKeeper.clear(row)
    row.status = ConnectionStatus.DISCONNECTED
    row.last_error = ''
    row.updated_at = now


def _who(user: User) -> str:
    return user.name or user.email


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _invalid(message: str) -> ConnectOutcome:
    return ConnectOutcome(ConnectResult.INVALID_STATE, 'Connection not completed', message)


def _failed(message: str) -> ConnectOutcome:
    return ConnectOutcome(ConnectResult.FAILED, 'Connection failed', message)
