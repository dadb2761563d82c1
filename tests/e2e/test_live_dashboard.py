"""A real browser on the Sync Dashboard: start a run with the demo business and watch progress and counts move."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page

from .conftest import RunningApp

pytestmark = pytest.mark.e2e

CENTER = '/settings/integrations/quickbooks'


async def _synced_total(page: Page) -> int:
    """The Synced figure of the dashboard's 'All records' row."""
    row = page.locator('.q-table tbody tr', has_text='All records').first
    return int((await row.locator('td').nth(1).inner_text()).replace(',', '').strip())


@pytest.mark.parametrize('running_app', [{'QBSYNC_DEMO_DATA': '1'}], indirect=True)
async def test_a_run_from_the_dashboard_moves_progress_and_counts(running_app: RunningApp, browser_page: Page,
                                                                   tmp_path: Path) -> None:
    page, base = browser_page, running_app.base_url
    try:
        await page.goto(f'{base}/login')
        await page.get_by_label('Email').fill(running_app.owner_email)
        await page.get_by_label('Password').fill(running_app.owner_password)
        await page.get_by_role('button', name='Log in').click()
        await page.wait_for_url(f'{base}/')
        await page.goto(f'{base}{CENTER}')
        await page.get_by_role('button', name='Connect QuickBooks').click()
        await page.wait_for_url(re.compile(r'.*/sandbox/connect/oauth2\?.*'))
        await page.click('#connect')
        await page.wait_for_url(f'{base}{CENTER}')

        await page.get_by_role('tab', name='Sync Dashboard').click()
        await page.wait_for_url(f'{base}{CENTER}/dashboard')
        await page.locator('.q-table tbody tr', has_text='All records').first.wait_for()
        assert await _synced_total(page) == 0
        await page.get_by_role('button', name='Sync to QuickBooks').click()

        # the counts move while the page stays open (pushed by the runner, no reload)
        await page.wait_for_function(
            "() => [...document.querySelectorAll('.q-table tbody tr')].some(r => r.innerText.startsWith('All records')"
            " && parseInt(r.querySelectorAll('td')[1].innerText.replace(/,/g, '')) > 0)", timeout=60_000)
        assert await _synced_total(page) > 0
        # the progress line ("Customers: 20 of 56") is shown while the run goes, then gives way to the result;
        # with 56 records it can be gone before a poll sees it, so it is checked as gone, not as seen
        progress = page.get_by_text(re.compile(r'^(Customers|Items|Invoices|Payments|Expenses|Credit memos): '
                                               r'[\d,]+ of [\d,]+'))
        await progress.first.wait_for(state='hidden', timeout=120_000)
        await page.get_by_text(re.compile(r'^Last run to QuickBooks: [\d,]+ synced, [\d,]+ failed')) \
            .wait_for(timeout=120_000)
    finally:
        await page.screenshot(path=str(tmp_path / 'live_dashboard.png'), full_page=True)
