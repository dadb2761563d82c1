"""Intuit's OAuth endpoints over HTTP: discovery, authorize + consent form, token, revoke, userinfo."""
from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from qbsync.sandbox import SandboxConfig, SandboxState, create_sandbox_app
from qbsync.sandbox.oauth.authorize import CONSENT_TICKET_LIFETIME
from qbsync.sandbox.oauth.grants import ACCOUNTING_SCOPE

TOKEN_URL = '/oauth2/v1/tokens/bearer'
REVOKE_URL = '/v2/oauth2/tokens/revoke'


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {'Authorization': 'Basic ' + base64.b64encode(f'{client_id}:{secret}'.encode()).decode()}


def _authorize_params(app, **overrides):
    params = {'client_id': app.client_id, 'response_type': 'code', 'scope': ACCOUNTING_SCOPE,
              'redirect_uri': app.redirect_uris[0], 'state': 'xyz-state'}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def _query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def _consent(client, app, decision='allow', realm_choice=None, **overrides) -> httpx.Response:
    page = await client.get('/connect/oauth2', params=_authorize_params(app, **overrides))
    assert page.status_code == 200, page.text
    ticket = re.search(r'name="consent_ticket" value="([^"]+)"', page.text).group(1)
    form = {'consent_ticket': ticket, 'decision': decision}
    if realm_choice is not None:
        form['realm_id'] = realm_choice
    return await client.post('/connect/oauth2', data=form)


async def _exchange(client, app, code, redirect_uri=None, headers=None) -> httpx.Response:
    return await client.post(TOKEN_URL, data={'grant_type': 'authorization_code', 'code': code,
                                              'redirect_uri': redirect_uri or app.redirect_uris[0]},
                             headers={**_basic(app.client_id, app.client_secret), **(headers or {})})


async def test_discovery_documents_point_at_the_sandbox(sandbox_client):
    for path in ('/.well-known/openid_sandbox_configuration/', '/.well-known/openid_sandbox_configuration',
                 '/.well-known/openid_configuration/', '/.well-known/openid_configuration'):
        response = await sandbox_client.get(path)
        assert response.status_code == 200
        doc = response.json()
        assert doc['authorization_endpoint'] == 'http://sandbox.test/connect/oauth2'
        assert doc['token_endpoint'] == 'http://sandbox.test/oauth2/v1/tokens/bearer'
        assert doc['revocation_endpoint'] == 'http://sandbox.test/v2/oauth2/tokens/revoke'
        assert doc['userinfo_endpoint'] == 'http://sandbox.test/v1/openid_connect/userinfo'
        assert set(doc['token_endpoint_auth_methods_supported']) == {'client_secret_basic', 'client_secret_post'}
        assert response.headers['intuit_tid']


async def test_discovery_under_a_mount_prefix_and_with_a_public_url():
    outer = FastAPI()
    outer.mount('/sandbox', create_sandbox_app(SandboxState()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=outer), base_url='http://demo.test') as client:
        doc = (await client.get('/sandbox/.well-known/openid_sandbox_configuration/')).json()
    assert doc['token_endpoint'] == 'http://demo.test/sandbox/oauth2/v1/tokens/bearer'
    assert doc['issuer'] == 'http://demo.test/sandbox/op/v1'
    public = create_sandbox_app(SandboxConfig(public_base_url='https://qbo.example.org/'))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=public), base_url='http://internal') as client:
        doc = (await client.get('/.well-known/openid_configuration')).json()
    assert doc['authorization_endpoint'] == 'https://qbo.example.org/connect/oauth2'


async def test_consent_screen_shows_app_scopes_and_companies(sandbox_client, test_app, sandbox_state):
    response = await sandbox_client.get('/connect/oauth2', params=_authorize_params(
        test_app, scope=f'{ACCOUNTING_SCOPE} openid email'))
    assert response.status_code == 200 and response.headers['content-type'].startswith('text/html')
    html = response.text
    assert 'Connect Test App to QuickBooks' in html
    assert 'Manage your QuickBooks Online accounting data' in html and 'See your email address' in html
    for ref in sandbox_state.companies.realms():
        assert f'<option value="{ref.realm_id}">{ref.name}</option>' in html
    assert 'Create a new sandbox company' in html
    assert 'id="connect"' in html and 'id="cancel"' in html and 'name="consent_ticket"' in html
    assert 'qbsandbox_browser' in response.headers['set-cookie']


