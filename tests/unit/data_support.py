"""Fixtures for the data-layer tests: a migrated SQLite database in the test's tmp folder, cheap password hashing."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from qbsync.db import Database, upgrade_schema
from qbsync.security import PasswordHasher

__all__ = ['db', 'db_url', 'fast_hasher', 'FAST_HASHER_OPTIONS']

FAST_HASHER_OPTIONS = {'time_cost': 1, 'memory_cost': 1024, 'parallelism': 1}


@pytest.fixture
def db_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    url = f'sqlite+aiosqlite:///{tmp_path / "data.db"}'
    upgrade_schema(url)
    return url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    yield database
    await database.dispose()


@pytest.fixture
def fast_hasher() -> PasswordHasher:
    return PasswordHasher(**FAST_HASHER_OPTIONS)
