"""GrantStore rules without HTTP: code exchange, rotation with the 24-hour grace, rolling and hard expiry, bearers."""
from __future__ import annotations

import pytest

from qbsync.sandbox.oauth.grants import (ACCOUNTING_SCOPE, AUTHORIZATION_CODE_LIFETIME, ApiAccessDenied,
                                         TokenError)

TEST_CLIENT_ID = 'test-client'                      # the conftest ``test_app``
TEST_REDIRECT_URI = 'https://app.example.com/callback'


@pytest.fixture
def grants(sandbox_state, test_app):
    return sandbox_state.grants


def _code(grants, realm_id, scopes=(ACCOUNTING_SCOPE,)):
    return grants.issue_code(TEST_CLIENT_ID, TEST_REDIRECT_URI, scopes, realm_id)


def _denied(call) -> ApiAccessDenied:
    with pytest.raises(ApiAccessDenied) as caught:
        call()
    return caught.value


def _grant_error(call) -> TokenError:
    with pytest.raises(TokenError) as caught:
        call()
    return caught.value


def test_code_exchange_gives_intuit_lifetimes(grants, realm_id):
    tokens = grants.exchange_code(TEST_CLIENT_ID, _code(grants, realm_id), TEST_REDIRECT_URI)
    body = tokens.body()
    assert body['token_type'] == 'bearer' and body['expires_in'] == 3600
    assert body['x_refresh_token_expires_in'] == 8726400              # Intuit's figure: 101 days
    assert 'x_refresh_token_hard_expires_in' not in body and 'id_token' not in body
    assert tokens.body(include_hard_expiry=True)['x_refresh_token_hard_expires_in'] == 5 * 365 * 86400
    assert tokens.access_token != tokens.refresh_token and len(tokens.access_token) > 500
    assert tokens.refresh_token not in repr(tokens) and tokens.access_token not in repr(tokens)


def test_code_is_single_use_short_lived_and_bound(grants, realm_id, clock):
    code = _code(grants, realm_id)
    mismatch = _grant_error(lambda: grants.exchange_code(TEST_CLIENT_ID, code, 'https://x.test/cb'))
    assert 'redirect_uri' in mismatch.description
    assert _grant_error(lambda: grants.exchange_code('other', code, TEST_REDIRECT_URI)).error == 'invalid_grant'
    grants.exchange_code(TEST_CLIENT_ID, code, TEST_REDIRECT_URI)
    assert 'already been used' in _grant_error(
        lambda: grants.exchange_code(TEST_CLIENT_ID, code, TEST_REDIRECT_URI)).description
    late = _code(grants, realm_id)
    clock.advance(AUTHORIZATION_CODE_LIFETIME)
    assert 'expired' in _grant_error(lambda: grants.exchange_code(TEST_CLIENT_ID, late, TEST_REDIRECT_URI)).description


def test_rotation_old_token_works_for_24_hours_then_invalid_grant(grants, realm_id, clock):
    first = grants.connect(TEST_CLIENT_ID, realm_id)
    second = grants.refresh(TEST_CLIENT_ID, first.refresh_token)
    assert second.refresh_token != first.refresh_token and second.access_token != first.access_token
    clock.advance(hours=23, minutes=59)
    third = grants.refresh(TEST_CLIENT_ID, first.refresh_token)   # still inside the grace: acts as the current one
    assert third.refresh_token not in {first.refresh_token, second.refresh_token}
    clock.advance(minutes=1)
    error = _grant_error(lambda: grants.refresh(TEST_CLIENT_ID, first.refresh_token))
    assert error.error == 'invalid_grant' and error.status == 400
    grants.refresh(TEST_CLIENT_ID, second.refresh_token)          # superseded 1 minute ago by third: still fine
    clock.advance(hours=24)
    assert _grant_error(lambda: grants.refresh(TEST_CLIENT_ID, second.refresh_token)).error == 'invalid_grant'


