"""The operations subcommands of ``qbsync``: backup, restore, db current / db upgrade (registered in qbsync.cli).

They read the same QBSYNC_* / QUICKBOOKS_* variables as the app. Exit codes: 0 done, 1 done but needs attention
(a restored backup whose tokens the configured key cannot decrypt), 2 refused or failed with a message.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ['backup_arguments', 'run_backup', 'restore_arguments', 'run_restore', 'db_arguments', 'run_db']

ENV_EPILOG = 'Reads the same QBSYNC_* and QUICKBOOKS_* variables as the app (QBSYNC_DATA_DIR, QBSYNC_DATABASE_URL).'


def backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('file', nargs='?', type=Path,
                        help='where to write the backup (default: a new file in <data folder>/backups)')
    parser.epilog = (ENV_EPILOG + ' Safe while the app runs. Keep QUICKBOOKS_TOKEN_ENCRYPTION_KEY with the backup '
                     'when you set it: without it the QuickBooks tokens in the backup cannot be read.')


def run_backup(args: argparse.Namespace) -> int:
    from ..settings import load_settings
    from .backup import BackupError, create_backup

    try:
        path, manifest = create_backup(load_settings(), args.file)
    except (BackupError, ValueError, OSError) as error:
        return _fail('backup', error)
    print(f'Backup written to {path} ({path.stat().st_size} bytes, {manifest.backend} database at schema revision '
          f'{manifest.revision}).')
    if not manifest.key_in_backup:
        print('The token encryption key comes from QUICKBOOKS_TOKEN_ENCRYPTION_KEY and is NOT in the backup: keep '
              'it with the backup.')
    return 0


def restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('file', type=Path, help='a file written by `qbsync backup` (or the daily backup)')
    parser.epilog = (ENV_EPILOG + ' Restores into an empty data folder (and, for PostgreSQL, an empty database); '
                     'nothing existing is overwritten.')


def run_restore(args: argparse.Namespace) -> int:
    from .backup import BackupError
    from .restore import restore_backup

    try:
        report = restore_backup(args.file)
    except (BackupError, ValueError, OSError) as error:
        return _fail('restore', error)
    manifest = report.manifest
    print(f'Restored the backup of {manifest.created_at} ({manifest.backend} database, schema revision '
          f'{manifest.revision}) into {report.data_dir} ({report.database}).')
    print(f'QuickBooks connections whose tokens the configured key reads: {report.connections}.')
    for problem in report.key_problems:
        print(f'Warning: {problem}', file=sys.stderr)
    print('Start the app as usual; it upgrades the schema if this version is newer (backing up first).')
    return 0 if report.ok else 1


def db_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest='db_action', required=True, metavar='ACTION')
    actions.add_parser('current', help="show the database's schema revision and this version's")
    upgrade = actions.add_parser('upgrade', help='migrate the database (a backup is taken first)')
    upgrade.add_argument('--revision', default='head', help='target revision (default: head)')
    parser.epilog = ENV_EPILOG


def run_db(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from ..db import current_revision, head_revision
    from ..settings import load_settings
    from .backup import BackupError
    from .upgrade import MigrationFailed, upgrade_database

    try:
        settings = load_settings()
        if args.db_action == 'current':
            current, head = current_revision(settings.database_url), head_revision()
            state = 'up to date' if current == head else ('empty' if current is None else 'needs `qbsync db upgrade`')
            print(f'Database: {make_url(settings.database_url).render_as_string(hide_password=True)}')
            print(f'Schema revision: {current or "none"} (this version: {head}; {state})')
            return 0
        report = upgrade_database(settings, args.revision)
    except (MigrationFailed, BackupError, ValueError, OSError) as error:
        return _fail('db', error)
    if not report.migrated:
        print(f'Already at revision {report.current}; nothing to do.')
    else:
        taken = f' (backup first: {report.backup})' if report.backup else ''
        print(f'Migrated from {report.previous or "an empty database"} to {report.current}{taken}.')
    return 0


def _fail(command: str, error: BaseException) -> int:
    print(f'qbsync {command}: {error}', file=sys.stderr)
    return 2
