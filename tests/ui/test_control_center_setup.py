"""Setup Guide tab: URLs with copy buttons, variables, the verifier token masked and revealed for the owner only."""
from __future__ import annotations

from nicegui import app
from nicegui.testing import User

from qbsync.models import User as Account

from .quickbooks_flow import CENTER

SETUP = f'{CENTER}/setup'


async def test_owner_sees_the_urls_and_may_reveal_the_verifier_token(user: User, owner: Account) -> None:
    settings = app.state.services.settings
    await user.open(SETUP)
    await user.should_see(marker='redirect-uri', content=settings.redirect_uri, retries=20)
    assert settings.redirect_uri.endswith('/api/quickbooks/callback')
    await user.should_see(marker='redirect-uri-source', content='computed from QBSYNC_PUBLIC_URL')
    await user.should_see(marker='webhook-url', content=settings.webhook_url)
    await user.should_see(marker='setup-demo')
    await user.should_see(marker='var-state-QUICKBOOKS_CLIENT_ID', content='not set')
    await user.should_see(marker='var-state-QUICKBOOKS_REDIRECT_URI', content='not set (optional)')
    await user.should_see('Create the Intuit app')
    token = settings.webhook_verifier_token
    await user.should_see(marker='verifier-token', content='•' * 12 + token[-4:])
    await user.should_not_see(marker='verifier-token', content=token)
    user.find(marker='copy-redirect-uri').click()
    await user.should_see('Redirect URI copied.')
    user.find(marker='reveal-verifier').click()
    await user.should_see(marker='verifier-token', content=token)
    user.find(marker='copy-verifier-token').click()
    await user.should_see('Verifier token copied.')


async def test_admin_sees_the_token_masked_without_reveal(user: User, admin: Account) -> None:
    await user.open(SETUP)
    await user.should_see(marker='verifier-token', retries=20)
    await user.should_see('(only the owner can reveal it)')
    await user.should_not_see(marker='reveal-verifier')
    await user.should_not_see(marker='verifier-token', content=app.state.services.settings.webhook_verifier_token)
