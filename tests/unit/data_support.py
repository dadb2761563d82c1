"""Fixtures for the data-layer tests: a migrated database (SQLite, then PostgreSQL), cheap password hashing."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from qbsync.db import Database
from qbsync.security import PasswordHasher

__all__ = ['db', 'db_url', 'fast_hasher', 'FAST_HASHER_OPTIONS']

FAST_HASHER_OPTIONS = {'time_cost': 1, 'memory_cost': 1024, 'parallelism': 1}


@pytest.fixture
def db_url(database_url: str) -> str:
    """A migrated database: SQLite, then PostgreSQL (tests/conftest.py parametrises ``database_url``)."""
    return database_url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    yield database
    await database.dispose()


@pytest.fixture
def fast_hasher() -> PasswordHasher:
    return PasswordHasher(**FAST_HASHER_OPTIONS)
