"""The plan: what is due, in dependency order, and a stated reason for every record left out."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from center_db import database  # noqa: F401 (fixture)
from qbsync.models import (AccountMapping, Customer, EntityLink, Expense, ExpenseLine, Invoice, InvoiceLine, Item,
                           LinkStatus, MappingPurpose, Payment, PaymentApplication, SyncSettings)
from qbsync.sync.entities import ENTITIES, ENTITY_NAMES, by_qbo_name, entity, tiers
from qbsync.sync.plan import Action, build_plan

REALM = '9130350000000001'


def test_one_table_names_every_entity_and_orders_them_by_dependency() -> None:
    assert ENTITY_NAMES == ('customer', 'item', 'invoice', 'payment', 'expense', 'credit_memo')
    assert by_qbo_name('Purchase').name == 'expense' and by_qbo_name('CreditMemo').switch == 'sync_credit_memos'
    assert by_qbo_name('Vendor') is None
    assert [[s.name for s in level] for level in tiers()] == [['customer', 'item'], ['invoice', 'credit_memo'],
                                                              ['payment'], ['expense']]
    assert all(hasattr(SyncSettings(), spec.switch) for spec in ENTITIES)
    assert entity('customer').title(Customer(display_name='Acme')) == "Customer 'Acme'"
    assert entity('payment').title(Payment(id=7, customer_id=1, txn_date=date(2026, 1, 1))) == 'Payment #7'


async def _seed(db, *, mapped: bool = True) -> dict:  # type: ignore[no-untyped-def]
    async with db.session() as session:
        acme, bolt, gone = Customer(display_name='Acme'), Customer(display_name='Bolt'), Customer(display_name='Gone')
        widget = Item(name='Widget')
        session.add_all([acme, bolt, gone, widget])
        await session.flush()
        fresh = Invoice(doc_number='1001', customer_id=acme.id, txn_date=date(2026, 5, 1))
        old = Invoice(doc_number='0999', customer_id=acme.id, txn_date=date(2025, 12, 31))
        blocked = Invoice(doc_number='1002', customer_id=gone.id, txn_date=date(2026, 5, 2))
        voided_sent = Invoice(doc_number='1003', customer_id=bolt.id, txn_date=date(2026, 5, 3), voided=True,
                              version=2)
        voided_new = Invoice(doc_number='1004', customer_id=bolt.id, txn_date=date(2026, 5, 4), voided=True)
        session.add_all([fresh, old, blocked, voided_sent, voided_new])
        await session.flush()
        session.add(InvoiceLine(invoice_id=fresh.id, item_id=widget.id, quantity=Decimal(1)))
        payment = Payment(customer_id=acme.id, txn_date=date(2026, 5, 5), amount=Decimal('10'))
        expense = Expense(txn_date=date(2026, 5, 6), payee='Shop')
        session.add_all([payment, expense])
        await session.flush()
        session.add(PaymentApplication(payment_id=payment.id, invoice_id=blocked.id, amount=Decimal('10')))
        session.add(ExpenseLine(expense_id=expense.id, customer_id=bolt.id, amount=Decimal('5')))
        bolt.version, bolt.active = 2, False
        session.add_all([
            EntityLink(realm_id=REALM, entity_type='customer', local_id=bolt.id, qbo_id='58', sync_token='0',
                       status=LinkStatus.SYNCED, synced_version=1),
            EntityLink(realm_id=REALM, entity_type='customer', local_id=gone.id, status=LinkStatus.FAILED,
                       last_error='Another customer, vendor or employee is already called Gone.'),
            EntityLink(realm_id=REALM, entity_type='invoice', local_id=voided_sent.id, qbo_id='130',
                       sync_token='1', status=LinkStatus.SYNCED, synced_version=1),
        ])
        if mapped:
            session.add_all([AccountMapping(realm_id=REALM, purpose=p, qbo_account_id=str(n))
                             for n, p in enumerate((MappingPurpose.INCOME, MappingPurpose.ACCOUNTS_RECEIVABLE,
                                                    MappingPurpose.EXPENSE_PAYMENT))])
        session.add(SyncSettings(id=1, start_date=date(2026, 1, 1)))
        await session.commit()
        return {'acme': acme.id, 'fresh': fresh.id, 'blocked': blocked.id, 'payment': payment.id,
                'widget': widget.id, 'bolt': bolt.id}


def _by_title(plan) -> dict:  # type: ignore[no-untyped-def]
    return {e.title: e for part in plan.entities for e in (*part.send, *part.skipped)}


async def test_plan_sends_what_is_due_in_tiers_and_says_why_the_rest_stays(database) -> None:  # noqa: F811
    await _seed(database)
    async with database.session() as session:
        settings = await session.get(SyncSettings, 1)
        plan = await build_plan(session, REALM, settings=settings)
    entries = _by_title(plan)
    assert [p.entity_type for p in plan.entities] == ['customer', 'item', 'invoice', 'credit_memo', 'payment',
                                                      'expense']
    assert entries["Customer 'Acme'"].action == Action.CREATE
    assert entries["Customer 'Bolt'"].action == Action.DEACTIVATE and entries["Customer 'Bolt'"].qbo_id == '58'
    assert entries["Customer 'Gone'"].action == Action.CREATE  # a failed record is tried again
    assert entries['Invoice 1001'].action == Action.CREATE
    assert entries['Invoice 1003'].action == Action.VOID
    assert 'before the sync start date 2026-01-01' in entries['Invoice 0999'].reason
    assert 'Voided before it was ever sent' in entries['Invoice 1004'].reason
    assert entries['Invoice 1002'].action == Action.CREATE  # its customer goes earlier in this same run
    assert entries['Expense #1'].action == Action.CREATE  # its billable customer is already in QuickBooks
    assert plan.summary() == '7 to create, 1 to void, 1 to deactivate, 2 skipped'
    assert plan.to_send == 9


async def test_blocked_by_a_record_that_will_not_go(database) -> None:  # noqa: F811
    ids = await _seed(database)
    async with database.session() as session:
        settings = await session.get(SyncSettings, 1)
        settings.sync_customers = False
        plan = await build_plan(session, REALM, settings=settings)
    entries = _by_title(plan)
    assert entries["Customer 'Gone'"].reason == 'Customers are switched off in Sync Settings.'
    blocked = entries['Invoice 1002']
    assert blocked.action == Action.SKIP and blocked.blocked_by == "Customer 'Gone'"
    assert blocked.reason.startswith("Blocked by Customer 'Gone': Customers are switched off")
    payment = entries[f"Payment #{ids['payment']}"]
    assert payment.blocked_by == "Customer 'Acme'"  # the first unsent dependency is named


async def test_the_mapping_gate_holds_items_and_documents_back(database) -> None:  # noqa: F811
    await _seed(database, mapped=False)
    async with database.session() as session:
        plan = await build_plan(session, REALM, settings=await session.get(SyncSettings, 1))
    entries = _by_title(plan)
    assert entries["Customer 'Acme'"].action == Action.CREATE  # customers post to no account
    assert 'Map the Income account on the Account Mapping tab' in entries["Item 'Widget'"].reason
    assert 'Map the Income and Accounts Receivable accounts' in entries['Invoice 1001'].reason
    assert 'Map the "Expenses are paid from" account' in entries['Expense #1'].reason


async def test_one_record_with_the_records_it_needs(database) -> None:  # noqa: F811
    ids = await _seed(database)
    async with database.session() as session:
        plan = await build_plan(session, REALM, settings=await session.get(SyncSettings, 1),
                                only=('invoice', ids['fresh']))
    assert sorted(_by_title(plan)) == ["Customer 'Acme'", 'Invoice 1001', "Item 'Widget'"]
    async with database.session() as session:
        plan = await build_plan(session, REALM, settings=None, entities=['customer'])
    assert [p.entity_type for p in plan.entities] == ['customer']
