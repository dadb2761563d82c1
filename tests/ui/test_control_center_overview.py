"""Control center Overview: the connection in words, Company ID, warnings with their actions, Reconnect, Disconnect."""
from __future__ import annotations

from datetime import timedelta

import pytest
from nicegui import app, ui
from nicegui.testing import User

from qbsync.models import Role
from qbsync.models import User as Account
from qbsync.quickbooks.errors import ReconnectRequired
from qbsync.services.account_mapping import ACCOUNTS_RECEIVABLE, INCOME
from qbsync.settings import DEMO_CLIENT_ID

from .quickbooks_flow import CENTER, connect_for, connect_quickbooks


def _tabs(user: User) -> ui.tabs:
    return user.find(ui.tabs).elements.pop()


async def test_overview_before_connecting(user: User, owner: Account) -> None:
    await user.open(CENTER)
    await user.should_see(marker='overview-not-connected', retries=20)
    await user.should_see(marker='connect-quickbooks')
    assert _tabs(user).value == 'overview'


async def test_connected_overview_shows_company_realm_environment_and_tokens(user: User, owner: Account) -> None:
    realm_id = await connect_quickbooks(user)
    company = app.state.sandbox.companies.get(realm_id).name
    await user.open(CENTER)
    await user.should_see(marker='company-name', content=company, retries=20)
    await user.should_see(marker='connection-status', content='Connected')
    await user.should_see(marker='realm-id', content=realm_id)
    await user.should_see(marker='environment', content='Built-in demo sandbox')
    await user.should_see(marker='connection-health-title', content=f'Connected to {company}')
    await user.should_see(marker='connection-health-detail', content='Access renews automatically; reconnect needed by')
    await user.should_not_see(content='Realm ID')
    # Income and A/R are not mapped yet: invoices cannot go out, and the way there is on the same screen
    await user.should_see(marker='warning-mapping-detail', content='Income account, Accounts Receivable')
    await user.should_see(marker='warning-mapping-mapping', content='Open Account Mapping')
    await user.should_not_see(marker='warning-reconnect-card')
    await user.should_not_see(marker='connect-quickbooks')


async def test_mapping_warning_goes_once_income_and_ar_are_mapped(user: User, owner: Account) -> None:
    await connect_quickbooks(user)
    services = app.state.services
    accounts = {a.name: a.id for a in await services.account_mapping.accounts()}
    await services.account_mapping.save({INCOME: accounts['Services'],
                                         ACCOUNTS_RECEIVABLE: accounts['Accounts Receivable (A/R)']}, {},
                                        acting=owner)
    await user.open(CENTER + '/overview')
    await user.should_see(marker='company-name', retries=20)
    await user.should_not_see(marker='warning-mapping-detail')


async def test_invalid_grant_asks_for_reconnection(user: User, owner: Account,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    realm_id = await connect_quickbooks(user)
    services = app.state.services
    app.state.sandbox.grants.revoke_grant(realm_id, DEMO_CLIENT_ID)  # e.g. the user removed the app at Intuit
    try:
        await services.connection.tokens.refresh_if_idle(realm_id, timedelta(0))
    except ReconnectRequired:
        pass
    assert (await services.connection.current()).needs_reconnect
    await user.open(CENTER)
    await user.should_see(marker='warning-reconnect-card-title', content='Reconnect', retries=20)
    await user.should_see(marker='connection-status', content='Needs reconnecting')
    await user.should_see(marker='warning-reconnect-card-connect', content='Reconnect QuickBooks')
    await user.should_not_see(content='invalid_grant')  # the raw reason only as small print for support
    caplog.clear()  # the refused refresh is logged on purpose


async def test_viewer_sees_the_connection_but_no_disconnect(user: User, viewer: Account) -> None:
    owner = next(u for u in await app.state.services.users.list_users() if u.role == Role.OWNER)
    await connect_for(user, owner)
    await user.open(CENTER)
    await user.should_see(marker='company-name', retries=20)
    await user.should_not_see(marker='disconnect')
    await user.should_not_see(marker='connect-quickbooks')


async def test_disconnect_asks_first_then_revokes_and_forgets_the_tokens(user: User, admin: Account) -> None:
    realm_id = await connect_quickbooks(user)
    services = app.state.services
    await user.open(CENTER)
    await user.should_see(marker='disconnect', retries=20)
    user.find(marker='disconnect').click()
    await user.should_see(marker='disconnect-dialog')
    user.find(marker='disconnect-cancel').click()
    await user.should_not_see(marker='disconnect-dialog')
    assert (await services.connection.current()) is not None

    user.find(marker='disconnect').click()
    await user.should_see(marker='disconnect-dialog')
    user.find(marker='disconnect-confirm').click()
    await user.should_see(marker='overview-not-connected', retries=20)
    assert await services.connection.current() is None
    assert app.state.sandbox.grants.connected_apps(realm_id) == []
