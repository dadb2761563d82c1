"""Outbound sync against the sandbox over HTTP: every entity created, updated, voided or deactivated, every mapped
field round-tripping, and a second run with nothing to do."""
from __future__ import annotations

from decimal import Decimal

from connection_env import connection_env  # noqa: F401 (fixture)
from engine_env import engine_env  # noqa: F401 (fixture)
from qbsync.mapping import from_qbo
from qbsync.models import Customer, Invoice, Item, LinkStatus, Payment, RunStatus, SyncLogEntry
from qbsync.sync.references import load_refs


async def test_first_run_sends_everything_once_and_a_second_run_nothing(engine_env) -> None:  # noqa: F811
    books = await engine_env.books()
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.SUCCEEDED, [d for d in await _dump(engine_env) if d[1] != "synced"]
    assert summary.message == '8 synced, 0 failed, 0 skipped'
    assert {name: t.created for name, t in summary.entities.items()} == {
        'customer': 2, 'item': 2, 'invoice': 1, 'credit_memo': 1, 'payment': 1, 'expense': 1}
    assert len(engine_env.remote_by('Customer', 'DisplayName', 'Acme Plumbing')) == 1
    assert len(engine_env.remote_by('Invoice', 'DocNumber', '1070')) == 1
    assert engine_env.remote_by('Vendor', 'DisplayName', 'Office Depot')  # the payee became a vendor
    link = await engine_env.link('invoice', books['invoice'].id)
    assert link.status == LinkStatus.SYNCED and link.synced_version == 1 and link.qbo_updated_at is not None
    again = await engine_env.runner.run(trigger='manual')
    assert again.message == '0 synced, 0 failed, 0 skipped' and again.total == 0
    assert len(engine_env.remote('Invoice')) == 1 and len(engine_env.remote_by('Vendor', 'DisplayName',
                                                                                 'Office Depot')) == 1


async def test_every_mapped_field_round_trips_through_the_sandbox(engine_env) -> None:  # noqa: F811
    books = await engine_env.books()
    assert (await engine_env.runner.run(trigger='manual')).status == RunStatus.SUCCEEDED
    ctx_refs = await _refs(engine_env)
    for key, entity_type, qbo_name in (('acme', 'customer', 'Customer'), ('consult', 'item', 'Item'),
                                       ('pipe', 'item', 'Item'), ('invoice', 'invoice', 'Invoice'),
                                       ('memo', 'credit_memo', 'CreditMemo'), ('payment', 'payment', 'Payment'),
                                       ('expense', 'expense', 'Purchase')):
        record = books[key]
        link = await engine_env.link(entity_type, record.id)
        remote = engine_env.company().objects[qbo_name][link.qbo_id]
        back = from_qbo(entity_type, remote, ctx_refs).record
        for name in _compared(record):
            assert getattr(back, name) == getattr(record, name), (entity_type, name)


async def test_updates_voids_and_deactivations(engine_env) -> None:  # noqa: F811
    books = await engine_env.books()
    idle, = await engine_env.add(Customer(display_name='Idle Co'))
    await engine_env.runner.run(trigger='manual')
    await engine_env.edit(Customer, idle.id, phone='555-0199', active=False)
    await engine_env.edit(Item, books['pipe'].id, unit_price=Decimal('13.00'))
    await engine_env.edit(Invoice, books['invoice'].id, memo='Thanks again')
    await engine_env.edit(Payment, books['payment'].id, voided=True)
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.SUCCEEDED, [d for d in await _dump(engine_env) if d[1] != "synced"]
    assert summary.totals.updated == 4 and summary.totals.created == 0
    gone = engine_env.remote_by('Customer', 'DisplayName', 'Idle Co')[0]
    assert gone['Active'] is False and gone['PrimaryPhone']['FreeFormNumber'] == '555-0199'
    assert engine_env.remote_by('Item', 'Name', 'Copper Pipe')[0]['UnitPrice'] == Decimal('13.00')
    invoice = engine_env.remote_by('Invoice', 'DocNumber', '1070')[0]
    assert invoice['CustomerMemo']['value'] == 'Thanks again'
    payment = engine_env.remote('Payment')[0]
    assert payment['TotalAmt'] == 0 and 'Voided' in payment.get('PrivateNote', '')
    await engine_env.edit(Invoice, books['invoice'].id, voided=True)
    assert (await engine_env.runner.run(trigger='manual')).totals.updated == 1
    assert engine_env.remote_by('Invoice', 'DocNumber', '1070')[0]['TotalAmt'] == 0
    async with engine_env.db.session() as session:
        from sqlmodel import select
        entries = (await session.exec(select(SyncLogEntry).where(SyncLogEntry.action == 'void'))).all()
    assert {e.entity_type for e in entries} == {'payment', 'invoice'}


