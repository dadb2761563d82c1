"""Every page in a real Chromium at desktop (1280 px) and phone (390 px) width: a screenshot of each in the tmp
folder (kept as CI artifacts), no horizontal overflow, and axe-core finds no serious or critical violation.

One app subprocess with the demo business, one browser, all pages: a few seconds per page, not per test.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, async_playwright

from .conftest import CHROMIUM, CHROMIUM_ARGS, REPO, RunningApp, _child_env, _free_port, _wait_until_healthy

pytestmark = pytest.mark.e2e

CENTER = '/settings/integrations/quickbooks'
PAGES = (
    '/', '/customers', '/customers/1', '/customers/new', '/items', '/items/1', '/invoices', '/invoices/1',
    '/invoices/new', '/invoices/1/edit', '/payments', '/payments/1', '/payments/new', '/expenses', '/expenses/1',
    '/credit-memos', '/credit-memos/1', '/settings/integrations',
    f'{CENTER}/overview', f'{CENTER}/settings', f'{CENTER}/mapping', f'{CENTER}/dashboard', f'{CENTER}/log',
    f'{CENTER}/setup', '/settings/region', '/users',
)
WIDTHS = {'desktop': 1280, 'phone': 390}
SERIOUS = ('serious', 'critical')
SHOTS = Path(os.environ.get('QBSYNC_SCREENSHOTS', Path(tempfile.gettempdir()) / 'qbsync-screens'))


@pytest.fixture
def demo_app(tmp_path: Path) -> Iterator[RunningApp]:
    """The app with the demo business loaded (lists, records and the dashboard have something to show)."""
    port = _free_port()
    app = RunningApp(base_url=f'http://127.0.0.1:{port}', data_dir=tmp_path / 'data', log_file=tmp_path / 'app.log')
    env = {**_child_env(port, app.data_dir), 'QBSYNC_DEMO_DATA': '1'}
    with app.log_file.open('wb') as log:
        child = subprocess.Popen([sys.executable, 'app.py'], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_healthy(app, child)
        yield app
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


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
                await _check(page, axe, _name(path), demo_app.base_url + path, problems)
        finally:
            await browser.close()
    assert not problems, '\n'.join(problems)


async def _check(page: Page, axe: Axe, name: str, url: str, problems: list[str]) -> None:
    for width_name, width in WIDTHS.items():
        await page.set_viewport_size({'width': width, 'height': 900})
        await page.goto(url)
        await page.wait_for_function('() => window.socket && window.socket.connected')
        await page.wait_for_timeout(400)  # lazy panels (built once connected) and Quasar's transitions settle
        await page.screenshot(path=str(SHOTS / f'{name}-{width_name}.png'), full_page=True)
        overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
        if overflow > 1:
            problems.append(f'{name} @ {width}px: {overflow}px of horizontal overflow')
        if width_name == 'desktop' or name in ('login', 'home'):
            results = await axe.run(page)
            for violation in results.response['violations']:
                if violation['impact'] in SERIOUS:
                    targets = [node['html'][:120] for node in violation['nodes'][:3]]
                    problems.append(f'{name} @ {width}px: axe {violation["impact"]} {violation["id"]}: '
                                    f'{violation["help"]} at {targets}')


async def _log_in(page: Page, app: RunningApp) -> None:
    await page.goto(f'{app.base_url}/login')
    await page.get_by_label('Email').fill(app.owner_email)
    await page.get_by_label('Password').fill(app.owner_password)
    await page.get_by_role('button', name='Log in').click()
    await page.wait_for_url(f'{app.base_url}/')


async def _connect(page: Page, app: RunningApp) -> None:
    """Connect the demo company through the sandbox's consent page, as an owner would."""
    await page.goto(f'{app.base_url}/api/quickbooks/connect')
    await page.wait_for_url(re.compile(r'.*/sandbox/connect/oauth2\?.*'))
    await page.click('#connect')
    await page.wait_for_url(re.compile(rf'.*{CENTER}.*'))


def _name(path: str) -> str:
    return path.strip('/').replace('/', '-').replace('settings-integrations-quickbooks', 'center') or 'home'
