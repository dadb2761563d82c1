"""Conditional writes on a record's ``version``: the one rule that keeps two writers from losing each other's work.

A page save and a sync write (or two browsers) may load the same version and write at the same instant. A plain
read-check-write lets both pass the check; here the check *is* the write: ``UPDATE ... WHERE id = :id AND
version = :expected``, which the database serialises, so exactly one writer gets the row and the other learns the
record changed (and keeps its input to try again). Used by RecordService.update; the sync engine calls it too.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from .records import utcnow

__all__ = ['write_if_version']


async def write_if_version(session: AsyncSession, model: type[SQLModel], record_id: int, expected_version: int,
                           values: dict[str, Any], *, now: datetime | None = None) -> int | None:
    """Set ``values`` on row ``record_id`` and bump its version, only if it is still at ``expected_version``.

    Returns the new version, or None when the row changed meanwhile (or is gone): then nothing was written.
    Runs in the caller's transaction; the caller commits (with whatever else belongs to the same change, such as
    lines). ``updated_at`` is set too, for the models that carry it.
    """
    version = col(model.version)  # type: ignore[attr-defined]
    stamp = {'updated_at': now or utcnow()} if 'updated_at' in model.model_fields else {}
    statement = (update(model).where(col(model.id) == record_id, version == expected_version)  # type: ignore
                 .values(**values, **stamp, version=version + 1)
                 .execution_options(synchronize_session=False))
    result = await session.exec(statement)  # type: ignore[call-overload]
    return expected_version + 1 if result.rowcount == 1 else None
