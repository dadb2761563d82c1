"""A migrated database (SQLite, then PostgreSQL: tests/conftest.py), for the control-center service tests."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from qbsync.db import Database
from qbsync.models import Role, User

__all__ = ['database', 'manager', 'viewer_account']


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
def manager() -> User:
    return User(id=1, email='admin@example.com', password_hash='-', role=Role.ADMIN)


@pytest.fixture
def viewer_account() -> User:
    return User(id=2, email='viewer@example.com', password_hash='-', role=Role.VIEWER)
