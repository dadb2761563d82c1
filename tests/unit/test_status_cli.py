"""`qbsync status` reports the connection, token health and figures from the app's own database."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from qbsync import cli
from qbsync.db import Database
from qbsync.models import Customer, QuickBooksConnection
from qbsync.settings import load_settings


def test_fresh_install_is_reported_as_not_connected(capsys) -> None:
    assert cli.main(['status']) == 0
    out = capsys.readouterr().out
    assert 'QuickBooks: not connected' in out and 'Last sync run: never' in out
    assert 'All records' in out


def test_connected_company_tokens_and_counts_without_secrets(capsys) -> None:
    settings = load_settings()
    expires = datetime.now(timezone.utc) + timedelta(days=3, hours=2)

    async def seed() -> None:
        from qbsync.db import upgrade_schema
        upgrade_schema(settings.database_url)
        db = Database(settings.database_url)
        async with db.session() as session:
            session.add(QuickBooksConnection(realm_id='4620816365', company_name='Summit Comfort',
                                             encrypted_tokens='gAAAA-encrypted-token-json',
                                             refresh_token_expires_at=expires,
                                             access_token_expires_at=datetime.now(timezone.utc) - timedelta(hours=1)))
            session.add(Customer(display_name='Oak Park Bakery'))
            await session.commit()
        await db.dispose()

    asyncio.run(seed())
    assert cli.main(['status']) == 0
    out = capsys.readouterr().out
    assert 'QuickBooks: Summit Comfort (realm 4620816365), connected' in out
    assert 'refresh token: expires' in out and '(in 3 d' in out
    assert 'access token: expired' in out
    customers = next(line for line in out.splitlines() if line.startswith('Customers'))
    assert customers.split()[-2:] == ['1', '1']  # one record, not synced
    assert 'gAAAA' not in out
