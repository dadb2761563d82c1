"""The rest of the entity x operation matrix, as a QuickBooks user does it and as the app then sees it: documents
(invoice, credit memo, expense) updated, voided and deleted; items deactivated and merged; a payment changed."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import SQLModel

from inbound_env import InboundEnv, connection_env, inbound_env  # noqa: F401 (fixtures)
from qbsync.models import (CreditMemo, CreditMemoLine, Expense, Invoice, InvoiceLine, Item, LinkStatus, Payment,
                           PaymentApplication)


def _account(env: InboundEnv, kind: str) -> dict[str, Any]:
    return next(a for a in env.company.objects['Account'].values() if a.get('AccountType') == kind)


def _item(env: InboundEnv, name: str) -> dict[str, Any]:
    return env.qbo('Item', 'create', Name=name, Type='Service', UnitPrice=Decimal('40.00'),
                   IncomeAccountRef={'value': _account(env, 'Income')['Id']})


def _sale_line(item: dict[str, Any], amount: str) -> dict[str, Any]:
    return {'Amount': Decimal(amount), 'DetailType': 'SalesItemLineDetail', 'Description': 'Work',
            'SalesItemLineDetail': {'ItemRef': {'value': item['Id']}, 'Qty': 1, 'UnitPrice': Decimal(amount)}}


def _document(env: InboundEnv, qbo_name: str, customer: dict[str, Any]) -> dict[str, Any]:
    if qbo_name == 'Purchase':
        return {'PaymentType': 'Check', 'AccountRef': {'value': _account(env, 'Bank')['Id']}, 'Line': [
            {'Amount': Decimal('64.00'), 'DetailType': 'AccountBasedExpenseLineDetail', 'Description': 'Ladder',
             'AccountBasedExpenseLineDetail': {'AccountRef': {'value': _account(env, 'Expense')['Id']}}}]}
    return {'CustomerRef': {'value': customer['Id']}, 'Line': [_sale_line(_item(env, 'Matrix Work'), '64.00')]}


NOTE = {'invoice': 'private_note', 'credit_memo': 'private_note', 'expense': 'memo'}


@pytest.mark.parametrize(('qbo_name', 'entity_type', 'model'), [
    ('Invoice', 'invoice', Invoice), ('CreditMemo', 'credit_memo', CreditMemo), ('Purchase', 'expense', Expense)])
async def test_a_document_updated_voided_then_deleted_in_quickbooks(inbound_env: InboundEnv, qbo_name: str,
                                                                      entity_type: str,
                                                                      model: type[SQLModel]) -> None:
    env = inbound_env
    customer = env.qbo('Customer', 'create', DisplayName='Matrix Co')
    document = env.qbo(qbo_name, 'create', **_document(env, qbo_name, customer))
    await env.sync_webhooks()
    created = await env.record(entity_type, document['Id'])
    assert created is not None and not created.voided  # type: ignore[attr-defined]

    env.base.clock.advance(seconds=2)
    env.qbo(qbo_name, 'update', document['Id'], PrivateNote='Changed in QuickBooks')
    await env.sync_webhooks()
    updated = await env.record(entity_type, document['Id'])
    assert getattr(updated, NOTE[entity_type]) == 'Changed in QuickBooks'
    assert updated.version > created.version  # type: ignore[attr-defined]
    link = await env.link(entity_type, created.id)  # type: ignore[attr-defined]
    assert link.status == LinkStatus.SYNCED and link.synced_version == updated.version  # type: ignore[attr-defined]
    assert (await env.log())[-1].action == 'inbound_update'

    env.base.clock.advance(seconds=2)
    env.qbo(qbo_name, 'void', document['Id'])
    await env.sync_webhooks()
    voided = await env.record(entity_type, document['Id'])
    assert voided.voided and (await env.log())[-1].action == 'inbound_void'  # type: ignore[attr-defined]
    assert (await env.link(entity_type, created.id)).status == LinkStatus.SYNCED  # type: ignore[attr-defined]

    env.base.clock.advance(seconds=2)
    env.qbo(qbo_name, 'delete', document['Id'])
    await env.sync_webhooks()
    kept = await env.rows(model, model.id == created.id)  # type: ignore[attr-defined]
    assert len(kept) == 1 and kept[0].voided  # never deleted locally
    link = await env.link(entity_type, created.id)  # type: ignore[attr-defined]
    assert link.status == LinkStatus.DELETED_IN_QBO and link.last_error == 'Deleted in QuickBooks'
    entry = (await env.log())[-1]
    assert entry.action == 'inbound_delete' and entry.level == 'warning' and entry.local_id == created.id


async def test_an_item_deactivated_then_merged_in_quickbooks(inbound_env: InboundEnv) -> None:
    env = inbound_env
    keep, lose, retired = _item(env, 'Window Cleaning'), _item(env, 'Window Washing'), _item(env, 'Old Service')
    customer = env.qbo('Customer', 'create', DisplayName='Glass House')
    invoice = env.qbo('Invoice', 'create', CustomerRef={'value': customer['Id']}, Line=[_sale_line(lose, '40.00')])
    memo = env.qbo('CreditMemo', 'create', CustomerRef={'value': customer['Id']}, Line=[_sale_line(lose, '10.00')])
    await env.sync_webhooks()
    kept, lost = await env.record('item', keep['Id']), await env.record('item', lose['Id'])

    env.base.clock.advance(seconds=2)
    env.qbo('Item', 'update', retired['Id'], Active=False)
    await env.sync_webhooks()
    local_retired = await env.record('item', retired['Id'])
    assert local_retired.active is False  # type: ignore[attr-defined]
    assert (await env.log())[-1].action == 'inbound_deactivate'

    env.base.clock.advance(seconds=2)
    env.qbo('Item', 'merge', keep['Id'], merge_id=lose['Id'])
    await env.sync_webhooks()
    local_invoice = await env.record('invoice', invoice['Id'])
    local_memo = await env.record('credit_memo', memo['Id'])
    (invoice_line,) = await env.rows(InvoiceLine, InvoiceLine.invoice_id == local_invoice.id)  # type: ignore
    (memo_line,) = await env.rows(CreditMemoLine, CreditMemoLine.credit_memo_id == local_memo.id)  # type: ignore
    assert invoice_line.item_id == memo_line.item_id == kept.id  # type: ignore[attr-defined]
    (loser,) = await env.rows(Item, Item.id == lost.id)  # type: ignore[attr-defined]
    assert loser.active is False  # kept, inactive
    assert (await env.link('item', lost.id)).status == LinkStatus.DELETED_IN_QBO  # type: ignore[attr-defined]
    invoice_link = await env.link('invoice', local_invoice.id)  # type: ignore[attr-defined]
    refreshed = await env.record('invoice', invoice['Id'])
    assert invoice_link.synced_version == refreshed.version  # type: ignore[attr-defined]  # not pending again
    assert any(e.action == 'inbound_merge' and e.entity_type == 'item' for e in await env.log())


async def test_a_payment_changed_in_quickbooks_moves_its_application(inbound_env: InboundEnv) -> None:
    env = inbound_env
    customer = env.qbo('Customer', 'create', DisplayName='Apply Twice Co')
    work = _item(env, 'Gutter Work')
    first = env.qbo('Invoice', 'create', CustomerRef={'value': customer['Id']}, Line=[_sale_line(work, '80.00')])
    second = env.qbo('Invoice', 'create', CustomerRef={'value': customer['Id']}, Line=[_sale_line(work, '50.00')])
    payment = env.qbo('Payment', 'create', CustomerRef={'value': customer['Id']}, TotalAmt=Decimal('80.00'),
                      Line=[{'Amount': Decimal('80.00'), 'LinkedTxn': [{'TxnId': first['Id'],
                                                                       'TxnType': 'Invoice'}]}])
    await env.sync_webhooks()
    env.base.clock.advance(seconds=2)
    env.qbo('Payment', 'update', payment['Id'], TotalAmt=Decimal('50.00'), PaymentRefNum='CHK-9',
            Line=[{'Amount': Decimal('50.00'), 'LinkedTxn': [{'TxnId': second['Id'], 'TxnType': 'Invoice'}]}])
    await env.sync_webhooks()
    local = await env.record('payment', payment['Id'])
    assert isinstance(local, Payment) and local.amount == Decimal('50.00') and local.reference == 'CHK-9'
    (application,) = await env.rows(PaymentApplication, PaymentApplication.payment_id == local.id)
    assert application.invoice_id == (await env.record('invoice', second['Id'])).id  # type: ignore[union-attr]
    assert application.amount == Decimal('50')
    link = await env.link('payment', local.id)
    assert link.status == LinkStatus.SYNCED and link.synced_version == local.version
