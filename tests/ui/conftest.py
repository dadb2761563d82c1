"""Fixtures for `user`-fixture stories: the simulated browser signed in with a given role."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nicegui.testing import User

from qbsync.models import Role
from qbsync.models import User as Account

from qbsync import security

from .accounts import log_in_as


@pytest.fixture(scope='session')
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated to head for the whole session: running every migration costs about 0.4 s per app."""
    from qbsync.db import upgrade_schema

    path = tmp_path_factory.mktemp('template') / 'qbsync.db'
    upgrade_schema(f'sqlite+aiosqlite:///{path}')
    return path


@pytest.fixture(autouse=True)
def _migrated_database(_migrated_template: Path, tmp_path: Path) -> None:
    """The app these stories start finds its database at head already (tests/unit and tests/security cover
    migrating; here the pages are under test). The path is the one tests/conftest.py's data folder gives."""
    data = tmp_path / 'data'
    data.mkdir(mode=0o700, exist_ok=True)
    shutil.copyfile(_migrated_template, data / 'qbsync.db')


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its default cost takes a noticeable part of a second per login; these stories test the pages,
    not the hash (tests/unit covers that), so the app built by the `user` fixture hashes cheaply."""
    original = security.PasswordHasher.__init__

    def cheap(self: security.PasswordHasher, **_: int | None) -> None:
        original(self, time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(security.PasswordHasher, '__init__', cheap)


@pytest.fixture
async def owner(user: User) -> Account:
    """The simulated browser, signed in as the owner."""
    return await log_in_as(user, Role.OWNER)


@pytest.fixture
async def admin(user: User) -> Account:
    return await log_in_as(user, Role.ADMIN)


@pytest.fixture
async def viewer(user: User) -> Account:
    return await log_in_as(user, Role.VIEWER)
