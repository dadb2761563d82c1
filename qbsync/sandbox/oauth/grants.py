"""Authorization codes, grants and tokens: issuance, refresh rotation, revocation, and bearer checks for the API.

A *grant* is one user's consent for one app on one company; every token belongs to exactly one grant, and revoking
any of its tokens kills the whole grant. Tokens are random (``secrets``) and stored only as SHA-256 hashes, so a
dump of the store holds nothing usable.

Lifetimes follow Intuit (qbo-api.md 1.6): access tokens 3600 s; refresh tokens on a rolling window that each refresh
extends, of 101 days (8726400 s, the ``x_refresh_token_expires_in`` Intuit's token endpoint answers a new token with,
as clients written against it record; Intuit's prose says "100 days"), never past a 5-year hard cap counted from the
consent. Rotation: every refresh issues a new refresh token; an older one keeps working for 24 hours after its
successor was issued, then ``invalid_grant``. Choice (UNCONFIRMED at Intuit): refreshing with such an older token
inside its 24 hours acts exactly like refreshing with the grant's *current* token: it issues a new pair and the
current token enters its own 24-hour grace. The older token's grace stays anchored to when it was first superseded, so
replaying it never buys more time.
"""
from __future__ import annotations

import hashlib
import secrets
import string
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ..clock import Clock
from .keys import SigningKeys, b64url
from .registry import AppRegistry, RegisteredApp
from .user import SandboxUser

__all__ = [
    'ACCESS_TOKEN_LIFETIME', 'AUTHORIZATION_CODE_LIFETIME', 'REFRESH_TOKEN_IDLE_LIFETIME',
    'REFRESH_TOKEN_HARD_LIFETIME', 'ROTATION_GRACE', 'ACCOUNTING_SCOPE',
    'ApiAccessDenied', 'TokenError', 'Grant', 'IssuedTokens', 'GrantStore',
]

ACCESS_TOKEN_LIFETIME = timedelta(seconds=3600)
AUTHORIZATION_CODE_LIFETIME = timedelta(minutes=10)  # UNCONFIRMED: Intuit documents no value; RFC 6749 says <= 10 min
REFRESH_TOKEN_IDLE_LIFETIME = timedelta(seconds=8726400)   # 101 days, as the token endpoint says
REFRESH_TOKEN_HARD_LIFETIME = timedelta(days=5 * 365)
ROTATION_GRACE = timedelta(hours=24)
ID_TOKEN_LIFETIME = timedelta(hours=1)
ACCOUNTING_SCOPE = 'com.intuit.quickbooks.accounting'
# Intuit access tokens are ~1000-character JWEs; anything far outside that is rejected before any lookup.
BEARER_MIN_LENGTH = 100
BEARER_MAX_LENGTH = 4096
# Base64url of {"enc":"A128CBC-HS256","alg":"dir"}: the header Intuit's access tokens start with.
_JWE_HEADER = b64url(b'{"enc":"A128CBC-HS256","alg":"dir"}')
_ALPHANUMERIC = string.ascii_letters + string.digits


class ApiAccessDenied(Exception):
    """An Accounting API call refused for its bearer token; the accounting layer renders Intuit's fault body."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status   # 401 AuthenticationFailed or 403 AuthorizationFailed
        self.code = code       # '3200' or '3100'
        self.detail = detail


class TokenError(Exception):
    """A token or revoke endpoint failure, rendered as ``{"error": ..., "error_description": ...}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f'{error}: {description}')
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {'error': self.error, 'error_description': self.description}


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    realm_id: str | None
    expires_at: datetime
    used: bool = False


@dataclass
class _RefreshToken:
    grant_id: str
    superseded_at: datetime | None = None


@dataclass
class _AccessToken:
    grant_id: str
    expires_at: datetime


@dataclass
class Grant:
    grant_id: str
    client_id: str
    realm_id: str | None
    scopes: tuple[str, ...]
    created_at: datetime
    hard_expires_at: datetime
    refresh_expires_at: datetime   # the rolling window; never later than hard_expires_at
    revoked: bool = False
    refresh_hashes: list[str] = field(default_factory=list)

    def alive(self, now: datetime) -> bool:
        return not self.revoked and now < self.refresh_expires_at


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    refresh_expires_in: int
    refresh_hard_expires_in: int
    realm_id: str | None
    id_token: str | None = field(default=None, repr=False)

    def body(self, *, include_hard_expiry: bool = False) -> dict[str, object]:
        """The token endpoint's JSON; the hard-cap field only for clients that opted in with the header."""
        body: dict[str, object] = {
            'x_refresh_token_expires_in': self.refresh_expires_in, 'refresh_token': self.refresh_token,
            'access_token': self.access_token, 'token_type': 'bearer', 'expires_in': self.expires_in}
        if include_hard_expiry:
            body['x_refresh_token_hard_expires_in'] = self.refresh_hard_expires_in
        if self.id_token:
            body['id_token'] = self.id_token
        return body


