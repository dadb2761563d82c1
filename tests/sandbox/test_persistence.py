"""Persistence: companies survive a restart in demo mode (SQLite, write-through); tests stay in memory."""
from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState
from qbsync.sandbox.accounting.store import Replay


def _open(path, clock=None):
    return SandboxState(SandboxConfig(clock=clock or ManualClock(), database_path=path))


def _filled(objects):
    """Buckets that hold something (a bucket emptied by a delete is not saved as such)."""
    return {entity: bucket for entity, bucket in objects.items() if bucket}


def test_every_commit_replay_and_counter_survives_a_restart(tmp_path):
    path = tmp_path / 'data' / 'sandbox.db'
    state = _open(path)
    company = state.companies.get(state.default_realm_id)
    customer = company.commit('Customer', {'DisplayName': 'Acme', 'Balance': Decimal('100')}, 'Create')
    company.commit('Customer', {**customer, 'Balance': Decimal('12.50')}, 'Update')
    invoice = company.commit('Invoice', {'TotalAmt': Decimal('7.00'), 'Line': [{'LineNum': 1}]}, 'Create')
    company.commit('Invoice', {'Id': invoice['Id']}, 'Delete')
    company.replays['req-1'] = Replay(200, b'{"Customer":{}}')
    before = (_filled(company.objects), company.tombstones, company.counters)

    restarted = _open(path)
    again = restarted.companies.get(state.default_realm_id)
    assert restarted.default_realm_id == state.default_realm_id
    assert (_filled(again.objects), again.tombstones, again.counters) == before
    saved = again.get_object('Customer', customer['Id'])
    assert saved['Balance'] == Decimal('12.50') and isinstance(saved['Balance'], Decimal)
    assert saved['SyncToken'] == '1' and again.get_object('Invoice', invoice['Id']) is None
    assert again.tombstones['Invoice'][invoice['Id']]['status'] == 'Deleted'
    assert again.replays == {'req-1': Replay(200, b'{"Customer":{}}')}
    assert again.commit('Customer', {'DisplayName': 'Next'}, 'Create')['Id'] == str(int(customer['Id']) + 1)


def test_reset_and_new_companies_are_saved_too(tmp_path):
    path = tmp_path / 'sandbox.db'
    state = _open(path)
    company = state.companies.get(state.default_realm_id)
    seeded = {entity: dict(bucket) for entity, bucket in company.objects.items()}
    company.commit('Customer', {'DisplayName': 'Gone after reset'}, 'Create')
    second = state.companies.create_company('Second Co')
    state.companies.get(second.realm_id).commit('Item', {'Name': 'Kept'}, 'Create')
    state.companies.reset(state.default_realm_id)

    restarted = _open(path)
    assert [r.name for r in restarted.companies.realms()] == [company.name, 'Second Co']
    assert _filled(restarted.companies.get(state.default_realm_id).objects) == seeded
    assert any(o.get('Name') == 'Kept' for o in restarted.companies.get(second.realm_id).objects['Item'].values())


def test_memory_mode_writes_no_file(tmp_path):
    state = SandboxState(SandboxConfig(clock=ManualClock()))
    state.companies.get(state.default_realm_id).commit('Customer', {'DisplayName': 'Ephemeral'}, 'Create')
    assert state.persistence is None and list(tmp_path.iterdir()) == []


def test_a_file_whose_realms_cannot_be_recreated_is_refused(tmp_path):
    path = tmp_path / 'sandbox.db'
    state = _open(path)
    realm = state.default_realm_id
    with sqlite3.connect(path) as db:
        db.execute('UPDATE company SET realm_id = ? WHERE realm_id = ?', (str(int(realm) + 5), realm))
    with pytest.raises(RuntimeError, match='cannot be recreated'):
        _open(path)
