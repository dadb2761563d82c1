"""What the Setup Guide shows: the URLs to register with Intuit, which variables are set, the verifier token.

The redirect URI and webhook URL come from Settings (``QUICKBOOKS_REDIRECT_URI``, else computed from
``QBSYNC_PUBLIC_URL``), so the guide shows exactly what the app will send. The verifier token is a secret: the
guide masks it, and only the owner may read it in full.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..models import User
from ..settings import Settings
from .permissions import require_owner

__all__ = ['VariableStatus', 'SetupGuide', 'setup_guide', 'reveal_verifier_token', 'mask_secret', 'VARIABLES']

# name, required with real Intuit credentials, what it is for
VARIABLES: tuple[tuple[str, bool, str], ...] = (
    ('QUICKBOOKS_CLIENT_ID', True, 'Client ID from the Intuit app (Keys & credentials)'),
    ('QUICKBOOKS_CLIENT_SECRET', True, 'Client secret from the same page'),
    ('QUICKBOOKS_TOKEN_ENCRYPTION_KEY', True, 'Fernet key(s) that encrypt the OAuth tokens at rest'),
    ('QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN', True, 'Verifier token from the Intuit webhooks page'),
    ('QBSYNC_PUBLIC_URL', True, 'The address Intuit and browsers reach this app at'),
    ('QUICKBOOKS_ENVIRONMENT', False, "'sandbox' (default) or 'production'"),
    ('QUICKBOOKS_REDIRECT_URI', False, 'Only when the callback URL differs from the computed one'),
)


@dataclass(frozen=True)
class VariableStatus:
    name: str
    required: bool
    purpose: str
    is_set: bool


@dataclass(frozen=True)
class SetupGuide:
    redirect_uri: str
    redirect_uri_source: str  # the variable it comes from, or how it was computed
    webhook_url: str
    environment: str
    demo_mode: bool
    verifier_token_masked: str
    variables: tuple[VariableStatus, ...]

    @property
    def missing_required(self) -> list[str]:
        return [v.name for v in self.variables if v.required and not v.is_set]


def setup_guide(settings: Settings, env: Mapping[str, str] | None = None) -> SetupGuide:
    """Everything the guide shows; ``env`` defaults to the process environment (whether each variable is set)."""
    env = os.environ if env is None else env
    given = {name: bool(env.get(name, '').strip()) for name, _, _ in VARIABLES}
    source = 'QUICKBOOKS_REDIRECT_URI' if given['QUICKBOOKS_REDIRECT_URI'] else \
        f'computed from QBSYNC_PUBLIC_URL ({settings.public_url})'
    return SetupGuide(
        redirect_uri=settings.redirect_uri, redirect_uri_source=source, webhook_url=settings.webhook_url,
        environment=settings.environment, demo_mode=settings.demo_mode,
        verifier_token_masked=mask_secret(settings.webhook_verifier_token),
        variables=tuple(VariableStatus(name, required, purpose, given[name]) for name, required, purpose in VARIABLES))


def reveal_verifier_token(settings: Settings, *, acting: User) -> str:
    """The webhook verifier token in clear, for the owner only (it lets anyone forge Intuit's webhooks)."""
    require_owner(acting, 'reveal the webhook verifier token')
    return settings.webhook_verifier_token


def mask_secret(secret: str) -> str:
    """Bullets and the last four characters (enough to tell two tokens apart), or 'not set'."""
    if not secret:
        return 'not set'
    return '•' * 12 + (secret[-4:] if len(secret) >= 12 else '')
