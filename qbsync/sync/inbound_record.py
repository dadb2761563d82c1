"""Writing one QuickBooks version into the local tables: records, their lines and the link, as one transaction.

An inbound write is not an app edit: the record's version and the link's synced version move together, so the
record does not become pending. Every write is conditional on the version that was read (``StaleRecord`` when a
person saved meanwhile; the applier then decides again on fresh data).
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Update, bindparam, delete, insert, update
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import EntityLink, LinkStatus
from .entities import entity
from .inbound_values import LINE_TABLES, LocalValues, canonical

__all__ = ['StaleRecord', 'same', 'current_values', 'write_record', 'create_record', 'find_link', 'unique_value',
           'UNIQUE_FIELDS']

UNIQUE_FIELDS = {'customer': 'display_name', 'item': 'name', 'invoice': 'doc_number', 'credit_memo': 'doc_number'}


class StaleRecord(Exception):
    """The record changed between reading and writing."""


async def find_link(session: AsyncSession, realm_id: str, entity_type: str, qbo_id: str) -> EntityLink | None:
    return (await session.exec(select(EntityLink).where(
        EntityLink.realm_id == realm_id, EntityLink.entity_type == entity_type,
        EntityLink.qbo_id == qbo_id).order_by(col(EntityLink.id)))).first()


async def current_values(session: AsyncSession, entity_type: str, record: SQLModel,
                         incoming: LocalValues) -> LocalValues:
    """The record's values on exactly the keys ``incoming`` carries (lines included when it carries lines)."""
    fields = {key: getattr(record, key) for key in incoming.fields}
    if incoming.lines is None:
        return LocalValues(fields)
    table, parent = LINE_TABLES[entity_type]
    rows = (await session.exec(select(table).where(getattr(table, parent) == record.id)  # type: ignore[attr-defined]
                               .order_by(col(table.id)))).all()  # type: ignore[attr-defined]
    keys = list(incoming.lines[0]) if incoming.lines else []
    return LocalValues(fields, [{k: getattr(row, k) for k in keys} for row in rows])


def same(a: LocalValues, b: LocalValues) -> bool:
    return canonical(a) == canonical(b)


async def write_record(session: AsyncSession, entity_type: str, record: SQLModel, values: LocalValues,
                       now: datetime) -> int:
    """Apply the values to the record as read (version-checked) and replace its lines; returns the new version."""
    version = record.version  # type: ignore[attr-defined]
    # this row only, by id and version: what else waits to be flushed (links, log entries of earlier changes) goes
    # in one batch at commit, and the loaded copy is dropped below instead of being updated in memory
    with session.no_autoflush:
        result = await session.exec(_update_statement(entity_type, tuple(sorted(values.fields))), params={
            **{f'v_{key}': value for key, value in values.fields.items()},
            'v_id': record.id, 'v_version': version, 'v_new_version': version + 1,  # type: ignore[attr-defined]
            'v_now': now})  # type: ignore[call-overload]
        if result.rowcount != 1:
            raise StaleRecord(f'{entity_type} {record.id} changed while QuickBooks\' version was applied')
        if record in session:
            session.expunge(record)  # out of date now: a later read in this session loads afresh
        await _replace_lines(session, entity_type, record.id, values.lines)  # type: ignore[attr-defined]
    return version + 1


@lru_cache(maxsize=256)
def _update_statement(entity_type: str, keys: tuple[str, ...]) -> Update:
    """One statement per entity and set of fields, its values bound at execution: building and hashing an ORM
    UPDATE with twenty values for every change cost more than running it."""
    table = entity(entity_type).model.__table__  # type: ignore[attr-defined]
    return update(table).where(table.c.id == bindparam('v_id'), table.c.version == bindparam('v_version')).values(
        {**{key: bindparam(f'v_{key}') for key in keys}, 'version': bindparam('v_new_version'),
         'updated_at': bindparam('v_now')})


async def create_record(session: AsyncSession, entity_type: str, values: LocalValues, now: datetime) -> SQLModel:
    """Inserted by itself (its id is needed now), without flushing what earlier changes left pending: their links,
    lines and log entries go in one batch at commit, where a flush here sent them in a round trip each."""
    record = entity(entity_type).model(**values.fields, created_at=now, updated_at=now)  # the model's defaults
    table = record.__table__  # type: ignore[attr-defined]
    row = {column.key: getattr(record, column.key) for column in table.columns if column.key != 'id'}
    with session.no_autoflush:
        record.id = (await session.exec(insert(table).values(row).returning(table.c.id))).scalar_one()  # type: ignore
    make_transient_to_detached(record)  # as if loaded: adding it tracks it without inserting it again
    session.add(record)
    await _replace_lines(session, entity_type, record.id, values.lines, fresh=True)  # type: ignore[attr-defined]
    return record


async def unique_value(session: AsyncSession, entity_type: str, values: LocalValues, qbo_id: str,
                       realm_id: str) -> tuple[SQLModel | None, str | None]:
    """For a record new to the app: an unlinked local record with the same name/number to adopt, or else a free
    value for the unique field when the name is taken by a record linked elsewhere (None when no change needed)."""
    key = UNIQUE_FIELDS.get(entity_type)
    if key is None:
        return None, None
    model = entity(entity_type).model
    wanted = values.fields.get(key) or ''
    if not wanted:
        return None, f'QB-{qbo_id}'
    existing = (await session.exec(select(model).where(getattr(model, key) == wanted))).first()
    if existing is None:
        return None, None
    link = (await session.exec(select(EntityLink).where(
        EntityLink.realm_id == realm_id, EntityLink.entity_type == entity_type,
        EntityLink.local_id == existing.id))).first()  # type: ignore[attr-defined]
    if link is None or (link.qbo_id is None and link.status != LinkStatus.DELETED_IN_QBO):
        return existing, None  # the same customer/item/document, not yet known to QuickBooks: link it
    limit = 21 if key == 'doc_number' else 100 if key == 'name' else 500
    suffix = f'-{qbo_id}' if key == 'doc_number' else f' ({qbo_id})'
    return None, wanted[:limit - len(suffix)] + suffix


async def _replace_lines(session: AsyncSession, entity_type: str, parent_id: int,
                         lines: list[dict[str, Any]] | None, *, fresh: bool = False) -> None:
    """:param fresh: the record was just created (it has no lines to delete)"""
    if lines is None or entity_type not in LINE_TABLES:
        return
    table, parent = LINE_TABLES[entity_type]
    if not fresh:
        await session.exec(delete(table).where(getattr(table, parent) == parent_id))  # type: ignore[call-overload]
    session.add_all(table(**{parent: parent_id, **row}) for row in lines)