async def test_connect_redirects_with_code_state_and_realm(sandbox_client, test_app, realm_id):
    response = await _consent(sandbox_client, test_app, realm_choice=realm_id)
    assert response.status_code == 302
    location = response.headers['location']
    assert location.startswith(test_app.redirect_uris[0] + '?')
    query = _query(location)
    assert query['state'] == 'xyz-state' and query['realmId'] == realm_id and query['code']
    tokens = await _exchange(sandbox_client, test_app, query['code'])
    assert tokens.status_code == 200 and tokens.headers['cache-control'] == 'no-store'
    body = tokens.json()
    assert body['token_type'] == 'bearer' and body['expires_in'] == 3600
    assert body['x_refresh_token_expires_in'] == 8726400 and 'x_refresh_token_hard_expires_in' not in body


async def test_connect_can_create_a_new_company(sandbox_client, test_app, sandbox_state):
    before = {ref.realm_id for ref in sandbox_state.companies.realms()}
    response = await _consent(sandbox_client, test_app, realm_choice='new')
    realm = _query(response.headers['location'])['realmId']
    assert realm not in before and realm in {ref.realm_id for ref in sandbox_state.companies.realms()}


async def test_cancel_redirects_with_access_denied(sandbox_client, test_app):
    response = await _consent(sandbox_client, test_app, decision='deny')
    query = _query(response.headers['location'])
    assert query['error'] == 'access_denied' and query['state'] == 'xyz-state' and 'code' not in query


async def test_consent_form_is_bound_to_the_browser_and_expires(sandbox_client, sandbox_app, test_app, clock):
    page = await sandbox_client.get('/connect/oauth2', params=_authorize_params(test_app))
    ticket = re.search(r'name="consent_ticket" value="([^"]+)"', page.text).group(1)
    transport = httpx.ASGITransport(app=sandbox_app)
    async with httpx.AsyncClient(transport=transport, base_url='http://sandbox.test') as other:
        forged = await other.post('/connect/oauth2', data={'consent_ticket': ticket, 'decision': 'allow'})
    assert forged.status_code == 400 and 'another browser session' in forged.text
    tampered = await sandbox_client.post('/connect/oauth2', data={'consent_ticket': ticket[:-2] + 'xx',
                                                                   'decision': 'allow'})
    assert tampered.status_code == 400
    clock.advance(CONSENT_TICKET_LIFETIME)
    late = await sandbox_client.post('/connect/oauth2', data={'consent_ticket': ticket, 'decision': 'allow'})
    assert late.status_code == 400 and 'expired' in late.text


@pytest.mark.parametrize('overrides, message', [
    ({'client_id': 'nobody'}, 'not a registered app'),
    ({'redirect_uri': 'https://attacker.example/cb'}, 'redirect_uri is not registered'),
    ({'redirect_uri': None}, 'redirect_uri is not registered'),
])
async def test_unknown_client_or_redirect_uri_is_an_error_page_never_a_redirect(sandbox_client, test_app,
                                                                                 overrides, message):
    response = await sandbox_client.get('/connect/oauth2', params=_authorize_params(test_app, **overrides))
    assert response.status_code == 400 and 'location' not in response.headers
    assert message in response.text


@pytest.mark.parametrize('overrides, error', [
    ({'response_type': 'token'}, 'unsupported_response_type'),
    ({'scope': 'com.intuit.quickbooks.everything'}, 'invalid_scope'),
    ({'scope': None}, 'invalid_scope'),
])
async def test_bad_response_type_or_scope_redirects_with_error(sandbox_client, test_app, overrides, error):
    response = await sandbox_client.get('/connect/oauth2', params=_authorize_params(test_app, **overrides))
    assert response.status_code == 302
    query = _query(response.headers['location'])
    assert query['error'] == error and query['state'] == 'xyz-state'


