"""Backups taken while the app writes are consistent (SQLite's online backup; PostgreSQL's snapshot dump), restore
into an empty database of the same kind, and the daily job keeps the newest N."""
from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from qbsync.db import Database, create_sync_engine
from qbsync.models import Customer, SyncLogEntry, SyncRun
from qbsync.operations.backup import BACKUP_JOB, BackupError, create_backup, daily_backup
from qbsync.operations.restore import restore_backup
from qbsync.services import Services
from qbsync.settings import Settings, load_settings


def _settings(tmp_path: Path, url: str, **changes: object) -> Settings:
    return dataclasses.replace(load_settings({'QBSYNC_DATA_DIR': str(tmp_path / 'data')}), database_url=url,
                               **changes)  # type: ignore[arg-type]


class Writer(threading.Thread):
    """Commits runs with their log entries (run.created == its entries) as fast as it can, like a busy sync."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = create_sync_engine(url)
        self.commits = 0
        self.warmed_up = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                with Session(self.engine) as session:
                    entries = self.commits % 7 + 1
                    run = SyncRun(realm_id='9341', trigger='scheduled', status='succeeded', created=entries)
                    session.add(run)
                    session.flush()
                    session.add_all(SyncLogEntry(run_id=run.id, realm_id='9341', action='create', message=f'#{n}')
                                    for n in range(entries))
                    session.add(Customer(display_name=f'Customer {self.commits}'))
                    session.commit()
                self.commits += 1
                if self.commits >= 5:
                    self.warmed_up.set()
        except BaseException as error:  # reported by the test
            self.error = error
            self.warmed_up.set()
        finally:
            self.engine.dispose()


def _restore_target(request: pytest.FixtureRequest, url: str, folder: Path) -> dict[str, str]:
    env = {'QBSYNC_DATA_DIR': str(folder)}
    if url.startswith('postgresql'):
        env['QBSYNC_DATABASE_URL'] = request.getfixturevalue('postgres_server').create_database()
    return env


async def test_backups_taken_during_writes_are_consistent(database_url: str, tmp_path: Path,
                                                          request: pytest.FixtureRequest) -> None:
    settings = _settings(tmp_path, database_url)
    writer = Writer(database_url)
    writer.start()
    try:
        assert writer.warmed_up.wait(60) and writer.error is None
        before = writer.commits
        paths = [create_backup(settings, tmp_path / f'{n}.tar.gz')[0] for n in range(3)]
        during = writer.commits - before
    finally:
        writer.stop.set()
        writer.join(60)
    assert writer.error is None and during > 0  # the app kept writing while the backups ran

    for n, path in enumerate(paths):
        env = _restore_target(request, database_url, tmp_path / f'restored-{n}')
        report = restore_backup(path, env)
        db = Database(env.get('QBSYNC_DATABASE_URL') or f'sqlite+aiosqlite:///{tmp_path / f"restored-{n}/qbsync.db"}')
        try:
            async with db.session() as session:
                runs = (await session.exec(select(SyncRun.id, SyncRun.created))).all()
                entries = dict((await session.exec(select(SyncLogEntry.run_id, func.count()).group_by(
                    SyncLogEntry.run_id))).all())
                customers = (await session.exec(select(func.count()).select_from(Customer))).one()
                session.add(Customer(display_name='After restore'))  # the id sequence continues past the rows
                await session.commit()
        finally:
            await db.dispose()
        assert runs and customers == len(runs)  # whole transactions only
        assert all(entries[run_id] == created for run_id, created in runs)
        assert report.manifest.backend == database_url.split('+')[0]


async def test_restore_needs_the_same_kind_of_database_and_an_empty_one(database_url: str, tmp_path: Path,
                                                                        request: pytest.FixtureRequest) -> None:
    path, manifest = create_backup(_settings(tmp_path, database_url), tmp_path / 'b.tar.gz')
    if manifest.backend == 'sqlite':
        other = {'QBSYNC_DATA_DIR': str(tmp_path / 'x'), 'QBSYNC_DATABASE_URL': 'postgresql+asyncpg://u@h/db'}
        with pytest.raises(BackupError, match='holds a sqlite database but .* postgresql'):
            restore_backup(path, other)
        return
    occupied = {'QBSYNC_DATA_DIR': str(tmp_path / 'x'), 'QBSYNC_DATABASE_URL': database_url}  # migrated, in use
    engine = create_sync_engine(database_url)
    with Session(engine) as session:
        session.add(Customer(display_name='Already here'))
        session.commit()
    engine.dispose()
    with pytest.raises(BackupError, match='not empty'):
        restore_backup(path, occupied)
    with pytest.raises(BackupError, match='holds a postgresql database but .* sqlite'):
        restore_backup(path, {'QBSYNC_DATA_DIR': str(tmp_path / 'y')})


def test_daily_backups_keep_the_newest(tmp_path: Path) -> None:
    settings = _settings(tmp_path, f'sqlite+aiosqlite:///{tmp_path / "data" / "qbsync.db"}', backup_keep=2)
    from qbsync.db import upgrade_schema
    upgrade_schema(settings.database_url)
    manual, _ = create_backup(settings)
    made = [daily_backup(settings) for _ in range(3)]
    left = sorted((settings.data_dir / 'backups').glob('qbsync-daily-*.tar.gz'))
    assert left == made[1:] and manual.exists()  # only daily ones are pruned


@pytest.mark.parametrize('keep', [7, 0])
async def test_the_daily_backup_job_is_scheduled_unless_turned_off(tmp_path: Path, keep: int) -> None:
    settings = dataclasses.replace(load_settings({'QBSYNC_DATA_DIR': str(tmp_path / 'data'),
                                                  'QBSYNC_DEMO_DATA': '0'}), backup_keep=keep)
    services = Services(settings)
    services.start()
    try:
        jobs = {job.id: job for job in services.scheduler.scheduled_jobs()}
        assert (BACKUP_JOB in jobs) == (keep > 0)
        if keep:
            assert jobs[BACKUP_JOB].interval_seconds == 86400
    finally:
        await services.stop()
