"""``qbsync backup`` / ``qbsync restore``: the database and the generated secrets in one file, and back.

A backup is a gzip'd tar (inspect it with ``tar tzf``) holding ``manifest.json`` (what, when, which schema revision,
a SHA-256 per member), the database (``database.sqlite`` from SQLite's online backup, or ``database.jsonl``, a
logical dump, for PostgreSQL), the embedded sandbox's companies in demo mode (``sandbox.sqlite``) and the secrets
qbsync generated into the data folder (``secrets/...``, the token encryption key among them when the environment
gives none). It is written under a temporary name and renamed, mode 600: a half-written backup is never listed and
nobody else can read the key in it. A key given by QUICKBOOKS_TOKEN_ENCRYPTION_KEY is not in the data folder, so
not in the backup: it must be kept with it (the README says so; the restore checks the tokens decrypt).
"""
from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
import os
import shutil
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO

from .. import __version__
from ..db import backend_name, create_sync_engine, current_revision, sqlite_path
from ..settings import GENERATED_SECRETS, Settings
from .snapshot import SnapshotError, dump_rows, sqlite_online_copy

__all__ = ['BackupManifest', 'BackupError', 'create_backup', 'backup_name', 'backups_dir', 'prune_backups',
           'read_manifest', 'open_member', 'daily_backup', 'run_daily_backup', 'BACKUP_FORMAT', 'BACKUP_JOB',
           'BACKUP_INTERVAL', 'DAILY']

log = logging.getLogger(__name__)

BACKUP_JOB = 'daily-backup'
BACKUP_INTERVAL = timedelta(days=1)
DAILY = 'daily'
BACKUP_FORMAT = 'qbsync-backup'
FORMAT_VERSION = 1
SQLITE_MEMBER, DUMP_MEMBER, SANDBOX_MEMBER, MANIFEST = 'database.sqlite', 'database.jsonl', 'sandbox.sqlite', \
    'manifest.json'
SANDBOX_FILE = 'sandbox.db'  # the embedded sandbox's companies (app.py keeps them in the data folder)


class BackupError(RuntimeError):
    """A backup that cannot be made or read; the message says why in the owner's terms."""


@dataclass(frozen=True)
class BackupManifest:
    created_at: str
    backend: str  # 'sqlite' | 'postgresql' | ...: a restore goes into the same kind of database
    revision: str | None  # the schema revision the database was at
    database: str  # the member holding it
    secrets: list[str] = field(default_factory=list)  # names of the generated secrets carried
    sandbox: bool = False
    key_in_backup: bool = False  # False: the token key came from the environment and must be kept with the backup
    rows: dict[str, int] = field(default_factory=dict)  # logical dumps: rows per table
    checksums: dict[str, str] = field(default_factory=dict)  # member -> sha256
    app_version: str = __version__
    format: str = BACKUP_FORMAT
    format_version: int = FORMAT_VERSION


def backups_dir(settings: Settings) -> Path:
    folder = settings.data_dir / 'backups'
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def backup_name(kind: str, now: datetime | None = None) -> str:
    """``qbsync-daily-20261201T031500123456Z.tar.gz``: sorts by time within a kind."""
    stamp = (now or datetime.now(timezone.utc)).strftime('%Y%m%dT%H%M%S%fZ')
    return f'qbsync-{kind}-{stamp}.tar.gz'


