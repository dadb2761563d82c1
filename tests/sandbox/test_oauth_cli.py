"""``qbsync sandbox``: options become registered apps and config; the banner never shows a secret."""
from __future__ import annotations

import argparse

import pytest

from qbsync import cli


def test_app_spec_keeps_the_colons_of_redirect_uris():
    spec = cli.parse_app_spec('my-app:s3cret:http://localhost:8080/cb,https://app.example/cb')
    assert (spec.client_id, spec.client_secret) == ('my-app', 's3cret')
    assert spec.redirect_uris == ['http://localhost:8080/cb', 'https://app.example/cb']
    with pytest.raises(argparse.ArgumentTypeError):
        cli.parse_app_spec('only-an-id')


def test_sandbox_command_registers_apps_and_serves(monkeypatch, capsys, tmp_path):
    served = {}
    monkeypatch.setattr('uvicorn.run', lambda app, **kwargs: served.update(app=app, **kwargs))
    code = cli.main(['sandbox', '--port', '9123', '--app', 'a1:topsecret-1:http://localhost:1/cb',
                     '--app', 'a2:topsecret-2:https://two.example/cb', '--webhook-url', 'https://hooks.example/qb',
                     '--verifier-token', 'verifier-xyz', '--cloudevents', '--public-url', 'https://qbo.example/',
                     '--data', str(tmp_path / 'sandbox.db')])
    assert code == 0
    state = served['app'].state.sandbox
    assert (served['host'], served['port']) == ('127.0.0.1', 9123)
    assert state.config.public_base_url == 'https://qbo.example'
    assert state.config.database_path == tmp_path / 'sandbox.db'
    apps = {app.client_id: app for app in state.apps.all()}
    assert apps['a2'].client_secret == 'topsecret-2' and apps['a2'].redirect_uris == ['https://two.example/cb']
    assert all(app.webhook_format == 'cloudevents' and app.verifier_token == 'verifier-xyz' for app in apps.values())
    out = capsys.readouterr().out
    assert 'https://qbo.example/.well-known/openid_sandbox_configuration/' in out
    assert 'App: a1' in out and 'App: a2' in out
    assert 'topsecret' not in out and 'verifier-xyz' not in out


def test_bad_options_fail_cleanly(monkeypatch, capsys):
    monkeypatch.setattr('uvicorn.run', lambda *a, **k: pytest.fail('must not serve'))
    assert cli.main(['sandbox', '--app', 'a1:s:not-a-url']) == 2
    assert 'redirect URI' in capsys.readouterr().err
    assert cli.main(['sandbox', '--verifier-token', 'v']) == 2
    with pytest.raises(SystemExit):
        cli.main(['sandbox', '--app', 'broken'])


def test_fault_injection_and_throttle_switches(monkeypatch):
    served = {}
    monkeypatch.setattr('uvicorn.run', lambda app, **kwargs: served.update(app=app, **kwargs))
    assert cli.main(['sandbox', '--app', 'load:secret-load-1:http://localhost:1/cb', '--fault-injection',
                     '--no-throttle', '--throttle-xml']) == 0
    state = served['app'].state.sandbox
    assert state.config.fault_injection and state.config.throttle_xml
    assert state.apps.get('load').throttling is False
    served.clear()
    assert cli.main(['sandbox', '--app', 'plain:secret-plain-1:http://localhost:1/cb']) == 0
    state = served['app'].state.sandbox
    assert not state.config.fault_injection and not state.config.throttle_xml
    assert state.apps.get('plain').throttling is True


def test_webhook_entities_option(monkeypatch, capsys):
    served = {}
    monkeypatch.setattr('uvicorn.run', lambda app, **kwargs: served.update(app=app, **kwargs))
    assert cli.main(['sandbox', '--app', 'hooks:secret-hooks-1:http://localhost:1/cb', '--webhook-url',
                     'https://hooks.example/qb', '--verifier-token', 'v-1', '--webhook-entities',
                     'invoice, Customer.merge']) == 0
    assert served['app'].state.sandbox.apps.get('hooks').webhook_entities == ['Invoice', 'Customer.Merge']
    assert 'for Invoice, Customer.Merge' in capsys.readouterr().out
    served.clear()
    assert cli.main(['sandbox', '--app', 'all:secret-all-1:http://localhost:1/cb']) == 0
    assert served['app'].state.sandbox.apps.get('all').webhook_entities is None
    with pytest.raises(SystemExit):
        cli.main(['sandbox', '--webhook-entities', 'Invoice,Widgets'])
    assert 'Widgets' in capsys.readouterr().err
