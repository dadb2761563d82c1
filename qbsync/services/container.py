"""Composition root: builds every service once and owns their start and stop.

`app.py` creates one Services and hands it to the pages and routes; tests reach it through
``app.state.services`` (NiceGUI re-runs app.py per test, so it must never be imported).
"""
from __future__ import annotations

import logging

import httpx

from ..settings import Settings

__all__ = ['Services']

log = logging.getLogger(__name__)


class Services:
    def __init__(self, settings: Settings, *, http_transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        # how QuickBooks calls travel: the network, or in-process to the embedded sandbox (same wire format)
        self.http_transport = http_transport
        self.started = False

    def start(self) -> None:
        """Synchronous on purpose: NiceGUI does not await async startup handlers before the first request."""
        self.started = True

    async def stop(self) -> None:
        self.started = False
