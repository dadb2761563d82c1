"""Security cases (issue 10): a migrated database for the service-level cases, cheap hashing for the app's."""
from __future__ import annotations

import pytest

from qbsync import security

from unit.data_support import db, db_url  # noqa: F401 (fixtures: a migrated database in the test's folder)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """These cases test the rules around the hash, not argon2's cost."""
    original = security.PasswordHasher.__init__

    def cheap(self: security.PasswordHasher, **_: int | None) -> None:
        original(self, time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(security.PasswordHasher, '__init__', cheap)
