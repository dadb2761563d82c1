"""NiceGUI pages: UI only. ``register(services)`` adds the auth middleware and every page to the app.

Each page module exposes ``register(services) -> None`` defining its ``@ui.page`` free functions; app.py calls
``pages.register(services)`` once. No tables live here (NiceGUI's test fixtures re-import page modules per test).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import account, auth, home, integrations, records, region, users
from .static_layout import static_layout

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register', 'static_layout']


def register(services: Services) -> None:
    auth.register(services)
    home.register(services)
    users.register(services)
    account.register(services)
    records.register(services)
    integrations.register(services)
    region.register(services)
