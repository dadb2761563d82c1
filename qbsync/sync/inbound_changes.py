"""Changes coming from QuickBooks, in the shape the applier takes, whichever way they were learned (webhook or CDC).

Webhook events only name an object; they are coalesced per entity and Id (ten updates of one invoice are one read)
and the objects are then read in bulk. A Delete needs no read: QuickBooks answers a deleted transaction's Id with
"not found", so the change is a deleted stub. A Merge names the survivor and the merged-away Id.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..models import WebhookEvent
from ..quickbooks.changes import ChangedObject
from ..quickbooks.client import NAME_LISTS

__all__ = ['InboundChange', 'ApplyResult', 'ChangeApplier', 'EventPlan', 'plan_events']


@dataclass(frozen=True)
class InboundChange:
    object: ChangedObject
    merged_away: tuple[str, ...] = ()  # Ids merged into this object (Customer, Item)

    @property
    def entity(self) -> str:
        return self.object.entity

    @property
    def key(self) -> tuple[str, str]:
        return self.object.entity, self.object.id


@dataclass
class ApplyResult:
    applied: int = 0  # created, updated, voided, deleted or merged locally
    unchanged: int = 0  # echoes of the app's own writes and versions already applied
    held: int = 0  # waiting for the user (ask me) or for a reference that could not be resolved
    failed: dict[tuple[str, str], str] = field(default_factory=dict)  # (entity, Id) -> reason
    # (local entity type, run outcome: created | updated | skipped | failed) -> how many, for the run's tally
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, other: ApplyResult) -> None:
        self.applied += other.applied
        self.unchanged += other.unchanged
        self.held += other.held
        self.failed.update(other.failed)
        self.outcomes.update(other.outcomes)


class ChangeApplier(Protocol):
    async def apply(self, changes: Sequence[InboundChange]) -> ApplyResult:
        """Apply the changes (any order: the applier orders by dependency); one failure never stops the rest."""
        ...


@dataclass
class EventPlan:
    """What the events of one pass ask for, per entity: Ids to read, Ids deleted, merges, and who asked."""
    reads: dict[str, list[str]] = field(default_factory=dict)
    deletes: dict[str, list[str]] = field(default_factory=dict)
    merges: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # survivor -> merged-away Ids
    events: dict[tuple[str, str], list[WebhookEvent]] = field(default_factory=dict)

    def events_of(self, keys: Iterable[tuple[str, str]]) -> list[WebhookEvent]:
        return [event for key in keys for event in self.events.get(key, [])]


def plan_events(events: Sequence[WebhookEvent]) -> EventPlan:
    """Coalesce per entity and Id; the newest operation decides between reading the object and a deletion."""
    plan = EventPlan()
    latest: dict[tuple[str, str], WebhookEvent] = {}
    for event in sorted(events, key=lambda e: (e.last_updated is not None, e.last_updated, e.id or 0)):
        key = (event.entity, event.entity_qbo_id)
        plan.events.setdefault(key, []).append(event)
        latest[key] = event
        if event.operation == 'Merge' and event.deleted_id:
            plan.merges[key] = tuple(dict.fromkeys((*plan.merges.get(key, ()), event.deleted_id)))
    for (entity, entity_id), event in latest.items():
        # names are never deleted: a Delete announces a deactivation (or a merge), so read what is there
        deleted = event.operation == 'Delete' and entity not in NAME_LISTS
        bucket = plan.deletes if deleted else plan.reads
        bucket.setdefault(entity, []).append(entity_id)
    return plan
