"""Connect the simulated browser to the embedded sandbox the way a browser does, through the real routes.

``GET /api/quickbooks/connect`` (with the browser's session cookie) answers with Intuit's authorize URL; the sandbox's
consent endpoint gives the redirect a user's "Connect" click would follow; the browser then calls the app's callback.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from nicegui import app
from nicegui.testing import User

from qbsync.models import User as Account

__all__ = ['connect_quickbooks', 'connect_for', 'CENTER']

CENTER = '/settings/integrations/quickbooks'


async def _consent(user: User, authorize_url: str, realm_id: str) -> dict[str, str]:
    """What the sandbox's consent page sends the browser back with after "Connect"."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    consent = await user.http_client.post('/sandbox/_sandbox/consent', json={
        'client_id': query['client_id'], 'redirect_uri': query['redirect_uri'], 'scope': query['scope'],
        'state': query['state'], 'realm_id': realm_id, 'decision': 'allow'},
        headers={'authorization': f'Bearer {app.state.sandbox.config.admin_token}'})  # the embedded admin token
    assert consent.status_code == 200, consent.text
    return {k: v[0] for k, v in parse_qs(urlsplit(consent.json()['redirect_url']).query).items()}


async def connect_for(user: User, manager: Account) -> str:
    """Connect on behalf of ``manager`` from another browser session (the signed-in one may be a viewer)."""
    connection = app.state.services.connection
    realm_id = app.state.sandbox.default_realm_id
    url = await connection.begin_connect('other-browser', manager.id)
    params = await _consent(user, url, realm_id)
    outcome = await connection.complete_connect('other-browser', manager.id, state=params['state'],
                                                code=params['code'], realm_id=params['realmId'])
    assert outcome.ok, outcome.message
    return realm_id


async def connect_quickbooks(user: User, *, realm_id: str | None = None) -> str:
    """Run the OAuth flow for the signed-in browser; returns the connected realm id."""
    started = await user.http_client.get('/api/quickbooks/connect')
    assert started.status_code == 303, started.text
    realm_id = realm_id or app.state.sandbox.default_realm_id
    params = await _consent(user, started.headers['location'], realm_id)
    finished = await user.http_client.get(f'/api/quickbooks/callback?{urlencode(params)}')
    assert finished.status_code == 303 and finished.headers['location'] == CENTER, finished.text
    return realm_id
