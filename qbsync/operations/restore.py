"""``qbsync restore FILE``: a backup back into an empty data folder (and an empty database for PostgreSQL).

Restore never overwrites: a data folder that already holds a database or secrets, or a server database with rows,
is refused with the list of what is in the way. The database goes first and the secrets last, so a failed restore
leaves no half-configured folder that the app would start from. Schema upgrades are left to the app's next start
(which backs up first, as for any upgrade). Afterwards the stored QuickBooks tokens are decrypted with the keys the
app will use: a backup restored without its encryption key is reported at once, not at the next sync.
"""
from __future__ import annotations

import io
import os
import shutil
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from ..db import backend_name, create_sync_engine, current_revision, known_revision, migrate_connection, sqlite_path
from ..security import TokenCipher, TokenDecryptionError
from ..settings import data_dir_from_env, database_url_from_env, load_settings
from .backup import (DUMP_MEMBER, SANDBOX_FILE, SANDBOX_MEMBER, BackupError, BackupManifest, open_member,
                     read_manifest)
from .snapshot import SnapshotError, load_rows

__all__ = ['RestoreReport', 'restore_backup']


@dataclass(frozen=True)
class RestoreReport:
    manifest: BackupManifest
    data_dir: Path
    database: str  # the URL restored into, password hidden
    connections: int = 0  # QuickBooks connections whose tokens decrypt with the configured key
    key_problems: list[str] = field(default_factory=list)  # what the owner must fix before the app can sync

    @property
    def ok(self) -> bool:
        return not self.key_problems


def restore_backup(path: Path, env: dict[str, str] | None = None) -> RestoreReport:
    """Restore ``path`` into the data folder and database the environment names (as the app would read them)."""
    env = dict(os.environ if env is None else env)
    data_dir, url = data_dir_from_env(env), database_url_from_env(env)
    try:
        archive = tarfile.open(path, 'r:gz')
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f'cannot read {path}: {error}') from None
    with archive:
        manifest = read_manifest(archive)
        _check_target(manifest, data_dir, url)
        data_dir.mkdir(parents=True, exist_ok=True)
        if manifest.database == DUMP_MEMBER:
            _load_dump(url, manifest, open_member(archive, DUMP_MEMBER))
        else:
            _extract(archive, manifest.database, sqlite_path(url))  # type: ignore[arg-type]
        if manifest.sandbox:
            _extract(archive, SANDBOX_MEMBER, data_dir / SANDBOX_FILE)
        for name in manifest.secrets:
            _extract(archive, f'secrets/{name}', data_dir / name)
    connections, problems = _check_tokens(env, url)
    return RestoreReport(manifest, data_dir, make_url(url).render_as_string(hide_password=True), connections,
                         problems)


def _check_target(manifest: BackupManifest, data_dir: Path, url: str) -> None:
    backend = backend_name(url)
    if manifest.backend != backend:
        raise BackupError(f'this backup holds a {manifest.backend} database but QBSYNC_DATABASE_URL names a '
                          f'{backend} one; restore into the same kind of database')
    _check_revision(manifest.revision)
    database_file = sqlite_path(url)
    if backend == 'sqlite' and database_file is None:
        raise BackupError('cannot restore into an in-memory SQLite database')
    in_the_way = [name for name in (*manifest.secrets, SANDBOX_FILE if manifest.sandbox else None)
                  if name and (data_dir / name).exists()]
    if database_file is not None and database_file.exists():
        in_the_way.insert(0, str(database_file))
    if in_the_way:
        raise BackupError(f'{data_dir} is not empty ({", ".join(in_the_way)}): restore goes into an empty data '
                          'folder; move those files away first')
    if database_file is None:
        existing = current_revision(url)
        if existing is not None and existing != manifest.revision:
            raise BackupError(f'the target database already has a schema (revision {existing}); restore needs an '
                              'empty database')


def _check_revision(revision: str | None) -> None:
    if revision is None:
        raise BackupError('the backup holds a database that was never migrated; there is nothing to restore')
    if not known_revision(revision):
        raise BackupError(f'the backup was made by a newer qbsync (schema revision {revision}); restore it with '
                          'that version or a later one')


def _load_dump(url: str, manifest: BackupManifest, dump: io.BufferedReader) -> None:
    """Schema at the dump's revision and every row, in one transaction: all or nothing on PostgreSQL."""
    engine = create_sync_engine(url)
    try:
        with engine.begin() as connection:
            migrate_connection(connection, url, manifest.revision or 'head')
            counts = load_rows(connection, _lines(dump))
            if manifest.rows and counts != manifest.rows:
                raise BackupError(f'restored rows {counts} differ from the backup manifest {manifest.rows}')
    except SnapshotError as error:
        raise BackupError(str(error)) from error
    finally:
        engine.dispose()


def _lines(dump: io.BufferedReader) -> Iterator[str]:
    for raw in io.TextIOWrapper(dump, encoding='utf-8'):
        if raw.strip():
            yield raw


def _extract(archive: tarfile.TarFile, member: str, target: Path) -> None:
    """Write a member under a temporary name, then rename: the target is whole or absent; mode 600."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f'.{target.name}.restoring')
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'wb') as out:
        shutil.copyfileobj(open_member(archive, member), out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)


def _check_tokens(env: dict[str, str], url: str) -> tuple[int, list[str]]:
    """Decrypt every stored connection's tokens with the keys the app will use."""
    try:
        settings = load_settings(env)
    except ValueError as error:
        return 0, [f'the app will not start with this environment: {error}']
    cipher = TokenCipher(settings.token_encryption_keys)
    engine = create_sync_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT realm_id, encrypted_tokens FROM quickbooksconnection "
                                           "WHERE encrypted_tokens <> ''")).all()
    finally:
        engine.dispose()
    problems = []
    for realm_id, token in rows:
        try:
            cipher.decrypt(token)
        except TokenDecryptionError:
            problems.append(f'the QuickBooks tokens of company {realm_id} do not decrypt with '
                            'QUICKBOOKS_TOKEN_ENCRYPTION_KEY: set the key that was in use when the backup was made')
    return len(rows) - len(problems), problems
