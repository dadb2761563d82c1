"""Every page in a real Chromium at desktop (1280 px) and phone (390 px) width: a screenshot of each in the tmp
folder (kept as CI artifacts), no horizontal overflow, no label cut short with an ellipsis ("Q…"), and axe-core
finds no serious or critical violation.

One app subprocess with the demo business, one browser, all pages: a few seconds per page, not per test.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, async_playwright

from .conftest import CHROMIUM, CHROMIUM_ARGS, RunningApp

pytestmark = pytest.mark.e2e

CENTER = '/settings/integrations/quickbooks'
PAGES = (
    '/', '/customers', '/customers/1', '/customers/new', '/items', '/items/1', '/invoices', '/invoices/1',
    '/invoices/new', '/invoices/1/edit', '/payments', '/payments/1', '/payments/new', '/expenses', '/expenses/1',
    '/credit-memos', '/credit-memos/1', '/settings/integrations',
    f'{CENTER}/overview', f'{CENTER}/settings', f'{CENTER}/mapping', f'{CENTER}/fields', f'{CENTER}/dashboard',
    f'{CENTER}/log',
    f'{CENTER}/setup', '/settings/region', '/users',
)
WIDTHS = {'desktop': 1280, 'phone': 390}
SERIOUS = ('serious', 'critical')
# every visible label (of a field, a tab, a button, a column, a badge, a select's choice) whose text the browser cuts
# with an ellipsis ("Q…"): a name an owner cannot read. A long value in a list row may be cut on purpose (the row
# opens the record), so rows and table cells are left out.
TRUNCATED = '''() => Array.from(document.querySelectorAll('body *')).filter(el => {
    if (el.closest('.qb-row, tbody')) return false;
    const style = getComputedStyle(el);
    return style.textOverflow === 'ellipsis' && el.getClientRects().length > 0 && style.visibility !== 'hidden'
        && el.scrollWidth > el.clientWidth + 1 && el.textContent.trim() !== '';
}).map(el => `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 2).join('.')} "${el.textContent.trim()
    .slice(0, 40)}"`)'''
SHOTS = Path(os.environ.get('QBSYNC_SCREENSHOTS', Path(tempfile.gettempdir()) / 'qbsync-screens'))


async def test_every_page_fits_a_phone_and_passes_axe(demo_app: RunningApp) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    problems: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={'width': WIDTHS['desktop'], 'height': 900},
                                                timezone_id='America/Chicago', locale='en-US')
            page = await context.new_page()
            page.set_default_timeout(15_000)
            await _check(page, axe, 'login', f'{demo_app.base_url}/login', problems)
            await _log_in(page, demo_app)
            await _connect(page, demo_app)
            only = os.environ.get('QBSYNC_WALK_ONLY')  # e.g. '/customers' while fixing one page
            for path in [p for p in PAGES if not only or p == only]:
                try:
                    await _check(page, axe, _name(path), demo_app.base_url + path, problems)
                except PlaywrightError as error:  # NiceGUI reloads a page whose socket came too late (a busy CI)
                    if 'context was destroyed' not in str(error):
                        raise
                    await _check(page, axe, _name(path), demo_app.base_url + path, problems)
            await _rows_open_from_the_keyboard(page, demo_app)
        finally:
            await browser.close()
    assert not problems, '\n'.join(problems)


async def _check(page: Page, axe: Axe, name: str, url: str, problems: list[str]) -> None:
    """Load ``url`` once at desktop width, then narrow the same page to a phone's: the layout is CSS, so what a
    phone shows is what the narrowed page shows (and one load per page keeps the walk short)."""
    await page.set_viewport_size({'width': WIDTHS['desktop'], 'height': 900})
    await page.goto(url)
    await page.wait_for_function('() => window.socket && window.socket.connected')
    await page.wait_for_timeout(400)  # lazy panels (built once connected) and Quasar's transitions settle
    for width_name, width in WIDTHS.items():
        if width_name != 'desktop':
            await page.set_viewport_size({'width': width, 'height': 900})
            await page.wait_for_timeout(300)  # Quasar's drawer and the media queries follow the resize
        await page.screenshot(path=str(SHOTS / f'{name}-{width_name}.png'), full_page=True)
        overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
        if overflow > 1:
            problems.append(f'{name} @ {width}px: {overflow}px of horizontal overflow')
        for label in await page.evaluate(TRUNCATED):
            problems.append(f'{name} @ {width}px: label cut short: {label}')
        if width_name == 'desktop' or name in ('login', 'home'):
            # Quasar's navigation loading bar is framework chrome that flashes while a page loads, not page content
            results = await axe.run(page, context={'exclude': [['.q-loading-bar']]})
            for violation in results.response['violations']:
                if violation['impact'] in SERIOUS:
                    targets = [node['html'][:120] for node in violation['nodes'][:3]]
                    problems.append(f'{name} @ {width}px: axe {violation["impact"]} {violation["id"]}: '
                                    f'{violation["help"]} at {targets}')


async def _log_in(page: Page, app: RunningApp) -> None:
    await page.goto(f'{app.base_url}/login')
    await page.get_by_label('Email').fill(app.owner_email)
    await page.get_by_label('Password').fill(app.owner_password)
    await page.keyboard.press('Enter')  # a real form: Enter submits it
    await page.wait_for_url(f'{app.base_url}/')


async def _connect(page: Page, app: RunningApp) -> None:
    """Connect the demo company through the sandbox's consent page, as an owner would."""
    await page.goto(f'{app.base_url}/api/quickbooks/connect')
    await page.wait_for_url(re.compile(r'.*/sandbox/connect/oauth2\?.*'))
    await page.click('#connect')
    await page.wait_for_url(re.compile(rf'.*{CENTER}.*'))


async def _rows_open_from_the_keyboard(page: Page, app: RunningApp) -> None:
    """A list row is a link as a whole: reached with Tab, opened with Enter."""
    await page.set_viewport_size({'width': WIDTHS['desktop'], 'height': 900})
    await page.goto(f'{app.base_url}/customers')
    await page.wait_for_function('() => window.socket && window.socket.connected')
    for _ in range(60):  # Tab through the header, navigation and search to the first row
        await page.keyboard.press('Tab')
        if await page.evaluate("document.activeElement.classList.contains('qb-row')"):
            break
    else:
        raise AssertionError('Tab never reached a customer row')
    await page.keyboard.press('Enter')
    await page.wait_for_url(re.compile(rf'{re.escape(app.base_url)}/customers/\d+$'))


def _name(path: str) -> str:
    return path.strip('/').replace('/', '-').replace('settings-integrations-quickbooks', 'center') or 'home'
