"""Inbound sync against the real in-process sandbox, on a fresh ("new" profile) company: the app's webhook route
receives the sandbox's real, signed deliveries (either format), a person edits in "QuickBooks" through the sandbox's
edit-as-a-user admin path, and the inbound sync applies what it learns to a migrated database. One ManualClock drives
both sides.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import SQLModel, select

from connection_env import CLIENT_ID, ConnectionEnv, connection_env  # noqa: F401 (fixture)
from qbsync.models import EntityLink, SyncLogEntry, WebhookEvent
from qbsync.sandbox.admin.companies import UserEdit, edit_as_user
from qbsync.services.conflicts import ConflictService
from qbsync.services.sync_settings import SyncSettingsService
from qbsync.services.webhook_inbox import WebhookInbox
from qbsync.sync.entities import entity
from qbsync.sync.inbound_sync import InboundSync
from qbsync.web import quickbooks_routes

__all__ = ['InboundEnv', 'inbound_env', 'connection_env', 'WEBHOOK_URL']

WEBHOOK_URL = 'http://app.test/api/quickbooks/webhook'


@dataclass
class InboundEnv:
    base: ConnectionEnv
    inbox: WebhookInbox
    inbound: InboundSync
    settings: SyncSettingsService
    conflicts: ConflictService

    realm_id: str = ''

    @property
    def company(self) -> Any:
        return self.base.sandbox.companies.get(self.realm_id)

    def qbo(self, entity: str, operation: str, entity_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Edit as a QuickBooks user would; returns the object as the API would."""
        merge_id = fields.pop('merge_id', None)
        return edit_as_user(self.company, UserEdit(entity, operation, entity_id, fields, merge_id))  # type: ignore

    async def deliver(self) -> int:
        """Send every webhook due now (aggregation windows closed), one after the other as Intuit does (it holds
        later deliveries until the earlier one is acknowledged); returns how many deliveries went out."""
        sent = 0
        while sent_now := len(await self.base.sandbox.webhooks.flush()):
            sent += sent_now
        await self.inbox.drain()  # the route answers before it stores: what it accepted is in the database now
        return sent

    async def redeliver(self, delivery: Any) -> int:
        """Post a delivery already made once more, byte for byte (Intuit's retry); returns the HTTP status."""
        async with httpx.AsyncClient(transport=self.base.sandbox.config.webhook_transport) as client:
            response = await client.post(WEBHOOK_URL, content=delivery.body, headers={
                'intuit-signature': delivery.signature, 'content-type': 'application/json'})
        await self.inbox.drain()
        return response.status_code

    async def sync_webhooks(self) -> int:
        """Deliver, then process until nothing is due; returns the events finished."""
        await self.deliver()
        finished = 0
        while (report := await self.inbound.process_events()).claimed:
            finished += report.finished
        return finished

    async def set_prefs(self, **changes: Any) -> None:
        owner = next(iter(self.base.users.values()))
        await self.settings.save(replace(await self.settings.load(), **changes), acting=owner)

    async def app_edit(self, entity_type: str, local_id: int, **fields: Any) -> None:
        """A person's edit in the app: new values and a new version, the link left behind (pending)."""
        async with self.base.db.session() as session:
            record = await session.get(entity(entity_type).model, local_id)
            for key, value in fields.items():
                setattr(record, key, value)
            record.version += 1  # type: ignore[union-attr]
            record.updated_at = self.base.clock.now()  # type: ignore[union-attr]
            session.add(record)
            await session.commit()

    async def record(self, entity_type: str, qbo_id: str) -> SQLModel | None:
        async with self.base.db.session() as session:
            link = (await session.exec(select(EntityLink).where(
                EntityLink.entity_type == entity_type, EntityLink.qbo_id == qbo_id))).first()
            return await session.get(entity(entity_type).model, link.local_id) if link else None

    async def link(self, entity_type: str, local_id: int) -> EntityLink | None:
        async with self.base.db.session() as session:
            return (await session.exec(select(EntityLink).where(
                EntityLink.entity_type == entity_type, EntityLink.local_id == local_id))).first()

    async def rows(self, model: type[SQLModel], *where: Any) -> list[Any]:
        async with self.base.db.session() as session:
            return list((await session.exec(select(model).where(*where))).all())

    async def log(self) -> list[SyncLogEntry]:
        return await self.rows(SyncLogEntry, SyncLogEntry.action != 'connect')

    async def events(self) -> list[WebhookEvent]:
        return await self.rows(WebhookEvent)


@pytest.fixture(params=['legacy'])
async def inbound_env(connection_env: ConnectionEnv, request: pytest.FixtureRequest) -> AsyncIterator[InboundEnv]:
    """Connected, inbound sync on, webhooks of the format the test asks for (``legacy`` unless parametrized)."""
    env = connection_env
    inbox = WebhookInbox(env.db, env.settings.data_dir / 'webhooks', now=env.clock.now)
    services = SimpleNamespace(settings=env.settings, webhooks=inbox, connection=env.service)
    receiver = FastAPI()
    receiver.include_router(quickbooks_routes.build_router(services))  # type: ignore[arg-type]
    env.sandbox.config.webhook_transport = httpx.ASGITransport(app=receiver)
    registered = env.sandbox.apps.get(CLIENT_ID)
    assert registered is not None
    registered.webhook_url, registered.verifier_token = WEBHOOK_URL, env.settings.webhook_verifier_token
    registered.webhook_format, registered.throttling = request.param, False
    fresh = env.sandbox.companies.create_company('Inbound Test Co', profile='new')  # exact counts, quick sweeps
    outcome = await env.connect(realm_id=fresh.realm_id)
    assert outcome.ok, outcome.message
    settings = SyncSettingsService(env.db)
    inbound = InboundSync(env.db, realm=_realm(env), api=env.service.api, preferences=settings.load,
                          now=env.clock.now)
    conflicts = ConflictService(env.db, api=env.service.api, realm=_realm(env), now=env.clock.now)
    result = InboundEnv(env, inbox, inbound, settings, conflicts, fresh.realm_id)
    await result.set_prefs(inbound_enabled=True)
    yield result


def _realm(env: ConnectionEnv):  # type: ignore[no-untyped-def]
    async def realm() -> str | None:
        view = await env.service.current()
        return view.realm_id if view else None
    return realm