class GrantStore:
    def __init__(self, clock: Clock, apps: AppRegistry) -> None:
        self._clock = clock
        self._apps = apps
        self.keys = SigningKeys()
        self.user = SandboxUser()
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, Grant] = {}
        self._refresh: dict[str, _RefreshToken] = {}
        self._access: dict[str, _AccessToken] = {}
        self._lock = threading.RLock()
        self.on_change: Callable[[], None] | None = None  # called after grants change (persistence hooks in)

    # -- authorization codes -----------------------------------------------------------------------------------
    def issue_code(self, client_id: str, redirect_uri: str, scopes: tuple[str, ...], realm_id: str | None) -> str:
        """A single-use code for a consent the user just gave; the caller has validated app, URI and scopes."""
        now = self._clock.now()
        code = 'AB11' + _random_alphanumeric(46)
        with self._lock:
            self._codes = {h: c for h, c in self._codes.items() if c.expires_at > now}
            self._codes[_hash(code)] = _Code(client_id, redirect_uri, tuple(scopes), realm_id,
                                             now + AUTHORIZATION_CODE_LIFETIME)
        return code

    def exchange_code(self, client_id: str, code: str, redirect_uri: str | None,
                      issuer: str | None = None) -> IssuedTokens:
        """``authorization_code`` grant. ``issuer`` (the discovery issuer) enables an id_token for openid scope.

        A reused code is refused but earlier tokens stay valid (UNCONFIRMED: RFC 6749 suggests revoking them; a
        browser that reloads the callback page would then disconnect the app, which Intuit is not known to do).
        """
        now = self._clock.now()
        with self._lock:
            record = self._codes.get(_hash(code))
            if record is None or record.client_id != client_id:
                raise TokenError('invalid_grant', 'Authorization code invalid')
            if record.used:
                raise TokenError('invalid_grant', 'Authorization code has already been used')
            if now >= record.expires_at:
                raise TokenError('invalid_grant', 'Authorization code expired')
            if redirect_uri != record.redirect_uri:
                raise TokenError('invalid_grant', 'redirect_uri does not match the one used to obtain the code')
            record.used = True
            grant = Grant(grant_id=uuid.uuid4().hex, client_id=client_id, realm_id=record.realm_id,
                          scopes=record.scopes, created_at=now, hard_expires_at=now + REFRESH_TOKEN_HARD_LIFETIME,
                          refresh_expires_at=now + REFRESH_TOKEN_IDLE_LIFETIME)
            grant.refresh_expires_at = min(grant.refresh_expires_at, grant.hard_expires_at)
            self._grants[grant.grant_id] = grant
            tokens = self._issue(grant, now)
        self._changed()
        if issuer and 'openid' in grant.scopes:
            tokens = replace(tokens, id_token=self._id_token(grant, issuer, now))
        return tokens

    def connect(self, client_id: str, realm_id: str | None, scopes: tuple[str, ...] = (ACCOUNTING_SCOPE,),
                issuer: str | None = None) -> IssuedTokens:
        """Consent and code exchange in one step, for scripts and tests that need tokens without a browser."""
        app = self._apps.get(client_id)
        if app is None:
            raise TokenError('invalid_client', 'Unknown client', status=401)
        code = self.issue_code(client_id, app.redirect_uris[0], scopes, realm_id)
        return self.exchange_code(client_id, code, app.redirect_uris[0], issuer=issuer)

    # -- refresh and revoke ------------------------------------------------------------------------------------
    def refresh(self, client_id: str, refresh_token: str) -> IssuedTokens:
        """``refresh_token`` grant with rotation (see the module docstring for the 24-hour rule)."""
        now = self._clock.now()
        with self._lock:
            record = self._refresh.get(_hash(refresh_token))
            grant = self._grants.get(record.grant_id) if record else None
            if record is None or grant is None or grant.client_id != client_id or grant.revoked:
                raise TokenError('invalid_grant', 'Token invalid')
            if record.superseded_at is not None and now >= record.superseded_at + ROTATION_GRACE:
                raise TokenError('invalid_grant', 'Token invalid: a newer refresh token replaced it over 24 hours ago')
            if now >= grant.refresh_expires_at:
                raise TokenError('invalid_grant', 'Token expired')
            grant.refresh_expires_at = min(now + REFRESH_TOKEN_IDLE_LIFETIME, grant.hard_expires_at)
            tokens = self._issue(grant, now)
        self._changed()
        return tokens

    def revoke(self, client_id: str, token: str) -> bool:
        """Kill the grant behind a refresh or access token of this client; False if the token is unknown."""
        digest = _hash(token)
        with self._lock:
            record = self._refresh.get(digest) or self._access.get(digest)
            grant = self._grants.get(record.grant_id) if record else None
            if grant is None:
                return False
            if grant.client_id != client_id:
                raise TokenError('invalid_request', 'Token was not issued to this client')
            self._kill(grant)
        self._changed()
        return True

    def revoke_grant(self, realm_id: str, client_id: str) -> bool:
        """Disconnect an app from a company (all its grants there), as the user would in QuickBooks."""
        with self._lock:
            grants = [g for g in self._grants.values()
                      if g.realm_id == realm_id and g.client_id == client_id and not g.revoked]
            for grant in grants:
                self._kill(grant)
        self._changed()
        return bool(grants)

    def expire_access_tokens(self, realm_id: str) -> int:
        """Make every access token for the realm expire now (tests of the refresh-on-401 path)."""
        now = self._clock.now()
        with self._lock:
            tokens = [t for t in self._access.values() if self._grants[t.grant_id].realm_id == realm_id]
            for token in tokens:
                token.expires_at = min(token.expires_at, now)
        self._changed()
        return len(tokens)

    # -- bearer checks -----------------------------------------------------------------------------------------
    def grant_for_bearer(self, authorization_header: str | None) -> Grant:
        """The grant behind a live access token, or ApiAccessDenied(401) saying what is wrong with it."""
        scheme, _, token = (authorization_header or '').strip().partition(' ')
        token = token.strip()
        if scheme.lower() != 'bearer' or not token:
            raise ApiAccessDenied(401, '3200', 'Authorization header missing or not a Bearer token')
        if not BEARER_MIN_LENGTH <= len(token) <= BEARER_MAX_LENGTH:
            raise ApiAccessDenied(401, '3200', 'Malformed bearer token: too short or too long')
        now = self._clock.now()
        with self._lock:
            record = self._access.get(_hash(token))
            grant = self._grants.get(record.grant_id) if record else None
            if record is None or grant is None:
                raise ApiAccessDenied(401, '3200', 'Token invalid: not an access token issued by this server')
            if grant.revoked:
                raise ApiAccessDenied(401, '3200', 'Token revoked: the app was disconnected')
            if now >= record.expires_at:
                raise ApiAccessDenied(401, '3200', f'Token expired: {record.expires_at.isoformat()}')
            return grant

    def authorize_api_call(self, authorization_header: str | None, realm_id: str) -> RegisteredApp:
        """The app making an Accounting API call on ``realm_id``; 401 for bad tokens, 403 for the wrong realm."""
        grant = self.grant_for_bearer(authorization_header)
        if grant.realm_id != realm_id:
            raise ApiAccessDenied(403, '3100', f'Token is not authorized for company {realm_id}')
        if ACCOUNTING_SCOPE not in grant.scopes:
            raise ApiAccessDenied(403, '3100', f'Token lacks the {ACCOUNTING_SCOPE} scope')
        app = self._apps.get(grant.client_id)
        if app is None:
            raise ApiAccessDenied(401, '3200', 'Token invalid: the app is no longer registered')
        return app

    def connected_apps(self, realm_id: str) -> list[RegisteredApp]:
        """Apps holding a live grant (refreshable, not revoked) on the realm: the ones that get its webhooks."""
        now = self._clock.now()
        with self._lock:
            client_ids = dict.fromkeys(g.client_id for g in self._grants.values()
                                       if g.realm_id == realm_id and g.alive(now))
        return [app for app in map(self._apps.get, client_ids) if app is not None]

    def grants(self, realm_id: str | None = None) -> list[Grant]:
        """Live grants, optionally for one realm (the inspect page and tests)."""
        now = self._clock.now()
        with self._lock:
            return [g for g in self._grants.values() if g.alive(now) and realm_id in (None, g.realm_id)]

    # -- persistence ------------------------------------------------------------------------------------------
    def export_state(self) -> dict[str, object]:
        """Grants and token *hashes* as JSON-ready data (codes are too short-lived to keep); no usable secret."""
        with self._lock:
            return {
                'version': 1, 'user_sub': self.user.sub,
                'grants': [{**asdict(g), 'scopes': list(g.scopes), 'created_at': g.created_at.isoformat(),
                            'hard_expires_at': g.hard_expires_at.isoformat(),
                            'refresh_expires_at': g.refresh_expires_at.isoformat()} for g in self._grants.values()],
                'refresh': {h: [r.grant_id, r.superseded_at.isoformat() if r.superseded_at else None]
                            for h, r in self._refresh.items()},
                'access': {h: [a.grant_id, a.expires_at.isoformat()] for h, a in self._access.items()},
            }

    def import_state(self, data: dict[str, Any]) -> None:
        """Replace the grants with ``export_state`` output; ValueError if it is not that."""
        try:
            if data.get('version') != 1:
                raise ValueError(f'unknown grant data version {data.get("version")!r}')
            grants = {}
            for row in data['grants']:
                grant = Grant(**{**row, 'scopes': tuple(row['scopes']),
                                 'created_at': datetime.fromisoformat(row['created_at']),
                                 'hard_expires_at': datetime.fromisoformat(row['hard_expires_at']),
                                 'refresh_expires_at': datetime.fromisoformat(row['refresh_expires_at'])})
                grants[grant.grant_id] = grant
            refresh = {h: _RefreshToken(gid, datetime.fromisoformat(at) if at else None)
                       for h, (gid, at) in data['refresh'].items()}
            access = {h: _AccessToken(gid, datetime.fromisoformat(at))
                      for h, (gid, at) in data['access'].items()}
            user = replace(self.user, sub=str(data['user_sub']))
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f'malformed grant data: {error!r}') from None
        with self._lock:
            self._grants, self._refresh, self._access, self.user = grants, refresh, access, user

    # -- internals ---------------------------------------------------------------------------------------------
    def _issue(self, grant: Grant, now: datetime) -> IssuedTokens:
        """A new access + refresh token pair; the grant's previous current refresh token starts its grace."""
        for digest in grant.refresh_hashes:
            record = self._refresh.get(digest)
            if record is not None and record.superseded_at is None:
                record.superseded_at = now
        expired = [d for d in grant.refresh_hashes if (r := self._refresh.get(d)) is None
                   or (r.superseded_at is not None and now >= r.superseded_at + ROTATION_GRACE)]
        for digest in expired:
            self._refresh.pop(digest, None)
        refresh_token = 'AB11' + _random_alphanumeric(46)
        grant.refresh_hashes = [d for d in grant.refresh_hashes if d not in expired] + [_hash(refresh_token)]
        self._refresh[_hash(refresh_token)] = _RefreshToken(grant.grant_id)
        self._access = {h: t for h, t in self._access.items() if t.expires_at > now}
        access_token = '.'.join((_JWE_HEADER, '', secrets.token_urlsafe(16), secrets.token_urlsafe(640),
                                 secrets.token_urlsafe(16)))
        self._access[_hash(access_token)] = _AccessToken(grant.grant_id, now + ACCESS_TOKEN_LIFETIME)
        return IssuedTokens(access_token=access_token, refresh_token=refresh_token,
                            expires_in=int(ACCESS_TOKEN_LIFETIME.total_seconds()),
                            refresh_expires_in=_seconds(grant.refresh_expires_at - now),
                            refresh_hard_expires_in=_seconds(grant.hard_expires_at - now), realm_id=grant.realm_id)

    def _kill(self, grant: Grant) -> None:
        grant.revoked = True
        for digest in grant.refresh_hashes:
            self._refresh.pop(digest, None)
        grant.refresh_hashes = []

    def _id_token(self, grant: Grant, issuer: str, now: datetime) -> str:
        claims: dict[str, object] = {
            'iss': issuer, 'sub': self.user.sub, 'aud': [grant.client_id], 'auth_time': int(now.timestamp()),
            'iat': int(now.timestamp()), 'exp': int((now + ID_TOKEN_LIFETIME).timestamp())}
        if grant.realm_id:
            claims['realmid'] = grant.realm_id
        return self.keys.sign_jwt(claims)


    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _random_alphanumeric(length: int) -> str:
    return ''.join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))