async def test_token_endpoint_client_authentication(sandbox_client, test_app, sandbox_state, realm_id):
    code = sandbox_state.grants.issue_code(test_app.client_id, test_app.redirect_uris[0], (ACCOUNTING_SCOPE,),
                                           realm_id)
    form = {'grant_type': 'authorization_code', 'code': code, 'redirect_uri': test_app.redirect_uris[0]}
    for headers in (_basic(test_app.client_id, 'wrong'), _basic('nobody', test_app.client_secret),
                    {'Authorization': 'Basic !!!'}, {}):
        response = await sandbox_client.post(TOKEN_URL, data=form, headers=headers)
        assert response.status_code == 401 and response.json()['error'] == 'invalid_client'
        assert response.headers['www-authenticate'].startswith('Basic')
    posted = await sandbox_client.post(TOKEN_URL, data={**form, 'client_id': test_app.client_id,
                                                        'client_secret': test_app.client_secret})
    assert posted.status_code == 200 and posted.json()['access_token']


async def test_token_endpoint_errors(sandbox_client, test_app):
    auth = _basic(test_app.client_id, test_app.client_secret)
    cases = [({'grant_type': 'password'}, 'unsupported_grant_type'), ({}, 'invalid_request'),
             ({'grant_type': 'authorization_code'}, 'invalid_request'),
             ({'grant_type': 'authorization_code', 'code': 'AB11bogus', 'redirect_uri': test_app.redirect_uris[0]},
              'invalid_grant'),
             ({'grant_type': 'refresh_token', 'refresh_token': 'AB11bogus'}, 'invalid_grant')]
    for form, error in cases:
        response = await sandbox_client.post(TOKEN_URL, data=form, headers=auth)
        assert (response.status_code, response.json()['error']) == (400, error), form
        assert response.json()['error_description']
    as_json = await sandbox_client.post(TOKEN_URL, json={'grant_type': 'refresh_token'}, headers=auth)
    assert as_json.status_code == 400 and as_json.json()['error'] == 'invalid_request'


async def test_code_exchange_needs_the_same_redirect_uri_and_works_once(sandbox_client, test_app, sandbox_state,
                                                                        realm_id):
    sandbox_state.apps.register(test_app.client_id, test_app.client_secret, name=test_app.name,
                                redirect_uris=[*test_app.redirect_uris, 'https://app.example.com/other'])
    code = _query((await _consent(sandbox_client, test_app, realm_choice=realm_id)).headers['location'])['code']
    mismatch = await _exchange(sandbox_client, test_app, code, redirect_uri='https://app.example.com/other')
    assert mismatch.status_code == 400 and mismatch.json()['error'] == 'invalid_grant'
    assert (await _exchange(sandbox_client, test_app, code)).status_code == 200
    again = await _exchange(sandbox_client, test_app, code)
    assert again.status_code == 400 and again.json()['error'] == 'invalid_grant'


async def test_refresh_rotates_and_reports_hard_expiry_on_request(sandbox_client, test_app, sandbox_state, realm_id,
                                                                  clock):
    first = sandbox_state.grants.connect(test_app.client_id, realm_id)
    auth = _basic(test_app.client_id, test_app.client_secret)
    clock.advance(days=10)
    response = await sandbox_client.post(TOKEN_URL, data={'grant_type': 'refresh_token',
                                                          'refresh_token': first.refresh_token},
                                         headers={**auth, 'x-include-refresh-token-hard-expires-in': 'true'})
    body = response.json()
    assert response.status_code == 200 and body['refresh_token'] != first.refresh_token
    assert body['x_refresh_token_expires_in'] == 101 * 86400
    assert body['x_refresh_token_hard_expires_in'] == (5 * 365 - 10) * 86400
    clock.advance(hours=24)
    stale = await sandbox_client.post(TOKEN_URL, data={'grant_type': 'refresh_token',
                                                       'refresh_token': first.refresh_token}, headers=auth)
    assert stale.status_code == 400 and stale.json()['error'] == 'invalid_grant'


