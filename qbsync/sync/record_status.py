"""A record's QuickBooks status, derived in SQL from EntityLink for the active company.

One definition serves the record lists, the record page and the dashboard figures: join the link with
``link_condition`` and read ``status_case``. The link is found through the unique (realm, type, local id) index,
so a page of rows costs one query, never one per row.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlmodel import SQLModel, col

from ..models import ConnectionStatus, EntityLink, LinkStatus, QuickBooksConnection

__all__ = ['SyncState', 'QuickBooksStatus', 'active_realm', 'link_condition', 'status_case', 'link_alias']


class QuickBooksStatus:
    SYNCED = 'synced'  # link synced and reflects the record's current version
    PENDING = 'pending'  # linked, but changed since (or not yet confirmed)
    FAILED = 'failed'  # the last attempt failed; the link carries the reason
    NOT_SYNCED = 'not synced'  # never sent to this company
    ALL = (SYNCED, PENDING, FAILED, NOT_SYNCED)


@dataclass(frozen=True)
class SyncState:
    status: str
    error: str = ''
    qbo_id: str | None = None


def active_realm() -> ColumnElement[str]:
    """The realm of the company currently connected (or waiting for a reconnect); NULL when there is none."""
    return (select(QuickBooksConnection.realm_id)
            .where(col(QuickBooksConnection.status).in_((ConnectionStatus.CONNECTED, ConnectionStatus.NEEDS_RECONNECT)))
            .order_by(col(QuickBooksConnection.connected_at).desc()).limit(1).scalar_subquery())


def link_alias() -> type[EntityLink]:
    return aliased(EntityLink, name='link')  # type: ignore[return-value]


def link_condition(link: type[EntityLink], model: type[SQLModel], entity_type: str) -> ColumnElement[bool]:
    """ON clause for ``outerjoin(link, ...)``: the link of each row for the active company."""
    return and_(link.realm_id == active_realm(), link.entity_type == entity_type,
                link.local_id == model.id)  # type: ignore[attr-defined]


def status_case(link: type[EntityLink], model: type[SQLModel]) -> ColumnElement[str]:
    """'synced' | 'pending' | 'failed' | 'not synced' for each joined row (see QuickBooksStatus)."""
    return case(
        (col(link.id).is_(None), QuickBooksStatus.NOT_SYNCED),
        (link.status == LinkStatus.FAILED, QuickBooksStatus.FAILED),
        (and_(link.status == LinkStatus.SYNCED, link.synced_version == model.version),  # type: ignore[attr-defined]
         QuickBooksStatus.SYNCED),
        else_=QuickBooksStatus.PENDING,
    )
