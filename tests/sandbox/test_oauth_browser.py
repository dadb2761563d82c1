"""The consent screen in a real headless Chromium: pick a company, Connect or Cancel, land on the app's callback."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from qbsync.sandbox.oauth.grants import ACCOUNTING_SCOPE

pytestmark = pytest.mark.e2e

CALLBACK = 'http://callback.test/qb'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']


@pytest.fixture
async def page():
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path='/usr/bin/chromium', headless=True,
                                                   args=CHROMIUM_ARGS)
        page = await browser.new_page()
        # The app's callback is not served here: answer it in the browser so the final URL can be read.
        await page.route(f'{CALLBACK}**', lambda route: route.fulfill(status=200, body='callback reached'))
        yield page
        await browser.close()


def _authorize_url(live_sandbox, client_id: str, state: str) -> str:
    live_sandbox.state.apps.register(client_id, 'browser-secret-123456', name='Browser Test App',
                                     redirect_uris=[CALLBACK])
    query = urlencode({'client_id': client_id, 'response_type': 'code', 'scope': ACCOUNTING_SCOPE,
                       'redirect_uri': CALLBACK, 'state': state})
    return f'{live_sandbox.base_url}/connect/oauth2?{query}'


def _callback_query(url: str) -> dict[str, str]:
    assert url.startswith(CALLBACK)
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def test_connect_with_a_new_company_then_cancel(page, live_sandbox):
    before = {ref.realm_id for ref in live_sandbox.state.companies.realms()}
    await page.goto(_authorize_url(live_sandbox, 'browser-app', 'st-1'))
    assert await page.title() == 'Connect Browser Test App to QuickBooks'
    assert 'Manage your QuickBooks Online accounting data' in await page.locator('#scopes').inner_text()
    await page.select_option('#company', label='Create a new sandbox company')
    await page.click('#connect')
    await page.wait_for_url(f'{CALLBACK}**')
    query = _callback_query(page.url)
    assert query['state'] == 'st-1' and query['code'] and query['realmId'] not in before

    await page.goto(_authorize_url(live_sandbox, 'browser-app', 'st-2'))
    await page.click('#cancel')
    await page.wait_for_url(f'{CALLBACK}**')
    assert _callback_query(page.url) == {'error': 'access_denied', 'state': 'st-2',
                                         'error_description': 'The user denied the request'}