async def test_a_customer_with_a_balance_is_not_deactivated_and_says_why(engine_env) -> None:  # noqa: F811
    books = await engine_env.books()
    await engine_env.runner.run(trigger='manual')
    await engine_env.edit(Customer, books['bolt'].id, active=False)
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.PARTIAL and summary.message == '0 synced, 1 failed, 0 skipped'
    link = await engine_env.link('customer', books['bolt'].id)
    assert link.status == LinkStatus.FAILED and 'open balance' not in link.last_error.lower()
    assert 'still has a balance' in link.last_error and 'Settle the balance' in link.last_error
    failure = [d for d in await _dump(engine_env) if d[1] == 'failed'][0]
    assert failure[3] == '6220' and "can't make a customer with an open balance inactive" in failure[4]
    assert engine_env.remote_by('Customer', 'DisplayName', 'Bolt Electric')[0]['Active'] is True


def _compared(record) -> list[str]:  # type: ignore[no-untyped-def]
    skip = {'id', 'version', 'created_at', 'updated_at', 'customer_id', 'voided'}
    return [name for name in type(record).model_fields if name not in skip]


async def _refs(engine_env):  # type: ignore[no-untyped-def]
    from qbsync.sync.context import RunContext
    client = await engine_env.env.service.api()
    engine_env.env.clock.advance(seconds=1)  # these reads go unthrottled: start them in a second of their own
    ctx = RunContext(run_id=0, realm_id=engine_env.realm_id, trigger='manual', direction='inbound', entities=(),
                     client=client, db=engine_env.db, settings=None)  # type: ignore[arg-type]

    async def call(fn):  # type: ignore[no-untyped-def]
        return await fn()
    refs = await load_refs(ctx, call)
    refs.category_accounts = {'office': refs.accounts['expense_category']}
    return refs


async def _dump(engine_env):  # type: ignore[no-untyped-def]
    from sqlmodel import select
    async with engine_env.db.session() as session:
        return [(e.entity_type, e.status, e.message, e.code, e.detail) for e in
                (await session.exec(select(SyncLogEntry))).all()]


async def test_progress_reaches_subscribers_and_a_stopped_run_resumes_where_it_stopped(engine_env) -> None:  # noqa
    from bench.books import BookSize, make_books
    size = BookSize(customers=70, items=5, invoices=40, payments=0, expenses=0, credit_memos=0)
    await make_books(engine_env.db, size)
    seen = []

    def stop_after_the_first_batch(progress) -> None:  # type: ignore[no-untyped-def]
        seen.append(progress)
        if progress.entity_type == 'customer' and progress.done >= 30:
            engine_env.runner.cancel()
    unsubscribe = engine_env.runner.progress.subscribe(stop_after_the_first_batch)
    stopped = await engine_env.runner.run(trigger='manual')
    unsubscribe()
    assert stopped.status == RunStatus.INTERRUPTED and 0 < stopped.totals.created < size.total
    assert seen[0].total == size.total and seen[0].message.startswith('Customers: ') and seen[-1].finished
    resumed = await engine_env.runner.run(trigger='manual')
    assert resumed.status == RunStatus.SUCCEEDED
    assert stopped.totals.created + resumed.totals.created == size.total  # nothing twice, nothing left out
    ours = [c for c in engine_env.remote('Customer') if c['DisplayName'].startswith('Customer ')]
    assert len(ours) == size.customers


async def test_a_lost_connection_stops_the_run_cleanly(engine_env) -> None:  # noqa: F811
    await engine_env.books()
    env = engine_env.env
    env.sandbox.grants.revoke_grant(engine_env.realm_id, env.settings.client_id)
    env.sandbox.grants.expire_access_tokens(engine_env.realm_id)
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.FAILED and 'Reconnect QuickBooks' in summary.message
    row = await env.row(engine_env.realm_id)
    assert row.status == 'needs_reconnect'
    assert not await engine_env.runner.is_running()
