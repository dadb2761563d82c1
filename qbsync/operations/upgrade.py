"""Schema upgrades that can be undone: a backup before any migration of an existing database, and the previous
state put back when a migration fails.

PostgreSQL runs the whole upgrade in one transaction (its DDL is transactional), so a failure rolls everything
back by itself. SQLite's driver commits DDL as it goes, so a failed migration can leave a half-changed file: the
pre-upgrade copy is then written back over it through SQLite's backup API (safe even if another process has the
database open). Either way the previous version of qbsync still runs on the database, and the backup stays in
``<data>/backups`` (kind ``pre-upgrade``, the newest ``QBSYNC_BACKUP_KEEP`` kept).
"""
from __future__ import annotations

import logging
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..db import current_revision, head_revision, known_revision, sqlite_path, upgrade_schema
from ..settings import Settings
from .backup import backups_dir, create_backup, open_member, prune_backups
from .snapshot import sqlite_online_copy

__all__ = ['UpgradeReport', 'MigrationFailed', 'upgrade_database', 'PRE_UPGRADE']

log = logging.getLogger(__name__)

PRE_UPGRADE = 'pre-upgrade'


class MigrationFailed(RuntimeError):
    """A migration failed; the database is back at ``revision`` and ``backup`` holds the copy taken before."""

    def __init__(self, message: str, *, revision: str | None, backup: Path | None) -> None:
        super().__init__(message)
        self.revision = revision
        self.backup = backup


@dataclass(frozen=True)
class UpgradeReport:
    previous: str | None  # None: a new database
    current: str
    backup: Path | None = None  # the automatic backup taken before migrating

    @property
    def migrated(self) -> bool:
        return self.previous != self.current


def upgrade_database(settings: Settings, revision: str = 'head') -> UpgradeReport:
    """Bring the app's database to ``revision``, with a backup first when it already holds a schema."""
    url = settings.database_url
    previous = current_revision(url)
    target = head_revision() if revision == 'head' else revision
    if previous == target:
        return UpgradeReport(previous, target)
    if previous is not None and not known_revision(previous):
        raise MigrationFailed(f'the database is at schema revision {previous}, which this version of qbsync does not '
                              'know: a newer version upgraded it. Run that version, or restore a pre-upgrade backup '
                              '(qbsync restore) into an empty data folder', revision=previous, backup=None)
    backup = None
    if previous is not None:
        backup, _ = create_backup(settings, kind=PRE_UPGRADE)
        log.info('schema %s -> %s: backup taken first at %s', previous, target, backup)
    try:
        upgrade_schema(url, revision)
    except Exception as error:
        if backup is not None and sqlite_path(url) is not None:
            _put_back(backup, sqlite_path(url))  # type: ignore[arg-type]
        now = current_revision(url)
        where = f'; backup at {backup}' if backup else ''
        raise MigrationFailed(f'migration to {target} failed ({type(error).__name__}: {error}); the database is '
                              f'back at revision {now}{where}', revision=now, backup=backup) from error
    if backup is not None and settings.backup_keep > 0:
        prune_backups(backups_dir(settings), PRE_UPGRADE, settings.backup_keep)
    return UpgradeReport(previous, target, backup)


def _put_back(backup: Path, database: Path) -> None:
    """Overwrite the half-migrated SQLite database with the pre-upgrade copy (page by page, not a file move)."""
    with tempfile.TemporaryDirectory(prefix='.qbsync-undo-', dir=backup.parent) as scratch:
        copy = Path(scratch) / 'database.sqlite'
        with tarfile.open(backup, 'r:gz') as archive, copy.open('wb') as out:
            out.write(open_member(archive, 'database.sqlite').read())
        sqlite_online_copy(copy, database, standalone=False)
    log.warning('the failed migration was undone: %s is back as it was before', database)
