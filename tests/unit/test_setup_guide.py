"""Setup Guide facts: URLs from Settings, which variables are set, the verifier token masked and owner-only."""
from __future__ import annotations

import pytest

from qbsync.models import Role, User
from qbsync.services.errors import PermissionDenied
from qbsync.services.setup_guide import mask_secret, reveal_verifier_token, setup_guide
from qbsync.settings import load_settings

KEY = 'LRZ8n4hEKcEM1ag5gRkIHTVwrydASq2IV8Ni0hQGbQQ='


def real_env(tmp_path, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {'QBSYNC_DATA_DIR': str(tmp_path), 'QUICKBOOKS_CLIENT_ID': 'ABc123', 'QUICKBOOKS_CLIENT_SECRET': 's3cret',
            'QUICKBOOKS_TOKEN_ENCRYPTION_KEY': KEY, 'QBSYNC_PUBLIC_URL': 'https://books.example.com', **extra}


def test_redirect_uri_computed_from_the_public_url(tmp_path) -> None:
    env = real_env(tmp_path)
    guide = setup_guide(load_settings(env), env)
    assert guide.redirect_uri == 'https://books.example.com/api/quickbooks/callback'
    assert guide.redirect_uri_source.startswith('computed from QBSYNC_PUBLIC_URL')
    assert guide.webhook_url == 'https://books.example.com/api/quickbooks/webhook'
    assert guide.missing_required == ['QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN']
    assert guide.verifier_token_masked == 'not set' and not guide.demo_mode


def test_explicit_redirect_uri_and_all_variables_set(tmp_path) -> None:
    env = real_env(tmp_path, QUICKBOOKS_REDIRECT_URI='https://proxy.example.com/cb',
                   QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN='f1e2d3c4-b5a6-7890-abcd-ef0123456789')
    guide = setup_guide(load_settings(env), env)
    assert (guide.redirect_uri, guide.redirect_uri_source) == ('https://proxy.example.com/cb',
                                                               'QUICKBOOKS_REDIRECT_URI')
    assert guide.missing_required == []
    assert guide.verifier_token_masked == '•' * 12 + '6789'
    assert 'f1e2d3c4' not in guide.verifier_token_masked


def test_only_the_owner_reveals_the_verifier_token(tmp_path) -> None:
    settings = load_settings(real_env(tmp_path, QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN='verifier-token-value'))
    owner = User(email='o@example.com', password_hash='-', role=Role.OWNER)
    assert reveal_verifier_token(settings, acting=owner) == 'verifier-token-value'
    for role in (Role.ADMIN, Role.VIEWER):
        with pytest.raises(PermissionDenied):
            reveal_verifier_token(settings, acting=User(email='x@example.com', password_hash='-', role=role))


def test_short_secrets_show_no_characters() -> None:
    assert mask_secret('abc') == '•' * 12
