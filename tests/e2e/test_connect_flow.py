"""A real browser: log in, connect QuickBooks through the sandbox consent page, see the company, map, disconnect."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from .conftest import RunningApp

pytestmark = pytest.mark.e2e

CENTER = '/settings/integrations/quickbooks'


async def _choose(page: Page, field_label: str, option: str) -> None:
    """Pick ``option`` in the Quasar select labelled ``field_label``."""
    await page.locator('.q-field', has_text=field_label).first.click()
    await page.locator('.q-menu .q-item', has_text=option).first.click()
    await page.keyboard.press('Escape')


async def test_connect_map_and_disconnect(running_app: RunningApp, browser_page: Page, tmp_path: Path) -> None:
    page, base = browser_page, running_app.base_url
    try:
        await page.goto(f'{base}/settings/integrations')  # not signed in: the login comes first
        await page.wait_for_url(re.compile(r'.*/login\?redirect_to=.*'))
        await page.get_by_label('Email').fill(running_app.owner_email)
        await page.get_by_label('Password').fill(running_app.owner_password)
        await page.get_by_role('button', name='Log in').click()
        await page.wait_for_url(f'{base}/settings/integrations')

        await page.get_by_role('button', name='Connect QuickBooks').click()
        await page.wait_for_url(re.compile(r'.*/sandbox/connect/oauth2\?.*'))  # the consent page (Intuit's part)
        first = page.locator('#company option').first
        company, realm_id = (await first.inner_text()).strip(), await first.get_attribute('value')
        await page.click('#connect')

        await page.wait_for_url(f'{base}{CENTER}')
        await page.get_by_text(company, exact=True).wait_for()
        await page.get_by_text(str(realm_id), exact=True).wait_for()
        await page.get_by_text('Map these accounts first: Income account, Accounts Receivable.').wait_for()
        assert await page.get_by_text('Built-in demo sandbox', exact=True).is_visible()

        await page.get_by_role('tab', name='Account Mapping').click()
        await page.wait_for_url(f'{base}{CENTER}/mapping')  # the address follows the tab, no reload
        await page.get_by_role('button', name='Save mapping').wait_for()
        await _choose(page, 'Income account', 'Services · Income')
        await _choose(page, 'Accounts Receivable', 'Accounts Receivable (A/R) · Accounts receivable (A/R)')
        await page.get_by_role('button', name='Save mapping').click()
        await page.get_by_text('Account Mapping saved.').wait_for()

        await page.reload()  # the tab survives a reload, and so does the mapping
        # searchable selects show the chosen account in their text box
        await expect(page.locator('.q-field', has_text='Income account *').locator('input')) \
            .to_have_value('Services · Income')
        await expect(page.locator('.q-field', has_text='Accounts Receivable *').locator('input')) \
            .to_have_value('Accounts Receivable (A/R) · Accounts receivable (A/R)')

        await page.get_by_role('tab', name='Overview').click()
        await page.wait_for_url(f'{base}{CENTER}/overview')
        await page.get_by_role('button', name='Disconnect').click()
        dialog = page.locator('.q-dialog')
        await dialog.get_by_text(f'Disconnect {company}?').wait_for()
        await dialog.get_by_role('button', name='Disconnect').click()
        await page.get_by_text('Not connected', exact=True).wait_for()
        await page.get_by_role('button', name='Connect QuickBooks').wait_for()
    finally:
        await page.screenshot(path=str(tmp_path / 'connect_flow.png'), full_page=True)