@pytest.mark.parametrize('as_json', [True, False])
async def test_revoke_kills_the_grant(sandbox_client, test_app, sandbox_state, realm_id, as_json):
    tokens = sandbox_state.grants.connect(test_app.client_id, realm_id)
    auth = _basic(test_app.client_id, test_app.client_secret)
    body = {'json': {'token': tokens.refresh_token}} if as_json else {'data': {'token': tokens.refresh_token}}
    response = await sandbox_client.post(REVOKE_URL, headers=auth, **body)
    assert response.status_code == 200 and response.content == b''
    refresh = await sandbox_client.post(TOKEN_URL, data={'grant_type': 'refresh_token',
                                                         'refresh_token': tokens.refresh_token}, headers=auth)
    assert refresh.json()['error'] == 'invalid_grant'
    userinfo = await sandbox_client.get('/v1/openid_connect/userinfo',
                                        headers={'Authorization': f'Bearer {tokens.access_token}'})
    assert userinfo.status_code == 401
    assert sandbox_state.grants.connected_apps(realm_id) == []


async def test_revoke_needs_client_credentials_and_a_token(sandbox_client, test_app, sandbox_state, realm_id):
    tokens = sandbox_state.grants.connect(test_app.client_id, realm_id)
    bad = await sandbox_client.post(REVOKE_URL, json={'token': tokens.refresh_token},
                                    headers=_basic(test_app.client_id, 'wrong'))
    assert bad.status_code == 401 and bad.json()['error'] == 'invalid_client'
    empty = await sandbox_client.post(REVOKE_URL, json={}, headers=_basic(test_app.client_id, test_app.client_secret))
    assert empty.status_code == 400 and empty.json()['error'] == 'invalid_request'
    legacy = await sandbox_client.post('/oauth2/v1/tokens/revoke', json={'token': tokens.access_token},
                                       headers=_basic(test_app.client_id, test_app.client_secret))
    assert legacy.status_code == 200 and sandbox_state.grants.connected_apps(realm_id) == []


async def test_userinfo_reflects_openid_scopes(sandbox_client, test_app, sandbox_state, realm_id):
    with_profile = sandbox_state.grants.connect(test_app.client_id, realm_id, (ACCOUNTING_SCOPE, 'openid', 'email'))
    response = await sandbox_client.get('/v1/openid_connect/userinfo',
                                        headers={'Authorization': f'Bearer {with_profile.access_token}'})
    assert response.status_code == 200
    claims = response.json()
    assert claims['email'] == sandbox_state.grants.user.email and claims['emailVerified'] is True
    assert claims['sub'] == sandbox_state.grants.user.sub and 'givenName' not in claims
    accounting_only = sandbox_state.grants.connect(test_app.client_id, realm_id)
    denied = await sandbox_client.get('/v1/openid_connect/userinfo',
                                      headers={'Authorization': f'Bearer {accounting_only.access_token}'})
    assert denied.status_code == 403 and denied.json()['error'] == 'insufficient_scope'
    assert (await sandbox_client.get('/v1/openid_connect/userinfo')).status_code == 401


async def test_openid_code_exchange_returns_a_verifiable_id_token(sandbox_client, test_app, realm_id):
    import jwt

    response = await _consent(sandbox_client, test_app, realm_choice=realm_id, scope=f'{ACCOUNTING_SCOPE} openid')
    body = (await _exchange(sandbox_client, test_app, _query(response.headers['location'])['code'])).json()
    keys = (await sandbox_client.get('/op/v1/jwks')).json()
    key = jwt.PyJWKSet.from_dict(keys)[jwt.get_unverified_header(body['id_token'])['kid']].key
    claims = jwt.decode(body['id_token'], key, algorithms=['RS256'], audience=test_app.client_id,
                        options={'verify_exp': False, 'verify_iat': False})
    assert claims['iss'] == 'http://sandbox.test/op/v1' and claims['realmid'] == realm_id
