"""Plain words for the connection and QuickBooks errors, each with the action that fixes it; record removal rules."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from center_db import database, manager, viewer_account  # noqa: F401 (fixtures)
from qbsync.formats import LocalFormats
from qbsync.models import EntityLink, LinkStatus
from qbsync.quickbooks.errors import (FaultDetail, NetworkError, ReconnectRequired, ThrottledError, ValidationFault)
from qbsync.services.connection_views import ConnectionView
from qbsync.services.errors import PermissionDenied, ServiceError
from qbsync.services.owner_messages import (CONNECT, OPEN_MAPPING, RECONNECT, RETRY, connection_health,
                                            explain_error)
from qbsync.services.record_inputs import CustomerInput, InvoiceInput, ItemInput, SalesLineInput
from qbsync.services.record_removal import DEACTIVATE, DELETE, VOID, RecordRemoval
from qbsync.services.records import RecordService

VIEW = ConnectionView(realm_id='123', company_name='Acme Plumbing', environment='production', status='connected',
                      connected_at=datetime(2026, 1, 5, tzinfo=timezone.utc), last_refreshed_at=None,
                      refresh_token_expires_at=datetime(2026, 4, 15, tzinfo=timezone.utc), last_error='',
                      refresh_token_hard_expires_at=datetime(2027, 3, 11, 12, tzinfo=timezone.utc))


def test_connection_health_in_words_not_countdowns() -> None:
    health = connection_health(VIEW, LocalFormats('en_GB', 'Europe/London', 'GBP'))
    assert health.title == 'Connected to Acme Plumbing'
    assert health.detail == 'Access renews automatically; reconnect needed by 11 Mar 2027.'
    assert health.action is None and health.tone == 'positive'
    broken = connection_health(replace(VIEW, status='needs_reconnect', last_error='invalid_grant: Token invalid'),
                               LocalFormats())
    assert broken.action == RECONNECT and 'invalid_grant' not in broken.detail
    assert broken.support == 'invalid_grant: Token invalid'  # kept as small print for support
    assert connection_health(None, LocalFormats()).action == CONNECT


def test_errors_in_plain_words_with_their_action() -> None:
    assert explain_error(ReconnectRequired('invalid_grant', 'Token invalid')).action == RECONNECT
    assert explain_error('invalid_grant: Token invalid').action == RECONNECT
    assert explain_error(ThrottledError('slow down')).action == RETRY
    assert explain_error(NetworkError('timeout')).title == 'QuickBooks could not be reached'
    fault = ValidationFault('refused', errors=(FaultDetail(code='6000', message='x', detail='Income account is not '
                                                           'mapped for this item', element=''),))
    refused = explain_error(fault)
    assert refused.action == OPEN_MAPPING and 'Income account is not mapped' in refused.detail
    assert 'code 6000' in refused.support


async def _invoice(records: RecordService) -> tuple[int, int, int]:
    customer = (await records.create(CustomerInput(display_name='Juniper Joinery'))).id
    item = (await records.create(ItemInput(name='Survey', unit_price='10.00'))).id
    invoice = (await records.create(InvoiceInput(customer_id=customer, txn_date=date(2026, 3, 1),
                                                 lines=[SalesLineInput(item_id=item, quantity='1')]))).id
    return customer, item, invoice


async def _link(database, entity_type: str, local_id: int, qbo_id: str | None = '9') -> None:  # noqa: F811
    async with database.session() as session:
        session.add(EntityLink(realm_id='123', entity_type=entity_type, local_id=local_id, qbo_id=qbo_id,
                               status=LinkStatus.SYNCED if qbo_id else LinkStatus.FAILED))
        await session.commit()


async def test_removal_follows_what_quickbooks_has(database, manager, viewer_account) -> None:  # noqa: F811
    records = RecordService(database)
    removal = RecordRemoval(database, records)
    customer, item, invoice = await _invoice(records)
    await _link(database, 'invoice', invoice, qbo_id=None)  # a failed first attempt: QuickBooks has nothing
    assert (await removal.options('invoice', invoice)).action == DELETE
    await _link(database, 'customer', customer)
    options = await removal.options('customer', customer)
    assert options.action == DEACTIVATE and 'inactive' in options.consequence
    with pytest.raises(PermissionDenied):
        await removal.remove('customer', customer, acting=viewer_account)
    with pytest.raises(ServiceError, match='used on 1 invoice lines'):
        await removal.remove('item', item, acting=manager)  # never sent, but an invoice uses it
    assert await removal.remove('invoice', invoice, acting=manager) == DELETE
    assert await removal.remove('item', item, acting=manager) == DELETE  # no longer used
    assert await removal.remove('customer', customer, acting=manager) == DEACTIVATE
    assert (await removal.options('customer', customer)).action == ''  # already inactive: nothing left to do


async def test_a_sent_invoice_is_voided_not_deleted(database, manager) -> None:  # noqa: F811
    records = RecordService(database)
    removal = RecordRemoval(database, records)
    _, _, invoice = await _invoice(records)
    await _link(database, 'invoice', invoice)
    options = await removal.options('invoice', invoice)
    assert options.action == VOID and options.label == 'Void' and 'Voided' in options.consequence
    assert await removal.remove('invoice', invoice, acting=manager) == VOID
    assert (await records.get('invoice', invoice)).record.voided
