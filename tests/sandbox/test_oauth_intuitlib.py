"""Intuit's own Python client (intuit-oauth / intuitlib), unchanged, against the sandbox on a real loopback port."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError

REDIRECT_URI = 'http://localhost:8765/callback'


def _client(live_sandbox, client_id: str) -> AuthClient:
    live_sandbox.state.apps.register(client_id, f'{client_id}-secret-123456', name='intuitlib test app',
                                     redirect_uris=[REDIRECT_URI])
    return AuthClient(client_id, f'{client_id}-secret-123456', REDIRECT_URI,
                      environment=f'{live_sandbox.base_url}/.well-known/openid_sandbox_configuration/')


def _callback(location: str) -> dict[str, str]:
    assert location.startswith(REDIRECT_URI + '?')
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_full_flow_through_the_consent_form(live_sandbox):
    auth_client = _client(live_sandbox, 'intuitlib-form')
    assert auth_client.token_endpoint == f'{live_sandbox.base_url}/oauth2/v1/tokens/bearer'
    url = auth_client.get_authorization_url([Scopes.ACCOUNTING, Scopes.OPENID, Scopes.EMAIL, Scopes.PROFILE])
    # The browser's part, with the client's own requests session (it keeps the consent cookie).
    page = auth_client.get(url)
    assert page.status_code == 200 and 'Connect intuitlib test app to QuickBooks' in page.text
    realm_id = live_sandbox.state.companies.realms()[0].realm_id
    ticket = re.search(r'name="consent_ticket" value="([^"]+)"', page.text).group(1)
    answer = auth_client.post(page.url.split('?')[0], data={'consent_ticket': ticket, 'decision': 'allow',
                                                            'realm_id': realm_id}, allow_redirects=False)
    assert answer.status_code == 302
    callback = _callback(answer.headers['Location'])
    assert callback['state'] == auth_client.state_token and callback['realmId'] == realm_id

    auth_client.get_bearer_token(callback['code'], realm_id=callback['realmId'])
    assert auth_client.expires_in == 3600 and auth_client.x_refresh_token_expires_in == 8726400
    assert auth_client.id_token is not None                 # intuitlib verified it against the sandbox's JWKS
    assert live_sandbox.state.grants.authorize_api_call(f'Bearer {auth_client.access_token}', realm_id)

    info = auth_client.get_user_info().json()
    assert info['givenName'] == 'Sandbox' and info['email'] == live_sandbox.state.grants.user.email

    first_refresh = auth_client.refresh_token
    auth_client.refresh()
    assert auth_client.refresh_token != first_refresh and auth_client.access_token
    assert auth_client.revoke() is True
    with pytest.raises(AuthClientError) as caught:
        auth_client.refresh()
    assert caught.value.status_code == 400 and 'invalid_grant' in caught.value.content.decode()


def test_headless_consent_through_the_admin_api(live_sandbox):
    auth_client = _client(live_sandbox, 'intuitlib-admin')
    url = auth_client.get_authorization_url([Scopes.ACCOUNTING])
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    consent = auth_client.post(f'{live_sandbox.base_url}/_sandbox/consent', json={
        'client_id': params['client_id'], 'redirect_uri': params['redirect_uri'], 'scope': params['scope'],
        'state': params['state']})
    callback = _callback(consent.json()['redirect_url'])
    auth_client.get_bearer_token(callback['code'], realm_id=callback['realmId'])
    assert auth_client.refresh_token and auth_client.id_token is None     # no openid scope, no id_token
    with pytest.raises(AuthClientError) as caught:
        auth_client.get_bearer_token(callback['code'])                    # codes are single-use
    assert caught.value.status_code == 400
