"""Security cases (issue 10): a migrated database for the service-level cases, cheap hashing for the app's."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from qbsync import security
from qbsync.db import Database, upgrade_schema


@pytest.fixture
async def db(tmp_path) -> AsyncIterator[Database]:  # type: ignore[no-untyped-def]
    url = f'sqlite+aiosqlite:///{tmp_path / "data.db"}'
    upgrade_schema(url)
    database = Database(url)
    yield database
    await database.dispose()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """These cases test the rules around the hash, not argon2's cost."""
    original = security.PasswordHasher.__init__

    def cheap(self: security.PasswordHasher, **_: int | None) -> None:
        original(self, time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(security.PasswordHasher, '__init__', cheap)
