"""Each entity created, updated, voided, deactivated, deleted and merged as a QuickBooks user, and seen locally."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from inbound_env import InboundEnv, connection_env, inbound_env  # noqa: F401 (fixtures)
from qbsync.models import (CreditMemo, Customer, Expense, ExpenseLine, Invoice, InvoiceLine, Item, LinkStatus,
                           Payment, PaymentApplication)


def _service_item(env: InboundEnv) -> dict[str, Any]:
    return next(i for i in env.company.objects['Item'].values() if i.get('Type') == 'Service')


def _line(item: dict[str, Any], amount: str, qty: int = 1) -> dict[str, Any]:
    return {'Amount': Decimal(amount), 'DetailType': 'SalesItemLineDetail', 'Description': 'Work',
            'SalesItemLineDetail': {'ItemRef': {'value': item['Id']}, 'Qty': qty,
                                    'UnitPrice': Decimal(amount) / qty}}


async def test_invoice_created_with_unknown_customer_and_item_creates_them_first(inbound_env: InboundEnv) -> None:
    env = inbound_env
    customer = env.qbo('Customer', 'create', DisplayName='Quarry Bakery')
    await env.deliver()
    await env.inbound.queue.claim()  # the customer's notice is "lost": taken by a worker that then died
    item = _service_item(env)
    invoice = env.qbo('Invoice', 'create', CustomerRef={'value': customer['Id']}, DocNumber='QB-7',
                      Line=[_line(item, '250.00', 2)])
    await env.sync_webhooks()
    local = await env.record('invoice', invoice['Id'])
    assert isinstance(local, Invoice) and local.doc_number == 'QB-7'
    lines = await env.rows(InvoiceLine, InvoiceLine.invoice_id == local.id)
    assert [(line.quantity, line.unit_price, line.amount) for line in lines] == [
        (Decimal('2'), Decimal('125'), Decimal('250'))]
    assert (await env.record('customer', customer['Id'])).id == local.customer_id
    assert (await env.record('item', item['Id'])).id == lines[0].item_id


async def test_void_voids_and_keeps_the_lines(inbound_env: InboundEnv) -> None:
    env = inbound_env
    customer = env.qbo('Customer', 'create', DisplayName='Void Test Co')
    invoice = env.qbo('Invoice', 'create', CustomerRef={'value': customer['Id']}, Line=[_line(_service_item(env),
                                                                                             '90.00')])
    await env.sync_webhooks()
    env.base.clock.advance(seconds=3)
    env.qbo('Invoice', 'void', invoice['Id'])
    await env.sync_webhooks()
    local = await env.record('invoice', invoice['Id'])
    assert local.voided and local.private_note.startswith('Voided')
    assert [line.amount for line in await env.rows(InvoiceLine, InvoiceLine.invoice_id == local.id)] == [
        Decimal('90')]
    assert (await env.link('invoice', local.id)).status == LinkStatus.SYNCED
    assert (await env.log())[-1].action == 'inbound_void'


async def test_deactivation_deactivates(inbound_env: InboundEnv) -> None:
    env = inbound_env
    customer = env.qbo('Customer', 'create', DisplayName='Closing Shop')
    await env.sync_webhooks()
    env.qbo('Customer', 'update', customer['Id'], Active=False)  # announced as a Delete by the sandbox's default
    await env.sync_webhooks()
    local = await env.record('customer', customer['Id'])
    assert local.active is False and (await env.link('customer', local.id)).status == LinkStatus.SYNCED
    assert (await env.log())[-1].action == 'inbound_deactivate'


async def test_deleted_transactions_are_unlinked_and_flagged_never_deleted(inbound_env: InboundEnv) -> None:
    env = inbound_env
    customer = env.qbo('Customer', 'create', DisplayName='Delete Test Co')
    invoice = env.qbo('Invoice', 'create', CustomerRef={'value': customer['Id']}, Line=[_line(_service_item(env),
                                                                                             '40.00')])
    payment = env.qbo('Payment', 'create', CustomerRef={'value': customer['Id']}, TotalAmt=Decimal('40.00'),
                      Line=[{'Amount': Decimal('40.00'), 'LinkedTxn': [{'TxnId': invoice['Id'],
                                                                       'TxnType': 'Invoice'}]}])
    await env.sync_webhooks()
    local_payment = await env.record('payment', payment['Id'])
    env.qbo('Payment', 'delete', payment['Id'])
    await env.sync_webhooks()
    assert (await env.rows(Payment, Payment.id == local_payment.id))  # still there
    link = await env.link('payment', local_payment.id)
    assert link.status == LinkStatus.DELETED_IN_QBO and link.last_error == 'Deleted in QuickBooks'
    entry = (await env.log())[-1]
    assert entry.action == 'inbound_delete' and entry.level == 'warning' and 'deleted in QuickBooks' in entry.message


async def test_merge_moves_references_and_keeps_the_loser_inactive(inbound_env: InboundEnv) -> None:
    env = inbound_env
    keep = env.qbo('Customer', 'create', DisplayName='Acme Plumbing')
    lose = env.qbo('Customer', 'create', DisplayName='ACME Plumbing Inc')
    invoice = env.qbo('Invoice', 'create', CustomerRef={'value': lose['Id']}, Line=[_line(_service_item(env),
                                                                                          '75.00')])
    await env.sync_webhooks()
    kept, lost = await env.record('customer', keep['Id']), await env.record('customer', lose['Id'])
    env.base.clock.advance(seconds=2)
    env.qbo('Customer', 'merge', keep['Id'], merge_id=lose['Id'])
    await env.sync_webhooks()
    (local_invoice,) = await env.rows(Invoice)
    assert local_invoice.customer_id == kept.id
    loser = (await env.rows(Customer, Customer.id == lost.id))[0]
    assert loser.active is False
    assert (await env.link('customer', lost.id)).status == LinkStatus.DELETED_IN_QBO
    assert (await env.link('invoice', local_invoice.id)).synced_version == local_invoice.version  # not pending
    assert any(e.action == 'inbound_merge' for e in await env.log())
    # the invoice's own rewrite in QuickBooks (new SyncToken) then changes nothing
    await env.inbound.catch_up()
    assert (await env.rows(Invoice))[0].version == local_invoice.version
    assert invoice['Id'] == (await env.link('invoice', local_invoice.id)).qbo_id


async def test_merge_into_a_customer_the_app_did_not_know_repoints_the_link(inbound_env: InboundEnv) -> None:
    env = inbound_env
    await env.set_prefs(inbound_enabled=False)
    keep = env.qbo('Customer', 'create', DisplayName='Survivor LLC')
    await env.sync_webhooks()
    await env.set_prefs(inbound_enabled=True)
    lose = env.qbo('Customer', 'create', DisplayName='Loser LLC')
    await env.sync_webhooks()
    local = await env.record('customer', lose['Id'])
    env.qbo('Customer', 'merge', keep['Id'], merge_id=lose['Id'])
    await env.sync_webhooks()
    assert (await env.record('customer', keep['Id'])).id == local.id
    assert (await env.rows(Customer, Customer.id == local.id))[0].display_name == 'Survivor LLC'
    assert len(await env.rows(Customer)) == 1


async def test_item_credit_memo_and_expense_arrive(inbound_env: InboundEnv) -> None:
    env = inbound_env
    income = next(a for a in env.company.objects['Account'].values() if a.get('AccountType') == 'Income')
    item = env.qbo('Item', 'create', Name='Gutter Cleaning', Type='Service', UnitPrice=Decimal('85.50'),
                   IncomeAccountRef={'value': income['Id']})
    customer = env.qbo('Customer', 'create', DisplayName='Credit Co')
    memo = env.qbo('CreditMemo', 'create', CustomerRef={'value': customer['Id']}, Line=[_line(item, '85.50')])
    bank = next(a for a in env.company.objects['Account'].values() if a.get('AccountType') == 'Bank')
    expense_account = next(a for a in env.company.objects['Account'].values() if a.get('AccountType') == 'Expense')
    purchase = env.qbo('Purchase', 'create', PaymentType='Check', AccountRef={'value': bank['Id']}, Line=[
        {'Amount': Decimal('19.99'), 'DetailType': 'AccountBasedExpenseLineDetail', 'Description': 'Gloves',
         'AccountBasedExpenseLineDetail': {'AccountRef': {'value': expense_account['Id']},
                                           'CustomerRef': {'value': customer['Id']}}}])
    await env.sync_webhooks()
    local_item = await env.record('item', item['Id'])
    assert isinstance(local_item, Item) and local_item.unit_price == Decimal('85.50')
    local_memo = await env.record('credit_memo', memo['Id'])
    assert isinstance(local_memo, CreditMemo) and local_memo.customer_id == (
        await env.record('customer', customer['Id'])).id
    local_expense = await env.record('expense', purchase['Id'])
    assert isinstance(local_expense, Expense) and local_expense.payment_type == 'Check'
    (line,) = await env.rows(ExpenseLine, ExpenseLine.expense_id == local_expense.id)
    assert (line.category, line.amount, line.description) == (expense_account['Name'], Decimal('19.99'), 'Gloves')
    env.qbo('Item', 'update', item['Id'], UnitPrice=Decimal('90.00'))
    await env.sync_webhooks()
    assert (await env.record('item', item['Id'])).unit_price == Decimal('90.00')


async def test_payment_applications_follow_quickbooks(inbound_env: InboundEnv) -> None:
    env = inbound_env
    customer = env.qbo('Customer', 'create', DisplayName='Apply Co')
    first = env.qbo('Invoice', 'create', CustomerRef={'value': customer['Id']}, Line=[_line(_service_item(env),
                                                                                           '100.00')])
    payment = env.qbo('Payment', 'create', CustomerRef={'value': customer['Id']}, TotalAmt=Decimal('100.00'),
                      Line=[{'Amount': Decimal('100.00'), 'LinkedTxn': [{'TxnId': first['Id'],
                                                                        'TxnType': 'Invoice'}]}])
    await env.sync_webhooks()
    local = await env.record('payment', payment['Id'])
    (application,) = await env.rows(PaymentApplication, PaymentApplication.payment_id == local.id)
    assert application.amount == Decimal('100')
    env.qbo('Payment', 'void', payment['Id'])
    await env.sync_webhooks()
    voided = await env.record('payment', payment['Id'])
    assert voided.voided and voided.amount == Decimal('100.00')
