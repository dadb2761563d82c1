"""Record pages (list, view, create, edit) for every record type, written once and driven by ``specs``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import detail, editor, listing
from .specs import RECORD_PAGES

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register']


def register(services: Services) -> None:
    for spec in RECORD_PAGES:
        listing.register(services, spec)
        editor.register(services, spec)  # before the view page, so '/<slug>/new' is not read as an id
        detail.register(services, spec)
