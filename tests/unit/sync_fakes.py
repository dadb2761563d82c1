"""Stand-ins for the service-layer tests of automatic sync and the Sync Log: a connected company, unused tokens, and
a runner on a client that never reaches QuickBooks (the passes under test are fakes too)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from qbsync.db import Database
from qbsync.quickbooks.client import QuickBooksClient
from qbsync.sync.runner import SyncRunner

__all__ = ['ActiveConnection', 'offline_runner']


@dataclass
class _View:
    realm_id: str


class ActiveConnection:
    """What ConnectionService.current() gives: the connected company."""

    def __init__(self, realm_id: str) -> None:
        self.realm_id = realm_id

    async def current(self) -> _View:
        return _View(self.realm_id)


class _Tokens:
    async def access_token(self) -> str:
        return 'unused'

    async def renew(self, rejected: str) -> str:
        return 'unused'


@asynccontextmanager
async def offline_runner(db: Database, realm_id: str) -> AsyncIterator[SyncRunner]:
    """A real SyncRunner (lease, run records, progress) whose client is never called by the fake passes."""
    async with httpx.AsyncClient() as http:
        async def client() -> QuickBooksClient:
            return QuickBooksClient(http, api_base_url='http://quickbooks.test/v3', realm_id=realm_id,
                                    tokens=_Tokens())
        yield SyncRunner(db, client)