def test_refresh_token_of_another_client_is_invalid_grant(grants, sandbox_state, realm_id):
    sandbox_state.apps.register('other', 'other-secret', redirect_uris=['https://other.test/cb'])
    tokens = grants.connect(TEST_CLIENT_ID, realm_id)
    assert _grant_error(lambda: grants.refresh('other', tokens.refresh_token)).error == 'invalid_grant'


def test_rolling_window_expires_after_101_idle_days_and_each_refresh_extends_it(grants, realm_id, clock):
    tokens = grants.connect(TEST_CLIENT_ID, realm_id)
    clock.advance(days=99)
    tokens = grants.refresh(TEST_CLIENT_ID, tokens.refresh_token)
    assert tokens.refresh_expires_in == 101 * 86400
    clock.advance(days=101)
    assert _grant_error(lambda: grants.refresh(TEST_CLIENT_ID, tokens.refresh_token)).description == 'Token expired'
    assert grants.connected_apps(realm_id) == []


def test_hard_cap_of_five_years_cannot_be_refreshed_past(grants, realm_id, clock):
    tokens = grants.connect(TEST_CLIENT_ID, realm_id)
    for _ in range(19):                                  # 19 x 96 days = 1824 days, one short of 5 x 365
        clock.advance(days=96)
        tokens = grants.refresh(TEST_CLIENT_ID, tokens.refresh_token)
    assert tokens.refresh_hard_expires_in == 86400
    assert tokens.refresh_expires_in == 86400            # the rolling window is capped by the hard expiry
    clock.advance(days=1)
    assert _grant_error(lambda: grants.refresh(TEST_CLIENT_ID, tokens.refresh_token)).error == 'invalid_grant'


def test_bearer_checks_for_the_accounting_api(grants, sandbox_state, realm_id, clock, test_app):
    tokens = grants.connect(TEST_CLIENT_ID, realm_id)
    header = f'Bearer {tokens.access_token}'
    assert grants.authorize_api_call(header, realm_id) is test_app
    assert grants.authorize_api_call(f'bearer  {tokens.access_token}', realm_id) is test_app
    assert _denied(lambda: grants.authorize_api_call(None, realm_id)).status == 401
    garbage = _denied(lambda: grants.authorize_api_call('Bearer abc', realm_id))
    assert (garbage.status, garbage.code) == (401, '3200')
    assert garbage.detail == 'Malformed bearer token: too short or too long'
    assert _denied(lambda: grants.authorize_api_call('Bearer ' + 'x' * 900, realm_id)).status == 401
    other_realm = sandbox_state.companies.create_company().realm_id
    wrong = _denied(lambda: grants.authorize_api_call(header, other_realm))
    assert (wrong.status, wrong.code) == (403, '3100')
    clock.advance(seconds=3599)
    grants.authorize_api_call(header, realm_id)
    clock.advance(seconds=1)
    expired = _denied(lambda: grants.authorize_api_call(header, realm_id))
    assert expired.status == 401 and expired.detail.startswith('Token expired: ')


def test_openid_only_grant_cannot_call_the_accounting_api(grants, realm_id):
    tokens = grants.exchange_code(TEST_CLIENT_ID, _code(grants, None, ('openid', 'email')), TEST_REDIRECT_URI)
    assert tokens.realm_id is None
    assert _denied(lambda: grants.authorize_api_call(f'Bearer {tokens.access_token}', realm_id)).status == 403


