"""The app as a user meets it: ``python app.py`` in a subprocess on a free port, driven by Debian's headless Chromium.

The child gets its own data folder and port; PYTEST_CURRENT_TEST and NICEGUI_* are removed from its environment,
otherwise NiceGUI believes it runs under pytest (stack-notes gotcha 12). Playwright uses /usr/bin/chromium and never
downloads a browser.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

__all__ = ['RunningApp', 'running_app', 'demo_app', 'browser_page', 'CHROMIUM', 'CHROMIUM_ARGS']

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run']
OWNER_EMAIL = 'owner@example.com'
OWNER_PASSWORD = 'e2e owner password 2026'
BOOT_TIMEOUT = 60.0  # a loaded 2-core machine, demo data included


@dataclass(frozen=True)
class RunningApp:
    base_url: str
    data_dir: Path
    log_file: Path
    owner_email: str = OWNER_EMAIL
    owner_password: str = OWNER_PASSWORD

    def log(self) -> str:
        return self.log_file.read_text(errors='replace') if self.log_file.exists() else ''


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return int(probe.getsockname()[1])


def _child_env(port: int, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != 'PYTEST_CURRENT_TEST' and not k.startswith('NICEGUI_')}
    env.update({
        'QBSYNC_PORT': str(port), 'QBSYNC_HOST': '127.0.0.1', 'QBSYNC_PUBLIC_URL': f'http://127.0.0.1:{port}',
        'QBSYNC_DATA_DIR': str(data_dir), 'QBSYNC_DEMO_DATA': '0', 'QBSYNC_LOG_LEVEL': 'WARNING',
        'QBSYNC_ADMIN_EMAIL': OWNER_EMAIL, 'QBSYNC_ADMIN_PASSWORD': OWNER_PASSWORD,
    })
    return env


@pytest.fixture
def running_app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[RunningApp]:
    """The app in a subprocess; parametrize it indirectly with a dict to change its environment."""
    yield from _run_app(tmp_path, **getattr(request, 'param', {}))


@pytest.fixture
def demo_app(tmp_path: Path) -> Iterator[RunningApp]:
    """The app with the demo business loaded (lists, records and the dashboard have something to show)."""
    yield from _run_app(tmp_path, QBSYNC_DEMO_DATA='1')


def _run_app(tmp_path: Path, **extra_env: str) -> Iterator[RunningApp]:
    port = _free_port()
    app = RunningApp(base_url=f'http://127.0.0.1:{port}', data_dir=tmp_path / 'data', log_file=tmp_path / 'app.log')
    env = {**_child_env(port, app.data_dir), **extra_env}
    with app.log_file.open('wb') as log:
        child = subprocess.Popen([sys.executable, 'app.py'], cwd=REPO, env=env,
                                 stdout=log, stderr=subprocess.STDOUT)
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


def _wait_until_healthy(app: RunningApp, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f'app.py exited with {child.returncode}:\n{app.log()}')
        try:
            if httpx.get(f'{app.base_url}/healthz', timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # waiting for another process to listen: there is no clock to inject
    raise RuntimeError(f'app.py did not answer /healthz within {BOOT_TIMEOUT} s:\n{app.log()}')


@pytest.fixture
async def browser_page() -> AsyncIterator:  # type: ignore[type-arg]
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={'width': 1400, 'height': 1000})
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            await browser.close()
