"""Users and roles: owner and admin may change things, viewer may only look."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .records import utcnow

__all__ = ['User', 'Role']


class Role:
    OWNER = 'owner'
    ADMIN = 'admin'
    VIEWER = 'viewer'
    ALL = (OWNER, ADMIN, VIEWER)
    MANAGERS = (OWNER, ADMIN)  # may connect, map, change settings, run syncs


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=255)
    name: str = Field(default='', max_length=255)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.VIEWER, max_length=20)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