def test_revoke_kills_refresh_and_access_tokens_of_the_grant(grants, realm_id, test_app):
    tokens = grants.connect(TEST_CLIENT_ID, realm_id)
    kept = grants.connect(TEST_CLIENT_ID, realm_id)      # a second, independent consent
    assert grants.connected_apps(realm_id) == [test_app]
    assert grants.revoke(TEST_CLIENT_ID, tokens.access_token) is True
    assert _grant_error(lambda: grants.refresh(TEST_CLIENT_ID, tokens.refresh_token)).error == 'invalid_grant'
    assert 'revoked' in _denied(lambda: grants.authorize_api_call(f'Bearer {tokens.access_token}', realm_id)).detail
    grants.authorize_api_call(f'Bearer {kept.access_token}', realm_id)
    assert grants.revoke(TEST_CLIENT_ID, 'no-such-token') is False
    assert grants.revoke_grant(realm_id, TEST_CLIENT_ID) is True
    assert grants.connected_apps(realm_id) == []


def test_revoke_refuses_another_clients_token(grants, sandbox_state, realm_id):
    sandbox_state.apps.register('other', 'other-secret', redirect_uris=['https://other.test/cb'])
    tokens = grants.connect(TEST_CLIENT_ID, realm_id)
    assert _grant_error(lambda: grants.revoke('other', tokens.refresh_token)).error == 'invalid_request'
    grants.refresh(TEST_CLIENT_ID, tokens.refresh_token)


def test_expire_access_tokens_forces_401_but_refresh_still_works(grants, realm_id):
    tokens = grants.connect(TEST_CLIENT_ID, realm_id)
    assert grants.expire_access_tokens(realm_id) == 1
    assert _denied(lambda: grants.authorize_api_call(f'Bearer {tokens.access_token}', realm_id)).status == 401
    fresh = grants.refresh(TEST_CLIENT_ID, tokens.refresh_token)
    grants.authorize_api_call(f'Bearer {fresh.access_token}', realm_id)


def test_tokens_are_stored_only_as_hashes(grants, realm_id):
    tokens = grants.connect(TEST_CLIENT_ID, realm_id)
    dump = repr(vars(grants))
    assert tokens.access_token not in dump and tokens.refresh_token not in dump


def test_grants_survive_a_restart_with_a_database_file(tmp_path, clock):
    from qbsync.sandbox import SandboxConfig, SandboxState
    from qbsync.sandbox.oauth.grant_file import grant_file_path

    config = SandboxConfig(clock=clock, database_path=tmp_path / 'sandbox.db')
    first = SandboxState(config)
    first.apps.register(TEST_CLIENT_ID, 'secret', redirect_uris=[TEST_REDIRECT_URI])
    realm = first.default_realm_id
    tokens = first.grants.connect(TEST_CLIENT_ID, realm)
    rotated = first.grants.refresh(TEST_CLIENT_ID, tokens.refresh_token)
    saved = grant_file_path(config.database_path)
    assert oct(saved.stat().st_mode & 0o777) == '0o600'
    assert tokens.refresh_token not in saved.read_text() and rotated.access_token not in saved.read_text()

    first.persistence.close()
    again = SandboxState(config)                 # a restart: apps are registered again by whoever starts it
    again.apps.register(TEST_CLIENT_ID, 'secret', redirect_uris=[TEST_REDIRECT_URI])
    again.grants.authorize_api_call(f'Bearer {rotated.access_token}', realm)
    assert again.grants.user.sub == first.grants.user.sub
    again.grants.refresh(TEST_CLIENT_ID, tokens.refresh_token)   # the older token's 24 hours carried over too
    clock.advance(hours=24)
    with pytest.raises(TokenError):
        again.grants.refresh(TEST_CLIENT_ID, tokens.refresh_token)
    again.persistence.close()


def test_an_unreadable_grant_file_is_refused_not_overwritten(tmp_path, clock):
    from qbsync.sandbox import SandboxConfig, SandboxState
    from qbsync.sandbox.oauth.grant_file import grant_file_path

    config = SandboxConfig(clock=clock, database_path=tmp_path / 'sandbox.db')
    grant_file_path(config.database_path).write_text('{"version": 7}')
    with pytest.raises(RuntimeError, match='cannot read the sandbox grants'):
        SandboxState(config)
    assert grant_file_path(config.database_path).read_text() == '{"version": 7}'
