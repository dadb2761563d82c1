"""A throwaway PostgreSQL server for the test session: initdb in a temporary folder, pg_ctl on a free port.

The database tests run a second time against it (the ``postgresql`` parameter of the database fixtures). The server
comes from Debian's ``postgresql`` package (``make test`` installs it); PostgreSQL refuses to run as root, so as
root the folder is handed to the ``postgres`` system user (or ``nobody``) and the binaries run through ``runuser``.
Durability is switched off (fsync, full-page writes): the data lives for one session only.

One database is migrated once and emptied (TRUNCATE ... RESTART IDENTITY) before each test that uses it: a
truncate costs milliseconds where a new database or a migration costs a second or more. Tests that need an empty,
unmigrated database (migrations, restore) get a new one of their own.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ['PostgresServer', 'PostgresUnavailable', 'start_server']

SUPERUSER = 'qbsync'
MIGRATED = 'qbsync_migrated'


class PostgresUnavailable(RuntimeError):
    """Why the PostgreSQL pass cannot run here (the tests skip with this message)."""


@dataclass
class PostgresServer:
    folder: Path
    port: int
    bindir: Path
    run_as: str | None
    tables: list[str] = field(default_factory=list)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str, driver: str = 'asyncpg') -> str:
        return f'postgresql+{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}'

    def migrated_database(self) -> str:
        """The shared migrated database, emptied of every row (the schema and its Alembic revision stay)."""
        tables = ', '.join(f'"{name}"' for name in self.tables)
        # a connection an earlier (failed) test left open in a transaction would block the TRUNCATE for ever
        self.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{MIGRATED}' "
                     'AND pid <> pg_backend_pid()')
        self.execute(f'TRUNCATE {tables} RESTART IDENTITY CASCADE', database=MIGRATED)
        return self.url(MIGRATED)

    def create_database(self) -> str:
        """A new, empty database of the test's own."""
        name = f'test_{os.getpid()}_{next(self._counter)}'
        self.execute(f'CREATE DATABASE {name}')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit('/', 1)[1]
        if name != MIGRATED:
            self.execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')

    def execute(self, statement: str, *, database: str = 'postgres') -> list[tuple]:
        import psycopg

        with psycopg.connect(f'host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database}',
                             autocommit=True) as connection:
            cursor = connection.execute(statement)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def stop(self) -> None:
        _run(self, 'pg_ctl', '-D', str(self.folder / 'data'), '-m', 'immediate', 'stop', check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PostgresServer:
    """Start a private server, or raise PostgresUnavailable saying why not."""
    bindir = _find_bindir()
    run_as = _unprivileged_user() if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix='qbsync-pg-'))
    if run_as is not None:
        entry = pwd.getpwnam(run_as)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    server = PostgresServer(folder=folder, port=_free_port(), bindir=bindir, run_as=run_as)
    data = folder / 'data'
    try:
        _run(server, 'initdb', '-D', str(data), '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-sync',
             '--locale=C')
        options = (f'-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off '
                   '-c synchronous_commit=off -c full_page_writes=off -c max_connections=200')
        _run(server, 'pg_ctl', '-D', str(data), '-o', options, '-l', str(folder / 'server.log'), '-w', 'start')
    except PostgresUnavailable:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    server.execute(f'CREATE DATABASE {MIGRATED}')
    from qbsync.db import upgrade_schema
    upgrade_schema(server.url(MIGRATED))
    server.tables = [row[0] for row in server.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'",
        database=MIGRATED)]
    return server


def _find_bindir() -> Path:
    candidates = sorted(glob.glob('/usr/lib/postgresql/*/bin/initdb'), reverse=True)  # Debian's layout
    found = candidates[0] if candidates else shutil.which('initdb')
    if not found:
        raise PostgresUnavailable("PostgreSQL is not installed (no initdb); `make test` installs Debian's "
                                  "'postgresql' package")
    return Path(found).parent


def _unprivileged_user() -> str:
    for name in ('postgres', 'nobody'):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PostgresUnavailable('running as root and no postgres or nobody user to run PostgreSQL as')


def _run(server: PostgresServer, program: str, *args: str, check: bool = True) -> None:
    command = [str(server.bindir / program), *args]
    if server.run_as is not None:
        command = ['runuser', '-u', server.run_as, '--', *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=server.folder)
    if check and result.returncode != 0:
        raise PostgresUnavailable(f'{program} failed ({result.returncode}): {(result.stderr or result.stdout)[-500:]}')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return int(probe.getsockname()[1])
