"""Database access: the async engine the app runs on, and the synchronous schema migration done at boot.

SQLite (the default) gets WAL (readers never block the one writer), foreign keys (off by default in SQLite) and a
busy timeout on every connection. Any other database is reached through ``QBSYNC_DATABASE_URL``.
"""
from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

__all__ = ['Database', 'sync_url', 'async_url', 'create_sync_engine', 'upgrade_schema', 'migrate_connection',
           'current_revision', 'head_revision', 'known_revision', 'sqlite_path', 'backend_name', 'MIGRATIONS_DIR']

MIGRATIONS_DIR = Path(__file__).parent / 'migrations'
BUSY_TIMEOUT_MS = 5000

# async driver -> a synchronous driver for the same database (migrations and the boot-time bootstrap)
_SYNC_DRIVERS = {'aiosqlite': 'pysqlite', 'asyncpg': 'psycopg', 'aiomysql': 'pymysql', 'asyncmy': 'pymysql'}
# drivers create_async_engine accepts (psycopg 3 serves both), and the one to use for a plain backend URL
_ASYNC_CAPABLE = {*_SYNC_DRIVERS, 'psycopg'}
_ASYNC_DRIVERS = {'sqlite': 'aiosqlite', 'postgresql': 'asyncpg', 'mysql': 'aiomysql'}


def sync_url(url: str) -> str:
    """The same database through a synchronous driver: ``sqlite+aiosqlite:///x.db`` -> ``sqlite+pysqlite:///x.db``."""
    parsed = make_url(url)
    driver = _SYNC_DRIVERS.get(parsed.get_driver_name()) if '+' in parsed.drivername else None
    if driver is not None:
        parsed = parsed.set(drivername=f'{parsed.get_backend_name()}+{driver}')
    return parsed.render_as_string(hide_password=False)


def async_url(url: str) -> str:
    """The same database through an async driver; a plain ``sqlite:///x.db`` becomes ``sqlite+aiosqlite:///x.db``."""
    parsed = make_url(url)
    if '+' in parsed.drivername and parsed.get_driver_name() in _ASYNC_CAPABLE:
        return parsed.render_as_string(hide_password=False)
    driver = _ASYNC_DRIVERS.get(parsed.get_backend_name())
    if driver is None:
        raise ValueError(f'no async driver known for {parsed.drivername!r}; give one in the URL (backend+driver)')
    return parsed.set(drivername=f'{parsed.get_backend_name()}+{driver}').render_as_string(hide_password=False)


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == 'sqlite'


def backend_name(url: str) -> str:
    """'sqlite', 'postgresql', ...: what a backup records and a restore checks."""
    return make_url(url).get_backend_name()


def sqlite_path(url: str) -> Path | None:
    """The database file of a file-backed SQLite URL (None for another backend or an in-memory database)."""
    return _sqlite_file(url) if _is_sqlite(url) else None


def _sqlite_file(url: str) -> Path | None:
    database = make_url(url).database
    return None if not database or database == ':memory:' or database.startswith('file:') else Path(database)


def _on_connect_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')  # persistent; a no-op ('memory') for in-memory databases
    cursor.execute('PRAGMA synchronous=NORMAL')  # safe with WAL, much faster than FULL
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.execute(f'PRAGMA busy_timeout={BUSY_TIMEOUT_MS}')
    cursor.close()


def _transactional_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Hand transaction control to SQLAlchemy: pysqlite opens no transaction before DDL, so each CREATE TABLE of a
    migration would commit on its own and a kill mid-migration would leave tables without their alembic_version
    (a database that never starts again). With this and ``_begin_sqlite`` a whole upgrade commits or vanishes."""
    dbapi_connection.isolation_level = None


def _begin_sqlite(connection: Any) -> None:
    connection.exec_driver_sql('BEGIN')


def _prepare(url: str) -> None:
    folder = _sqlite_file(url)
    if folder is not None:
        folder.parent.mkdir(parents=True, exist_ok=True)


def create_sync_engine(url: str) -> Engine:
    """A synchronous engine (with the SQLite pragmas) for migrations, the boot bootstrap and scripts."""
    url = sync_url(url)
    _prepare(url)
    engine = create_engine(url, hide_parameters=True)  # no bound values (tokens, emails) in logs or errors
    if _is_sqlite(url):
        event.listen(engine, 'connect', _on_connect_sqlite)
        event.listen(engine, 'connect', _transactional_sqlite)
        event.listen(engine, 'begin', _begin_sqlite)
    return engine


def upgrade_schema(url: str, revision: str = 'head') -> None:
    """Bring the database to ``revision`` with Alembic, synchronously.

    Runs on a synchronous driver and never touches asyncio, so it is safe to call from a sync startup handler
    inside the running event loop. An up-to-date database costs one small query.
    """
    engine = create_sync_engine(url)
    try:
        with engine.begin() as connection:
            migrate_connection(connection, url, revision)
    finally:
        engine.dispose()


def migrate_connection(connection: Connection, url: str, revision: str = 'head') -> None:
    """Upgrade through an open connection, inside the caller's transaction (all or nothing where DDL is
    transactional, as on PostgreSQL)."""
    config = alembic_config(url)
    config.attributes['connection'] = connection
    command.upgrade(config, revision)


def current_revision(url: str) -> str | None:
    """The database's Alembic revision; None for a database never migrated (or not there yet)."""
    from alembic.migration import MigrationContext

    path = sqlite_path(url)
    if path is not None and not path.exists():
        return None
    engine = create_sync_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def known_revision(revision: str) -> bool:
    """Whether this version's migrations include ``revision`` (an older or the current schema)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config('sqlite://')).get_revision(revision) is not None
    except CommandError:
        return False


def head_revision() -> str:
    """The revision this version of the code migrates to."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config('sqlite://')).get_current_head()
    assert head is not None, 'the package carries no migrations'
    return head


def alembic_config(url: str) -> Config:
    """An Alembic Config built in code: no alembic.ini needed (the package carries its migrations)."""
    config = Config()
    config.set_main_option('script_location', str(MIGRATIONS_DIR))
    # '%' would be read as interpolation by ConfigParser; env.py uses the connection passed in attributes anyway
    config.set_main_option('sqlalchemy.url', sync_url(url).replace('%', '%%'))
    return config


class Database:
    """The runtime async engine and its session factory. Create it inside the event loop that will use it."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = async_url(url)
        _prepare(self.url)
        options: dict[str, Any] = {'echo': echo, 'hide_parameters': True}  # values never reach logs or errors
        self.engine: AsyncEngine = create_async_engine(self.url, **options)
        if _is_sqlite(self.url):
            event.listen(self.engine.sync_engine, 'connect', _on_connect_sqlite)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller commits. Anything not committed is rolled back when the block ends."""
        async with self._sessions() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise

    async def ping(self) -> dict[str, Any]:
        """What /healthz reports: whether a trivial query answers, and how fast."""
        started = time.perf_counter()
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text('SELECT 1'))
        except Exception as error:  # health must report, never raise
            return {'ok': False, 'error': f'{type(error).__name__}: {error}'[:300]}
        return {'ok': True, 'backend': make_url(self.url).get_backend_name(),
                'latency_ms': round((time.perf_counter() - started) * 1000, 1)}

    async def dispose(self) -> None:
        await self.engine.dispose()
