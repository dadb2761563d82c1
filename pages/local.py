"""The formats for the page being built: the business's region and, when it chose none, the browser's time zone.

The browser reports its zone in a cookie (``theme.TIME_ZONE_COOKIE``), so the very first page after login is
already in local time; a missing or unknown zone falls back to UTC (``Region.formats``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote

from nicegui import ui

from qbsync.formats import LocalFormats

from .theme import TIME_ZONE_COOKIE

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['local_formats', 'browser_time_zone']


async def local_formats(services: Services) -> LocalFormats:
    return await services.region.formats(browser_time_zone())


def browser_time_zone() -> str | None:
    request = ui.context.client.request
    value = request.cookies.get(TIME_ZONE_COOKIE) if request is not None else None
    return unquote(value) if value else None
