"""Settings -> Integrations lists QuickBooks Online, with Connect for those who may connect."""
from __future__ import annotations

from nicegui import app, ui
from nicegui.testing import User

from qbsync.models import User as Account

from .quickbooks_flow import connect_quickbooks


async def test_not_connected_offers_connect(user: User, owner: Account) -> None:
    await user.open('/settings/integrations')
    await user.should_see('QuickBooks Online')
    await user.should_see(marker='integration-status', content='Not connected')
    await user.should_see(marker='connect-quickbooks', content='Connect QuickBooks')
    user.find(marker='open-control-center').click()
    await user.should_see(marker='center-tabs', retries=20)
    assert user.find(ui.tabs).elements.pop().value == 'overview'


async def test_viewer_sees_the_integration_but_cannot_connect(user: User, viewer: Account) -> None:
    await user.open('/settings/integrations')
    await user.should_see(marker='integration-status', content='Not connected')
    await user.should_see('An owner or admin can connect QuickBooks.')
    await user.should_not_see(marker='connect-quickbooks')
    refused = await user.http_client.get('/api/quickbooks/connect')
    assert refused.status_code == 403


async def test_connected_company_is_shown(user: User, admin: Account) -> None:
    realm_id = await connect_quickbooks(user)
    await user.open('/settings/integrations')
    company = app.state.sandbox.companies.get(realm_id).name
    await user.should_see(marker='integration-status', content=f'Connected to {company} (Built-in demo sandbox)')
    await user.should_not_see(marker='connect-quickbooks')
    user.find(marker='open-control-center').click()
    await user.should_see(marker='realm-id', content=realm_id, retries=20)
