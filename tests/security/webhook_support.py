"""Signed webhook posts against the running app, and a connected company for them to be about."""
from __future__ import annotations

import base64
import hashlib
import hmac

from nicegui import app
from sqlmodel import select

from qbsync.models import ConnectionStatus, QuickBooksConnection, WebhookEvent

__all__ = ['REALM', 'signed', 'connect_company', 'stored_events']

REALM = '9130350000000001'


def signed(body: bytes) -> dict[str, str]:
    token = app.state.services.settings.webhook_verifier_token
    return {'intuit-signature': base64.b64encode(hmac.new(token.encode(), body, hashlib.sha256).digest()).decode(),
            'content-type': 'application/json'}


async def connect_company(realm_id: str = REALM, status: str = ConnectionStatus.CONNECTED) -> None:
    """A connection row as the OAuth flow leaves it (tokens are irrelevant to the intake)."""
    async with app.state.services.db.session() as session:
        session.add(QuickBooksConnection(realm_id=realm_id, company_name='Test Co', status=status))
        await session.commit()


async def stored_events() -> list[WebhookEvent]:
    """What the inbox stored of every delivery acknowledged so far (the route answers before storing)."""
    await app.state.services.webhooks.drain()
    async with app.state.services.db.session() as session:
        return list((await session.exec(select(WebhookEvent).order_by(WebhookEvent.id))).all())
