"""Schema upgrades: a backup before migrating an existing database, a failed migration undone, `qbsync db`.

A newer qbsync is simulated by a copy of the migrations with one more revision after the real head.
"""
from __future__ import annotations

import dataclasses
import shutil
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, select

import qbsync.db
from qbsync.cli import main
from qbsync.db import MIGRATIONS_DIR, create_sync_engine, current_revision, head_revision, upgrade_schema
from qbsync.models import Customer
from qbsync.operations.backup import read_manifest
from qbsync.operations.restore import restore_backup
from qbsync.operations.upgrade import MigrationFailed, upgrade_database
from qbsync.security import PasswordHasher
from qbsync.services.bootstrap import bootstrap_database
from qbsync.settings import Settings, load_settings

NEXT = 'ffff'
GOOD = """
def upgrade() -> None:
    op.create_table('opsprobe', sa.Column('id', sa.Integer(), primary_key=True))
"""
BAD = """
def upgrade() -> None:
    op.create_table('opsprobe', sa.Column('id', sa.Integer(), primary_key=True))
    with op.batch_alter_table('customer') as batch:
        batch.add_column(sa.Column('probe', sa.String(10), nullable=True))
    op.execute('UPDATE customer SET probe = 1')
    raise RuntimeError('the migration broke half way')
"""


def _newer_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """Point the app at migrations with one more revision, as a newer release would carry."""
    folder = tmp_path / 'migrations'
    shutil.copytree(MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns('__pycache__'))
    (folder / 'versions' / f'{NEXT}_probe.py').write_text(
        f'"""probe"""\nimport sqlalchemy as sa\nimport sqlmodel  # noqa: F401\nfrom alembic import op\n\n'
        f"revision = '{NEXT}'\ndown_revision = '{head_revision()}'\nbranch_labels = None\ndepends_on = None\n"
        f'{body}\n\ndef downgrade() -> None:\n    pass\n')
    monkeypatch.setattr(qbsync.db, 'MIGRATIONS_DIR', folder)


def _in_use(tmp_path: Path, url: str) -> Settings:
    """A database at the current head with a customer in it: the previous version in use."""
    upgrade_schema(url)
    engine = create_sync_engine(url)
    with Session(engine) as session:
        session.add(Customer(display_name='Before the upgrade'))
        session.commit()
    engine.dispose()
    return dataclasses.replace(load_settings({'QBSYNC_DATA_DIR': str(tmp_path / 'data')}), database_url=url)


def _tables_and_columns(url: str) -> tuple[set[str], set[str]]:
    engine = create_sync_engine(url)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            return set(inspector.get_table_names()), {c['name'] for c in inspector.get_columns('customer')}
    finally:
        engine.dispose()


def test_an_existing_database_is_backed_up_before_a_migration(empty_database_url: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              request: pytest.FixtureRequest) -> None:
    database_url = empty_database_url  # a database of the test's own: its schema changes
    settings = _in_use(tmp_path, database_url)
    previous = head_revision()
    _newer_version(tmp_path, monkeypatch, GOOD)
    report = upgrade_database(settings)
    assert (report.previous, report.current) == (previous, NEXT) and report.migrated
    assert report.backup is not None and report.backup.parent == settings.data_dir / 'backups'
    assert report.backup.name.startswith('qbsync-pre-upgrade-')
    with tarfile.open(report.backup) as archive:
        assert read_manifest(archive).revision == previous
    assert current_revision(database_url) == NEXT and 'opsprobe' in _tables_and_columns(database_url)[0]

    env = {'QBSYNC_DATA_DIR': str(tmp_path / 'restored')}
    if database_url.startswith('postgresql'):
        env['QBSYNC_DATABASE_URL'] = request.getfixturevalue('postgres_server').create_database()
    restore_backup(report.backup, env)  # the pre-upgrade state, as the previous version left it
    restored = env.get('QBSYNC_DATABASE_URL') or f'sqlite:///{tmp_path / "restored" / "qbsync.db"}'
    assert current_revision(restored) == previous
    engine = create_sync_engine(restored)
    with Session(engine) as session:
        assert session.exec(select(Customer.display_name)).all() == ['Before the upgrade']
    engine.dispose()
    assert upgrade_database(settings).backup is None  # up to date: nothing to do, no backup


def test_a_failed_migration_leaves_the_previous_version_runnable(empty_database_url: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    database_url = empty_database_url  # a database of the test's own: its schema changes
    settings = _in_use(tmp_path, database_url)
    previous, schema = head_revision(), _tables_and_columns(database_url)
    with monkeypatch.context() as patch:
        _newer_version(tmp_path, patch, BAD)
        with pytest.raises(MigrationFailed, match='half way') as failure:
            upgrade_database(settings)
    assert failure.value.revision == previous and failure.value.backup is not None
    assert current_revision(database_url) == previous
    assert _tables_and_columns(database_url) == schema  # no half-made table or column left behind
    # the previous version starts on it as before: nothing to migrate, the data there
    bootstrap_database(dataclasses.replace(settings, load_demo_data=False), hasher=PasswordHasher())
    engine = create_sync_engine(database_url)
    with Session(engine) as session:
        assert session.exec(select(Customer.display_name)).all() == ['Before the upgrade']
    engine.dispose()


def test_a_new_database_is_created_without_a_backup(tmp_path: Path) -> None:
    settings = load_settings({'QBSYNC_DATA_DIR': str(tmp_path / 'data')})
    report = upgrade_database(settings)
    assert report.previous is None and report.current == head_revision() and report.backup is None
    assert not (settings.data_dir / 'backups').exists() or not any((settings.data_dir / 'backups').iterdir())


def test_cli_db_current_and_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv('QBSYNC_DATA_DIR', str(tmp_path / 'data'))
    assert main(['db', 'current']) == 0
    assert f'Schema revision: none (this version: {head_revision()}; empty)' in capsys.readouterr().out
    assert main(['db', 'upgrade']) == 0
    assert f'Migrated from an empty database to {head_revision()}.' in capsys.readouterr().out
    _newer_version(tmp_path, monkeypatch, GOOD)
    assert main(['db', 'current']) == 0
    assert 'needs `qbsync db upgrade`' in capsys.readouterr().out
    assert main(['db', 'upgrade']) == 0
    out = capsys.readouterr().out
    assert f'to {NEXT} (backup first: ' in out and 'qbsync-pre-upgrade-' in out
    assert main(['db', 'upgrade']) == 0
    assert f'Already at revision {NEXT}' in capsys.readouterr().out


def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f'sqlite+aiosqlite:///{tmp_path / "data" / "qbsync.db"}'
    with monkeypatch.context() as patch:
        _newer_version(tmp_path, patch, GOOD)
        settings = _in_use(tmp_path, url)  # the newer version made it
    before = (tmp_path / 'data' / 'qbsync.db').read_bytes()
    with pytest.raises(MigrationFailed, match=f'revision {NEXT}, which this version of qbsync does not know'):
        upgrade_database(settings)
    assert current_revision(url) == NEXT and not (settings.data_dir / 'backups').exists()
    assert (tmp_path / 'data' / 'qbsync.db').read_bytes() == before
