"""Committed changes, announced to whoever listens (webhooks, CDC bookkeeping, the inspect page).

The accounting layer emits one ChangeEvent per committed create/update/delete/void/merge/email; listeners must
not block, since they run inside the API request that caused the change.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Literal

__all__ = ['ChangeEvent', 'EventBus', 'Operation']

Operation = Literal['Create', 'Update', 'Delete', 'Void', 'Merge', 'Emailed']


@dataclass(frozen=True)
class ChangeEvent:
    realm_id: str
    entity: str          # Intuit's entity name, e.g. 'Invoice'
    entity_id: str
    operation: Operation
    occurred_at: datetime  # timezone-aware UTC, from the sandbox clock
    deleted_id: str | None = None  # the merged-away record on Merge


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Callable[[ChangeEvent], None]] = []

    def subscribe(self, listener: Callable[[ChangeEvent], None]) -> Callable[[], None]:
        """Register a listener; returns a function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: ChangeEvent) -> None:
        for listener in list(self._listeners):
            listener(event)
