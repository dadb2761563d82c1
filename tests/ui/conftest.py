"""Fixtures for `user`-fixture stories: the simulated browser signed in with a given role."""
from __future__ import annotations

import pytest
from nicegui.testing import User

from qbsync.models import Role
from qbsync.models import User as Account

from .accounts import log_in_as


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
