"""Every tab has its own URL: opening it shows that tab, switching tabs keeps the address in step."""
from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from qbsync.models import Role
from qbsync.models import User as Account

from .accounts import make_account
from .quickbooks_flow import CENTER

TAB_MARKERS = {'overview': 'overview-not-connected', 'settings': 'sync-settings', 'mapping': 'mapping-not-connected',
               'fields': 'field-mapping-not-connected',
               'dashboard': 'dashboard-table', 'log': 'log-entries', 'setup': 'redirect-uri'}


def _tabs(user: User) -> ui.tabs:
    return user.find(ui.tabs).elements.pop()


async def test_each_tab_has_its_own_url(user: User, owner: Account) -> None:
    for tab, marker in TAB_MARKERS.items():  # as after a reload or a followed link
        await user.open(f'{CENTER}/{tab}')
        await user.should_see(marker=marker, retries=20)
        assert _tabs(user).value == tab


async def test_switching_tabs_replaces_the_address_and_builds_the_panel(user: User, owner: Account) -> None:
    await user.open(CENTER)
    await user.should_see(marker='overview-not-connected', retries=20)
    await user.should_not_see(marker='sync-settings')  # panels are built the first time they are shown
    addresses: list[str] = []
    user.navigate.history.replace = addresses.append  # type: ignore[method-assign]  # records instead of JS
    user.find(marker='tab-settings').click()
    await user.should_see(marker='sync-settings', retries=20)
    assert _tabs(user).value == 'settings'
    user.find(marker='tab-setup').click()
    await user.should_see(marker='webhook-url', retries=20)
    assert addresses == [f'{CENTER}/settings', f'{CENTER}/setup']


async def test_unknown_tab_goes_to_the_overview(user: User, owner: Account) -> None:
    response = await user.http_client.get(f'{CENTER}/nonsense')
    assert response.status_code == 307 and response.headers['location'] == f'{CENTER}/overview'


async def test_the_control_center_needs_a_login(user: User) -> None:
    await make_account(Role.OWNER)
    response = await user.http_client.get(f'{CENTER}/mapping')
    assert response.status_code == 307 and response.headers['location'].startswith('/login?redirect_to=')
