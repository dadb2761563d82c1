"""Backup and restore end to end: a connected app is backed up, restored into a fresh folder, and the restored app
talks to QuickBooks (the sandbox) with the restored connection; links and log come back unchanged."""
from __future__ import annotations

import asyncio
import dataclasses
import os
import stat
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from qbsync.cli import main
from qbsync.db import Database
from qbsync.models import EntityLink, LinkStatus, SyncLogEntry, SyncRun
from qbsync.models.records import utcnow
from qbsync.operations.backup import BackupError, create_backup
from qbsync.operations.restore import restore_backup
from qbsync.security import TokenCipher
from qbsync.services.connection import ConnectionService
from qbsync.settings import load_settings

from connection_env import ConnectionEnv, connection_env  # noqa: F401 (fixture)
from engine_env import engine_env  # noqa: F401 (fixture)


async def _connected_with_history(env: ConnectionEnv) -> None:
    assert (await env.connect()).result.value == 'connected'
    async with env.db.session() as session:
        run = SyncRun(realm_id=env.realm_id, trigger='manual', status='succeeded', created=1)
        session.add(run)
        await session.flush()
        session.add(EntityLink(realm_id=env.realm_id, entity_type='customer', local_id=1, qbo_id='58',
                               sync_token='3', status=LinkStatus.SYNCED, synced_version=2))
        session.add(SyncLogEntry(run_id=run.id, realm_id=env.realm_id, entity_type='customer', local_id=1,
                                 qbo_id='58', action='create', message='Created customer 58'))
        await session.commit()


async def _history(db: Database) -> list[tuple]:
    async with db.session() as session:
        links = (await session.exec(select(EntityLink.qbo_id, EntityLink.sync_token, EntityLink.status))).all()
        log = (await session.exec(select(SyncLogEntry.action, SyncLogEntry.message))).all()
        runs = (await session.exec(select(SyncRun.trigger, SyncRun.status, SyncRun.created))).all()
    return [*links, *log, *runs]


async def test_restore_into_a_fresh_folder_keeps_the_connection_links_and_log(
        connection_env: ConnectionEnv, tmp_path: Path) -> None:
    env = connection_env
    await _connected_with_history(env)
    settings = dataclasses.replace(env.settings, database_url=f'sqlite+aiosqlite:///{env.database_file}')
    path, manifest = create_backup(settings, tmp_path / 'nightly.tar.gz')

    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it carries the token key
    assert manifest.key_in_backup and 'token-encryption-key' in manifest.secrets
    with tarfile.open(path) as archive:
        assert {'manifest.json', 'database.sqlite', 'secrets/token-encryption-key'} <= set(archive.getnames())

    fresh = tmp_path / 'new-disk'
    report = restore_backup(path, {'QBSYNC_DATA_DIR': str(fresh)})
    assert report.ok and report.connections == 1

    restored = dataclasses.replace(load_settings({'QBSYNC_DATA_DIR': str(fresh)}), client_id=env.settings.client_id,
                                   client_secret=env.settings.client_secret, endpoints=env.settings.endpoints,
                                   redirect_uri=env.settings.redirect_uri, environment='sandbox')
    assert restored.token_encryption_keys == env.settings.token_encryption_keys
    db = Database(restored.database_url)
    service = ConnectionService(restored, db, TokenCipher(restored.token_encryption_keys), transport=env.transport,
                                now=env.clock.now)
    try:
        current = await service.current()
        assert current is not None and current.realm_id == env.realm_id
        assert await service.list_accounts()  # a live call with the restored, decrypted tokens
        assert await _history(db) == await _history(env.db)
    finally:
        await service.aclose()
        await db.dispose()


async def test_restore_refuses_a_folder_that_is_not_empty_and_a_damaged_file(
        connection_env: ConnectionEnv, tmp_path: Path) -> None:
    env = connection_env
    settings = dataclasses.replace(env.settings, database_url=f'sqlite+aiosqlite:///{env.database_file}')
    path, _ = create_backup(settings, tmp_path / 'b.tar.gz')

    occupied = tmp_path / 'occupied'
    load_settings({'QBSYNC_DATA_DIR': str(occupied)})  # an app that started once: secrets already generated
    key_before = (occupied / 'token-encryption-key').read_text()
    with pytest.raises(BackupError, match='not empty.*token-encryption-key'):
        restore_backup(path, {'QBSYNC_DATA_DIR': str(occupied)})
    assert (occupied / 'token-encryption-key').read_text() == key_before  # nothing overwritten

    damaged = tmp_path / 'damaged.tar.gz'
    with tarfile.open(path) as source, tarfile.open(damaged, 'w:gz') as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == 'database.sqlite':
                data = data[:-1] + bytes([data[-1] ^ 1])
            target.addfile(member, __import__('io').BytesIO(data))
    with pytest.raises(BackupError, match='damaged: database.sqlite'):
        restore_backup(damaged, {'QBSYNC_DATA_DIR': str(tmp_path / 'empty')})
    assert not (tmp_path / 'empty' / 'qbsync.db').exists()


