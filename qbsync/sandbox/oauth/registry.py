"""Apps registered with the sandbox, as on Intuit's developer portal: keys, redirect URIs and webhook settings.

An app is what a client authenticates as (client id + secret) and what a user consents to. Re-registering a
client id replaces the app's settings but keeps its grants, as editing an app on the portal does.
"""
from __future__ import annotations

import hmac
import threading
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from ..events import Operation
from ..webhooks.subscriptions import normalise_subscriptions, subscribed

__all__ = ['RegisteredApp', 'AppRegistry', 'WEBHOOK_FORMATS', 'mask_secret']

WEBHOOK_FORMATS = ('legacy', 'cloudevents')


@dataclass
class RegisteredApp:
    client_id: str
    client_secret: str = field(repr=False)
    name: str
    redirect_uris: list[str] = field(default_factory=list)
    webhook_url: str | None = None
    verifier_token: str | None = field(default=None, repr=False)
    webhook_format: str = 'legacy'  # or 'cloudevents'
    throttling: bool = True
    webhook_entities: list[str] | None = None  # None: every entity; else 'Invoice' or 'Invoice.Emailed' entries

    def wants_webhook(self, entity: str, operation: Operation) -> bool:
        """Whether the app's portal settings select this change (see ``webhooks.subscriptions``)."""
        return subscribed(self.webhook_entities, entity, operation)

    def secret_matches(self, secret: str | None) -> bool:
        """Constant-time comparison, so a wrong secret's timing says nothing about the right one."""
        return secret is not None and hmac.compare_digest(secret.encode(), self.client_secret.encode())

    def public_view(self) -> dict[str, object]:
        """The app as the admin API shows it: secrets masked, never echoed."""
        view = asdict(self)
        view['client_secret'] = mask_secret(self.client_secret)
        view['verifier_token'] = mask_secret(self.verifier_token) if self.verifier_token else None
        return view


class AppRegistry:
    def __init__(self) -> None:
        self._apps: dict[str, RegisteredApp] = {}
        self._lock = threading.Lock()

    def register(self, client_id: str, client_secret: str, name: str | None = None,
                 redirect_uris: list[str] | tuple[str, ...] = (), webhook_url: str | None = None,
                 verifier_token: str | None = None, webhook_format: str = 'legacy',
                 throttling: bool = True, webhook_entities: list[str] | None = None) -> RegisteredApp:
        """Add or replace the app ``client_id``; raises ValueError (with a readable reason) on bad settings."""
        client_id = (client_id or '').strip()
        if not client_id or any(c.isspace() or c == ':' for c in client_id):
            raise ValueError('client_id must be non-empty, without spaces or colons')
        if not client_secret:
            raise ValueError('client_secret must be non-empty')
        uris = [_checked_url(uri, 'redirect URI') for uri in redirect_uris]
        if not uris:
            raise ValueError('an app needs at least one redirect URI')
        if webhook_url:
            webhook_url = _checked_url(webhook_url, 'webhook URL')
        if webhook_format not in WEBHOOK_FORMATS:
            raise ValueError(f'webhook_format must be one of {", ".join(WEBHOOK_FORMATS)}')
        entities = normalise_subscriptions(webhook_entities)
        app = RegisteredApp(client_id=client_id, client_secret=client_secret, name=(name or client_id).strip(),
                            redirect_uris=uris, webhook_url=webhook_url or None, verifier_token=verifier_token or None,
                            webhook_format=webhook_format, throttling=bool(throttling), webhook_entities=entities)
        with self._lock:
            self._apps[client_id] = app
        return app

    def get(self, client_id: str | None) -> RegisteredApp | None:
        return self._apps.get(client_id or '')

    def all(self) -> list[RegisteredApp]:
        with self._lock:
            return list(self._apps.values())

    def authenticate(self, client_id: str | None, client_secret: str | None) -> RegisteredApp | None:
        """The app if the credentials are right, else None (unknown id and wrong secret look the same)."""
        app = self.get(client_id)
        return app if app is not None and app.secret_matches(client_secret) else None


def mask_secret(secret: str) -> str:
    """Fully masked: even a few characters of a secret narrow a guess, and listings are not where secrets are read."""
    return '********' if secret else ''


def _checked_url(url: str, what: str) -> str:
    """Absolute http(s) URLs without fragments (RFC 6749 3.1.2); plain http is allowed for local development."""
    url = (url or '').strip()
    parts = urlsplit(url)
    if parts.scheme not in {'http', 'https'} or not parts.netloc or parts.fragment:
        raise ValueError(f'{what} must be an absolute http(s) URL without a fragment: {url!r}')
    return url
