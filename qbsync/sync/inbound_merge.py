"""A merge done in QuickBooks (customers, items), done the same way locally.

QuickBooks keeps the survivor, moves every reference of the merged-away record to it and removes the loser. Locally
nothing is deleted: references move to the survivor's record, the loser's record is kept inactive and its link is
flagged. When the app only knew the loser, its record simply follows the survivor from now on. Records whose
references move get a new version with their link's synced version moved along (QuickBooks made the same change).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import (CreditMemo, CreditMemoLine, EntityLink, ExpenseLine, Invoice, InvoiceLine,
                      LinkStatus, Payment)

from .entities import ENTITIES, entity

__all__ = ['merge_records', 'bump_version', 'REFERENCES']

Log = Callable[[str, int | None, str | None, str, str, str], Awaitable[None]]

# entity merged -> (table holding the reference, its column, (parent entity type, column to the parent) for lines)
REFERENCES: dict[str, list[tuple[type[SQLModel], str, tuple[str, str] | None]]] = {
    'customer': [(Invoice, 'customer_id', None), (Payment, 'customer_id', None), (CreditMemo, 'customer_id', None),
                 (ExpenseLine, 'customer_id', ('expense', 'expense_id'))],
    'item': [(InvoiceLine, 'item_id', ('invoice', 'invoice_id')),
             (CreditMemoLine, 'item_id', ('credit_memo', 'credit_memo_id'))],
}


async def merge_records(session: AsyncSession, realm_id: str, entity_type: str, survivor_qbo_id: str,
                        merged_away: Sequence[str], survivor_link: EntityLink | None, now: datetime,
                        log: Log) -> EntityLink | None:
    """Returns the survivor's link afterwards (the loser's re-pointed one when the app did not know the survivor)."""
    for loser_qbo_id in merged_away:
        loser_link = (await session.exec(select(EntityLink).where(
            EntityLink.realm_id == realm_id, EntityLink.entity_type == entity_type,
            EntityLink.qbo_id == loser_qbo_id))).first()
        if loser_link is None:
            continue
        if survivor_link is None:
            loser_link.qbo_id, loser_link.sync_token, loser_link.updated_at = survivor_qbo_id, None, now
            loser_link.status, loser_link.last_error = LinkStatus.SYNCED, ''
            session.add(loser_link)
            survivor_link = loser_link
            await log(entity_type, loser_link.local_id, survivor_qbo_id, 'info', 'inbound_merge',
                      f'{entity_type.capitalize()} QuickBooks #{loser_qbo_id} was merged into #{survivor_qbo_id} in '
                      f'QuickBooks: the app\'s record now follows #{survivor_qbo_id}.')
            continue
        if loser_link.local_id == survivor_link.local_id:
            continue
        moved = await _move_references(session, realm_id, entity_type, loser_link.local_id, survivor_link.local_id,
                                       now)
        loser = await session.get(entity(entity_type).model, loser_link.local_id)
        survivor = await session.get(entity(entity_type).model, survivor_link.local_id)
        if loser is not None:
            await bump_version(session, realm_id, entity_type, loser, now, active=False)
        loser_link.status, loser_link.updated_at = LinkStatus.DELETED_IN_QBO, now
        loser_link.last_error = f'Merged into {_name(survivor)} in QuickBooks'
        session.add(loser_link)
        await log(entity_type, loser_link.local_id, loser_qbo_id, 'info', 'inbound_merge',
                  f'{entity_type.capitalize()} {_name(loser)} was merged into {_name(survivor)} in QuickBooks: '
                  f'{moved} record(s) now refer to {_name(survivor)}; {_name(loser)} is kept, inactive.')
    return survivor_link


async def _move_references(session: AsyncSession, realm_id: str, entity_type: str, loser_id: int, survivor_id: int,
                           now: datetime) -> int:
    touched: set[tuple[str, int]] = set()
    for table, column, parent in REFERENCES.get(entity_type, []):
        rows = (await session.exec(select(table).where(getattr(table, column) == loser_id))).all()
        for row in rows:
            setattr(row, column, survivor_id)
            session.add(row)
            if parent is None:
                touched.add((_type_of(table), row.id))  # type: ignore[attr-defined]
            else:
                touched.add((parent[0], getattr(row, parent[1])))
    for owner_type, owner_id in sorted(touched):
        record = await session.get(entity(owner_type).model, owner_id)
        if record is not None:
            await bump_version(session, realm_id, owner_type, record, now)
    return len(touched)


async def bump_version(session: AsyncSession, realm_id: str, entity_type: str, record: SQLModel, now: datetime,
                **changes: object) -> None:
    """A new version made by QuickBooks' own change: a link that was in step stays in step."""
    link = (await session.exec(select(EntityLink).where(
        EntityLink.realm_id == realm_id, EntityLink.entity_type == entity_type,
        col(EntityLink.local_id) == record.id))).first()  # type: ignore[attr-defined]
    in_step = link is not None and link.synced_version == record.version  # type: ignore[attr-defined]
    for key, value in changes.items():
        setattr(record, key, value)
    record.version += 1  # type: ignore[attr-defined]
    record.updated_at = now  # type: ignore[attr-defined]
    session.add(record)
    if in_step and link is not None:
        link.synced_version = record.version  # type: ignore[attr-defined]
        session.add(link)


def _type_of(table: type[SQLModel]) -> str:
    return next(spec.name for spec in ENTITIES if spec.model is table)


def _name(record: SQLModel | None) -> str:
    if record is None:
        return '(missing)'
    return str(getattr(record, 'display_name', None) or getattr(record, 'name', None) or f'#{record.id}')  # type: ignore