async def test_a_restore_without_the_environment_key_is_reported(connection_env: ConnectionEnv,
                                                                 tmp_path: Path) -> None:
    """With the key in the environment the backup does not carry it; restoring under another key says so."""
    env = connection_env
    await _connected_with_history(env)
    key = (env.settings.data_dir / 'token-encryption-key').read_text().strip()
    (env.settings.data_dir / 'token-encryption-key').unlink()  # as if the key had come from the environment
    settings = dataclasses.replace(env.settings, database_url=f'sqlite+aiosqlite:///{env.database_file}')
    path, manifest = create_backup(settings, tmp_path / 'b.tar.gz')
    assert not manifest.key_in_backup

    from cryptography.fernet import Fernet
    wrong = {'QBSYNC_DATA_DIR': str(tmp_path / 'wrong'), 'QUICKBOOKS_TOKEN_ENCRYPTION_KEY': Fernet.generate_key()
             .decode()}
    report = restore_backup(path, wrong)
    assert not report.ok and 'QUICKBOOKS_TOKEN_ENCRYPTION_KEY' in report.key_problems[0]
    assert restore_backup(path, {'QBSYNC_DATA_DIR': str(tmp_path / 'right'),
                                 'QUICKBOOKS_TOKEN_ENCRYPTION_KEY': key}).ok


def test_cli_backup_then_restore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / 'source'
    monkeypatch.setenv('QBSYNC_DATA_DIR', str(source))
    assert main(['db', 'upgrade']) == 0
    assert main(['backup']) == 0
    (written,) = (source / 'backups').glob('qbsync-manual-*.tar.gz')
    assert f'Backup written to {written}' in capsys.readouterr().out
    monkeypatch.setenv('QBSYNC_DATA_DIR', str(tmp_path / 'target'))
    assert main(['restore', str(written)]) == 0
    assert 'Restored the backup' in capsys.readouterr().out
    assert main(['restore', str(written)]) == 2  # the folder is no longer empty
    assert 'not empty' in capsys.readouterr().err
    assert os.stat(tmp_path / 'target' / 'token-encryption-key').st_mode & 0o077 == 0


async def test_a_backup_taken_mid_sync_restores_and_the_next_run_sends_nothing_twice(engine_env,  # noqa: F811
                                                                                     tmp_path: Path) -> None:
    """The backup is taken while a real outbound run is half done (its run row 'running', its lease held, part of
    the records linked); restored on a new disk, the next run takes the dead run's lease over and finishes the job
    without creating any customer a second time in QuickBooks."""
    from qbsync.models import Customer
    from qbsync.quickbooks.retry import RetryPolicy
    from qbsync.sync.lease import LEASE_TTL
    from qbsync.sync.outbound import OutboundPass
    from qbsync.sync.progress import RunProgress
    from qbsync.sync.runner import SyncRunner
    from engine_env import sandbox_limiter

    env = engine_env
    names = [f'Backup Customer {n:03}' for n in range(45)]
    await env.add(*(Customer(display_name=name) for name in names))
    settings = dataclasses.replace(env.env.settings, database_url=f'sqlite+aiosqlite:///{env.env.database_file}')
    taken: list[Path] = []

    async def back_up_mid_run(progress: RunProgress) -> None:
        if not taken and 0 < progress.done < len(names) and not progress.finished:
            # in a thread, as the daily job does: the copy is made while the run waits at this progress point
            path, _ = await asyncio.to_thread(create_backup, settings, tmp_path / 'mid-run.tar.gz')
            taken.append(path)
    env.runner.progress.subscribe(back_up_mid_run)
    first = await env.runner.run(trigger='manual', entities=['customer'])
    assert taken and first.status == 'succeeded'

    fresh = tmp_path / 'new-disk'
    assert restore_backup(taken[0], {'QBSYNC_DATA_DIR': str(fresh)}).ok
    restored = dataclasses.replace(load_settings({'QBSYNC_DATA_DIR': str(fresh)}), client_id=env.env.settings.client_id,
                                   client_secret=env.env.settings.client_secret, endpoints=env.env.settings.endpoints,
                                   redirect_uri=env.env.settings.redirect_uri, environment='sandbox')
    db = Database(restored.database_url)
    service = ConnectionService(restored, db, TokenCipher(restored.token_encryption_keys), transport=env.env.transport,
                                now=env.env.clock.now)
    later = lambda: utcnow() + LEASE_TTL + timedelta(seconds=5)  # noqa: E731  (the dead run's lease has expired)
    runner = SyncRunner(db, service.api, now=later,
                        outbound=OutboundPass(limiter=sandbox_limiter(env.env.clock), policy=RetryPolicy()))
    try:
        async with db.session() as session:
            (mid,) = (await session.exec(select(SyncRun))).all()
            linked = len((await session.exec(select(EntityLink).where(EntityLink.status == LinkStatus.SYNCED))).all())
        assert mid.status == 'running' and 0 < linked < len(names)  # the backup really is from the middle of a run
        second = await runner.run(trigger='manual', entities=['customer'])
        assert second.status == 'succeeded'
        async with db.session() as session:
            runs = {row.id: row.status for row in (await session.exec(select(SyncRun))).all()}
            synced = len((await session.exec(select(EntityLink).where(EntityLink.status == LinkStatus.SYNCED))).all())
        assert runs[mid.id] == 'interrupted' and synced == len(names)
        for name in names:  # once each in QuickBooks, whatever the two runs did
            assert len(env.remote_by('Customer', 'DisplayName', name)) == 1, name
    finally:
        await service.aclose()
        await db.dispose()
