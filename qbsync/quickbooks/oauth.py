"""Intuit OAuth 2.0: authorize URL, code exchange, refresh (with rotation) and revoke.

Authlib builds and sends the grants (Basic client authentication, form bodies); this module adds what is Intuit's
own: the refresh-token lifetimes, the opt-in hard-expiry header, and revoke as JSON ``{"token": ...}`` (what
Intuit's official Python client sends). Expiry instants come from an injected ``now`` so that tests can jump time
together with the sandbox clock. Token values never appear in a repr, a log line or an exception message.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import authlib.deprecate  # installs its own simplefilter('always') now, outside the block below (stack-notes 5.1)
import httpx

from ..settings import ACCOUNTING_SCOPE, IntuitEndpoints, Settings
from .errors import NetworkError, OAuthError, oauth_error, oauth_error_from_response

with warnings.catch_warnings():
    warnings.filterwarnings('ignore', category=authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.base_client import OAuthError as AuthlibOAuthError
    from authlib.integrations.httpx_client import AsyncOAuth2Client

__all__ = ['OAuthApp', 'TokenSet', 'IntuitOAuth', 'AsyncOAuth2Client', 'utcnow']

HARD_EXPIRY_HEADER = {'x-include-refresh-token-hard-expires-in': 'true'}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class OAuthApp:
    """The app's identity at Intuit: keys, redirect URI and where the endpoints are."""
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    endpoints: IntuitEndpoints
    scope: str = ACCOUNTING_SCOPE

    @classmethod
    def from_settings(cls, settings: Settings) -> OAuthApp:
        return cls(client_id=settings.client_id, client_secret=settings.client_secret,
                   redirect_uri=settings.redirect_uri, endpoints=settings.endpoints)


@dataclass(frozen=True)
class TokenSet:
    """One grant's tokens and their expiry instants (tz-aware UTC). Stored only encrypted, as ``to_json()``."""
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: datetime
    refresh_expires_at: datetime | None = None
    refresh_hard_expires_at: datetime | None = None
    token_type: str = 'bearer'

    @classmethod
    def from_response(cls, payload: dict[str, Any], issued_at: datetime) -> TokenSet:
        """Intuit's token response; ``issued_at`` is taken before the request, so expiries err on the early side."""
        try:
            access, refresh = str(payload['access_token']), str(payload['refresh_token'])
            expires_in = int(payload.get('expires_in') or 3600)
        except (KeyError, TypeError, ValueError) as exc:
            raise OAuthError('invalid_response', 'the token response lacks access_token or refresh_token') from exc
        return cls(access_token=access, refresh_token=refresh,
                   access_expires_at=issued_at + timedelta(seconds=expires_in),
                   refresh_expires_at=_after(issued_at, payload.get('x_refresh_token_expires_in')),
                   refresh_hard_expires_at=_after(issued_at, payload.get('x_refresh_token_hard_expires_in')),
                   token_type=str(payload.get('token_type') or 'bearer'))

    def to_json(self) -> str:
        data = asdict(self)
        for key in ('access_expires_at', 'refresh_expires_at', 'refresh_hard_expires_at'):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> TokenSet:
        data = json.loads(text)
        for key in ('access_expires_at', 'refresh_expires_at', 'refresh_hard_expires_at'):
            data[key] = datetime.fromisoformat(data[key]) if data.get(key) else None
        return cls(**data)

    def access_expires_within(self, margin: timedelta, now: datetime) -> bool:
        return self.access_expires_at - margin <= now


class IntuitOAuth:
    """The four OAuth calls; ``transport`` carries them (None = the network, or an ASGI sandbox in tests/demo)."""

    def __init__(self, app: OAuthApp, *, transport: httpx.AsyncBaseTransport | None = None,
                 now: Callable[[], datetime] = utcnow, timeout: float = 30.0) -> None:
        self.app = app
        self._transport = transport
        self._now = now
        self._timeout = timeout

    def authorization_url(self, state: str) -> str:
        """The consent page URL with exactly the five parameters Intuit's own clients send."""
        url, _ = self._client().create_authorization_url(self.app.endpoints.authorize_url, state=state)
        return str(url)

    async def exchange_code(self, code: str) -> TokenSet:
        """Trade a single-use authorization code for tokens; raises OAuthError (ReconnectRequired for invalid_grant)."""
        return await self._grant(lambda client: client.fetch_token(
            self.app.endpoints.token_url, code=code, grant_type='authorization_code', headers=HARD_EXPIRY_HEADER))

    async def refresh(self, refresh_token: str) -> TokenSet:
        """A refresh grant; the answer may carry a new refresh token, which replaces the old one (rotation)."""
        return await self._grant(lambda client: client.refresh_token(
            self.app.endpoints.token_url, refresh_token=refresh_token, headers=HARD_EXPIRY_HEADER))

    async def revoke(self, token: str) -> None:
        """Revoke a refresh (or access) token, which ends the whole grant at Intuit."""
        async with self._client() as client:
            try:
                response = await client.post(self.app.endpoints.revoke_url, json={'token': token},
                                             headers={'Accept': 'application/json'},
                                             auth=httpx.BasicAuth(self.app.client_id, self.app.client_secret))
            except httpx.TransportError as exc:
                raise NetworkError(f'revoke request failed: {type(exc).__name__}') from exc
        if not response.is_success:
            raise oauth_error_from_response(response.status_code, response.content)

    async def _grant(self, call: Callable[[AsyncOAuth2Client], Any]) -> TokenSet:
        issued_at = self._now()
        async with self._client() as client:
            try:
                payload = await call(client)
            except AuthlibOAuthError as exc:
                raise oauth_error(str(exc.error or 'invalid_request'), str(exc.description or '')) from None
            except httpx.HTTPStatusError as exc:
                raise oauth_error_from_response(exc.response.status_code, exc.response.content) from None
            except httpx.TransportError as exc:
                raise NetworkError(f'token request failed: {type(exc).__name__}') from exc
            except ValueError as exc:  # a 2xx answer that is not a JSON object
                raise OAuthError('invalid_response', str(exc)) from None
        return TokenSet.from_response(dict(payload), issued_at)

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.app.client_id, client_secret=self.app.client_secret, scope=self.app.scope,
            redirect_uri=self.app.redirect_uri, token_endpoint_auth_method='client_secret_basic',
            timeout=self._timeout, transport=self._transport)


def _after(start: datetime, seconds: Any) -> datetime | None:
    try:
        return start + timedelta(seconds=int(seconds)) if seconds is not None else None
    except (TypeError, ValueError):
        return None
