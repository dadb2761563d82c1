"""Settings -> Integrations and the QuickBooks control center (Overview, Sync Settings, Account Mapping,
Sync Dashboard, Sync Log, Setup Guide)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import conflicts, control_center, integrations

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register']


def register(services: Services) -> None:
    integrations.register(services)
    control_center.register(services)
    conflicts.register(services)
