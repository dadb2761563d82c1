"""Behind https (QBSYNC_PUBLIC_URL https://...): Secure session cookies and HSTS (issue 10, items 1 and 8)."""
from __future__ import annotations

import pytest
from nicegui.testing import User


@pytest.fixture(autouse=True)
def _https_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before the `user` fixture runs app.py, which reads the settings."""
    monkeypatch.setenv('QBSYNC_PUBLIC_URL', 'https://books.example.com')


async def test_session_cookie_is_secure_and_pages_send_hsts(user: User) -> None:
    response = await user.http_client.get('/login')
    cookie = response.headers['set-cookie'].lower()
    assert 'secure' in cookie and 'httponly' in cookie and 'samesite=lax' in cookie and 'max-age=' in cookie
    assert response.headers['strict-transport-security'].startswith('max-age=')
