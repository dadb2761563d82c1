"""The admin API for apps and headless consent: what scripts use to get tokens without a browser."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from qbsync.sandbox import SandboxConfig, create_sandbox_app

APP = {'client_id': 'script-app', 'client_secret': 'script-secret-abcdef123456', 'name': 'Script App',
       'redirect_uris': ['http://localhost:8080/cb', 'https://script.example/cb'],
       'webhook_url': 'https://script.example/webhook', 'verifier_token': 'verifier-token-9876',
       'webhook_format': 'cloudevents', 'throttling': False}


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def test_register_and_list_apps_never_echo_secrets(sandbox_client, sandbox_state):
    created = await sandbox_client.post('/_sandbox/apps', json=APP)
    assert created.status_code == 201
    listing = await sandbox_client.get('/_sandbox/apps')
    one = await sandbox_client.get('/_sandbox/apps/script-app')
    for text in (created.text, listing.text, one.text):
        assert APP['client_secret'] not in text and APP['verifier_token'] not in text
    shown = one.json()
    assert shown['client_secret'] == '********' and shown['verifier_token'] == '********'  # fully masked
    assert shown['webhook_format'] == 'cloudevents' and shown['throttling'] is False
    app = sandbox_state.apps.get('script-app')
    assert app.client_secret == APP['client_secret'] and app.redirect_uris == APP['redirect_uris']
    assert (await sandbox_client.get('/_sandbox/apps/nobody')).status_code == 404


async def test_re_registering_replaces_and_bad_settings_are_refused(sandbox_client, sandbox_state):
    await sandbox_client.post('/_sandbox/apps', json=APP)
    refused = await sandbox_client.post('/_sandbox/apps', json={**APP, 'name': 'Renamed'})
    assert refused.status_code == 409 and 'overwrite' in refused.json()['error_description']
    assert sandbox_state.apps.get('script-app').name != 'Renamed'
    replaced = await sandbox_client.post('/_sandbox/apps', json={**APP, 'name': 'Renamed', 'overwrite': True})
    assert replaced.status_code == 201 and sandbox_state.apps.get('script-app').name == 'Renamed'
    assert len(sandbox_state.apps.all()) == 1
    bad_uri = await sandbox_client.post('/_sandbox/apps', json={**APP, 'redirect_uris': ['not a url'],
                                                                 'overwrite': True})
    assert bad_uri.status_code == 400 and 'redirect URI' in bad_uri.json()['error_description']
    bad_format = await sandbox_client.post('/_sandbox/apps', json={**APP, 'webhook_format': 'xml', 'overwrite': True})
    assert bad_format.status_code == 422
    assert sandbox_state.apps.get('script-app').name == 'Renamed'


async def test_headless_consent_then_code_exchange(sandbox_client, test_app, realm_id):
    response = await sandbox_client.post('/_sandbox/consent', json={'client_id': test_app.client_id,
                                                                    'state': 's1'})
    url = response.json()['redirect_url']
    assert url.startswith(test_app.redirect_uris[0] + '?')
    query = _query(url)
    assert query['state'] == 's1' and query['realmId'] == realm_id
    exchange = await sandbox_client.post('/oauth2/v1/tokens/bearer', auth=(test_app.client_id, test_app.client_secret),
                                         data={'grant_type': 'authorization_code', 'code': query['code'],
                                               'redirect_uri': test_app.redirect_uris[0]})
    assert exchange.status_code == 200 and exchange.json()['expires_in'] == 3600


async def test_headless_consent_deny_and_errors(sandbox_client, test_app):
    denied = await sandbox_client.post('/_sandbox/consent', json={'client_id': test_app.client_id, 'state': 's2',
                                                                  'decision': 'deny'})
    assert _query(denied.json()['redirect_url']) == {'error': 'access_denied', 'state': 's2',
                                                     'error_description': 'The user denied the request'}
    bad_scope = await sandbox_client.post('/_sandbox/consent', json={'client_id': test_app.client_id,
                                                                     'scope': 'nonsense'})
    assert _query(bad_scope.json()['redirect_url'])['error'] == 'invalid_scope'
    unknown = await sandbox_client.post('/_sandbox/consent', json={'client_id': 'nobody'})
    assert unknown.status_code == 400 and unknown.json()['error'] == 'invalid_client'
    wrong_uri = await sandbox_client.post('/_sandbox/consent', json={'client_id': test_app.client_id,
                                                                     'redirect_uri': 'https://evil.example/cb'})
    assert wrong_uri.status_code == 400 and 'redirect_url' not in wrong_uri.json()
    no_realm = await sandbox_client.post('/_sandbox/consent', json={'client_id': test_app.client_id,
                                                                    'realm_id': '123'})
    assert no_realm.status_code == 400 and 'no sandbox company' in no_realm.json()['error_description']


async def test_tokens_in_one_call_work_on_the_api_gatekeeper(sandbox_client, test_app, sandbox_state, realm_id):
    response = await sandbox_client.post('/_sandbox/tokens', json={'client_id': test_app.client_id,
                                                                   'client_secret': test_app.client_secret},
                                         headers={'x-include-refresh-token-hard-expires-in': 'true'})
    assert response.status_code == 200
    body = response.json()
    assert body['realmId'] == realm_id and body['token_type'] == 'bearer'
    assert body['x_refresh_token_hard_expires_in'] == 5 * 365 * 86400
    assert sandbox_state.grants.authorize_api_call(f'Bearer {body["access_token"]}', realm_id) is test_app
    new_company = await sandbox_client.post('/_sandbox/tokens', json={
        'client_id': test_app.client_id, 'client_secret': test_app.client_secret, 'realm_id': 'new'})
    assert new_company.json()['realmId'] != realm_id
    wrong = await sandbox_client.post('/_sandbox/tokens', json={'client_id': test_app.client_id,
                                                                'client_secret': 'nope'})
    assert wrong.status_code == 401 and wrong.json()['error'] == 'invalid_client'


async def test_grant_admin_lists_expires_and_revokes(sandbox_client, test_app, sandbox_state, realm_id):
    tokens = sandbox_state.grants.connect(test_app.client_id, realm_id)
    listing = (await sandbox_client.get('/_sandbox/grants', params={'realm_id': realm_id})).json()
    assert [(g['client_id'], g['realm_id']) for g in listing] == [(test_app.client_id, realm_id)]
    assert tokens.refresh_token not in str(listing)
    expired = await sandbox_client.post('/_sandbox/grants/expire-access-tokens', json={'realm_id': realm_id})
    assert expired.json() == {'expired': 1}
    revoked = await sandbox_client.post('/_sandbox/grants/revoke', json={'realm_id': realm_id,
                                                                        'client_id': test_app.client_id})
    assert revoked.json() == {'revoked': True} and sandbox_state.grants.connected_apps(realm_id) == []


async def test_admin_api_is_absent_when_switched_off():
    app = create_sandbox_app(SandboxConfig(admin_api=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url='http://sandbox.test') as client:
        assert (await client.get('/_sandbox/apps')).status_code == 404
        assert (await client.post('/_sandbox/tokens', json={})).status_code == 404