def create_backup(settings: Settings, target: Path | None = None, *, kind: str = 'manual') -> tuple[Path,
                                                                                                 BackupManifest]:
    """Write a consistent backup to ``target`` (default: a new file in ``<data>/backups``); safe while the app runs."""
    target = Path(target) if target is not None else backups_dir(settings) / backup_name(kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='.qbsync-backup-', dir=target.parent) as scratch:
        folder = Path(scratch)
        manifest = _collect(settings, folder)
        partial = folder / 'backup.partial'
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'wb') as raw, tarfile.open(fileobj=raw, mode='w:gz') as archive:
            body = json.dumps(asdict(manifest), indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(datetime.now(timezone.utc).timestamp())
            archive.addfile(info, io.BytesIO(body))
            for member in manifest.checksums:
                archive.add(folder / member, arcname=member, recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)  # atomic: a backup file is whole or absent
    return target, manifest


def _collect(settings: Settings, folder: Path) -> BackupManifest:
    """Copy the database, the sandbox and the secrets into ``folder``; describe them."""
    url = settings.database_url
    backend = backend_name(url)
    rows: dict[str, int] = {}
    database_file = sqlite_path(url)
    try:
        if backend == 'sqlite':
            if database_file is None:
                raise BackupError('an in-memory SQLite database cannot be backed up')
            member = SQLITE_MEMBER
            sqlite_online_copy(database_file, folder / member)
            revision = current_revision(f'sqlite:///{folder / member}')
        else:
            member = DUMP_MEMBER
            revision, rows = _logical_dump(url, folder / member)
        sandbox = (settings.data_dir / SANDBOX_FILE).exists()
        if sandbox:
            sqlite_online_copy(settings.data_dir / SANDBOX_FILE, folder / SANDBOX_MEMBER)
    except SnapshotError as error:
        raise BackupError(str(error)) from error
    secrets = [name for name in GENERATED_SECRETS if (settings.data_dir / name).is_file()]
    (folder / 'secrets').mkdir()
    for name in secrets:
        shutil.copyfile(settings.data_dir / name, folder / 'secrets' / name)
    members = [member, *([SANDBOX_MEMBER] if sandbox else []), *(f'secrets/{name}' for name in secrets)]
    return BackupManifest(
        created_at=datetime.now(timezone.utc).isoformat(), backend=backend, revision=revision, database=member,
        secrets=secrets, sandbox=sandbox, key_in_backup='token-encryption-key' in secrets, rows=rows,
        checksums={name: _sha256(folder / name) for name in members})


def _logical_dump(url: str, path: Path) -> tuple[str | None, dict[str, int]]:
    from alembic.migration import MigrationContext

    engine = create_sync_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level='REPEATABLE READ')
            with connection.begin(), path.open('w', encoding='utf-8') as out:
                if connection.dialect.name == 'postgresql':
                    from sqlalchemy import text
                    connection.execute(text('SET TRANSACTION READ ONLY'))
                revision = MigrationContext.configure(connection).get_current_revision()
                return revision, dump_rows(connection, out)
    finally:
        engine.dispose()


def daily_backup(settings: Settings) -> Path:
    """The scheduled backup: a new one in ``<data>/backups``, then only the newest QBSYNC_BACKUP_KEEP kept."""
    path, _ = create_backup(settings, kind=DAILY)
    prune_backups(backups_dir(settings), DAILY, settings.backup_keep)
    return path


async def run_daily_backup(settings: Settings) -> Path | None:
    """The scheduler's job: the copy runs in a thread (blocking I/O) so the app keeps serving meanwhile."""
    try:
        path = await asyncio.to_thread(daily_backup, settings)
    except Exception:  # a failed backup is logged and retried tomorrow; it must not stop the scheduler
        log.exception('daily backup failed')
        return None
    log.info('daily backup written to %s', path)
    return path


def prune_backups(folder: Path, kind: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of ``kind``; returns what was deleted."""
    found = sorted(folder.glob(f'qbsync-{kind}-*.tar.gz'))
    doomed = found[:-keep] if keep > 0 else found
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def read_manifest(archive: tarfile.TarFile) -> BackupManifest:
    """The manifest, checked: a qbsync backup, a format this version reads, every member as written."""
    try:
        data = json.loads(_read(archive, MANIFEST))
        manifest = BackupManifest(**data)
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError(f'not a qbsync backup (no readable manifest: {error})') from None
    if manifest.format != BACKUP_FORMAT or manifest.format_version > FORMAT_VERSION:
        raise BackupError(f'unsupported backup format {manifest.format} v{manifest.format_version}')
    for member, checksum in manifest.checksums.items():
        try:
            actual = _sha256_of(open_member(archive, member))
        except KeyError:
            raise BackupError(f'the backup lacks {member}') from None
        if actual != checksum:
            raise BackupError(f'the backup is damaged: {member} does not match its checksum')
    return manifest


def open_member(archive: tarfile.TarFile, member: str) -> io.BufferedReader:
    handle = archive.extractfile(member)
    if handle is None:
        raise BackupError(f'the backup lacks {member}')
    return handle  # type: ignore[return-value]


def _read(archive: tarfile.TarFile, member: str) -> bytes:
    try:
        return open_member(archive, member).read()
    except KeyError:
        raise BackupError(f'the backup lacks {member}') from None


def _sha256(path: Path) -> str:
    with path.open('rb') as handle:
        return _sha256_of(handle)


def _sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b''):
        digest.update(block)
    return digest.hexdigest()
