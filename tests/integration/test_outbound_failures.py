"""No duplicates, per-record failures and their dependants, 5010 under each conflict policy, the mapping gate."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import delete, select

from connection_env import connection_env  # noqa: F401 (fixture)
from engine_env import engine_env  # noqa: F401 (fixture)
from qbsync.sync.plan import Action
from qbsync.sync_command import render_plan
from qbsync.models import AccountMapping, Customer, LinkStatus, Payment, RunStatus, SyncLogEntry


async def test_existing_customers_and_items_are_linked_not_duplicated(engine_env) -> None:  # noqa: F811
    company = engine_env.company()
    customers, items = len(engine_env.remote('Customer')), len(engine_env.remote('Item'))
    company.create('Customer', {'DisplayName': 'Acme Plumbing'})
    by_email = company.create('Customer', {'DisplayName': 'Bolt Electric Inc',
                                           'PrimaryEmailAddr': {'Address': 'bolt@example.com'}})
    company.create('Item', {'Name': 'Consulting Hour', 'Type': 'Service', 'IncomeAccountRef': {'value': '1'}})
    books = await engine_env.books()
    preview = await engine_env.runner.preview()  # says what the run will do: link, not create, what QuickBooks has
    actions = {(e.entity_type, e.local_id): e.action for p in preview.entities for e in p.send}
    assert actions[('customer', books['acme'].id)] == actions[('customer', books['bolt'].id)] == Action.LINK
    assert actions[('item', books['consult'].id)] == Action.LINK
    assert actions[('item', books['pipe'].id)] == Action.CREATE
    assert preview.summary() == '5 to create, 3 to link, 0 skipped'
    assert '  Customers: 2 to link' in render_plan(preview).splitlines()
    assert not engine_env.remote_by('Customer', 'DisplayName', 'Bolt Electric')  # a preview changes nothing
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.SUCCEEDED
    assert summary.entities['customer'].linked == 2 and summary.entities['item'].linked == 1
    assert summary.entities['item'].created == 1 and summary.message == '8 synced, 0 failed, 0 skipped'
    assert len(engine_env.remote_by('Customer', 'DisplayName', 'Acme Plumbing')) == 1
    assert len(engine_env.remote('Customer')) == customers + 2 and len(engine_env.remote('Item')) == items + 2
    # linked, then brought up to date with the app's fields
    acme = engine_env.remote_by('Customer', 'DisplayName', 'Acme Plumbing')[0]
    assert acme['CompanyName'] == 'Acme Plumbing LLC'
    link = await engine_env.link('customer', books['bolt'].id)  # matched by email, then given the app's name
    assert link.qbo_id == by_email['Id'] and company.read('Customer', by_email['Id'])['DisplayName'] == 'Bolt Electric'


async def test_a_rejected_record_fails_alone_and_its_dependants_wait_for_it(engine_env) -> None:  # noqa: F811
    vendor = engine_env.company().create('Vendor', {'DisplayName': 'Acme Plumbing'})
    books = await engine_env.books()
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.PARTIAL
    assert summary.message == '5 synced, 1 failed, 2 skipped'  # the invoice and the payment wait for Acme
    link = await engine_env.link('customer', books['acme'].id)
    assert link.status == LinkStatus.FAILED and 'already has a customer, vendor, employee' in link.last_error
    assert 'Rename the record here' in link.last_error
    assert not engine_env.remote_by('Customer', 'DisplayName', 'Acme Plumbing (2)')
    assert await engine_env.link('invoice', books['invoice'].id) is None
    async with engine_env.db.session() as session:
        entries = (await session.exec(select(SyncLogEntry).where(SyncLogEntry.run_id == summary.run_id))).all()
    failed = [e for e in entries if e.status == 'failed']
    assert [(e.entity_type, e.code) for e in failed] == [('customer', '6240')] and failed[0].suggestion
    assert any("Blocked by Customer 'Acme Plumbing'" in e.message for e in entries if e.entity_type == 'invoice')
    preview = await engine_env.runner.preview()  # the failed customer is tried again, its dependants after it
    assert [(p.entity_type, e.action) for p in preview.entities for e in p.send] == [
        ('customer', 'create'), ('invoice', 'create'), ('payment', 'create')]
    # the user renames the vendor in QuickBooks: the customer goes, and what waited on it follows by itself
    engine_env.company().update('Vendor', {'Id': vendor['Id'], 'SyncToken': vendor['SyncToken'], 'sparse': True,
                                           'DisplayName': 'Acme Supplies'})
    again = await engine_env.runner.run(trigger='manual')
    assert again.status == RunStatus.SUCCEEDED and again.message == '3 synced, 0 failed, 0 skipped'
    assert len(engine_env.remote('Invoice')) == 1 and len(engine_env.remote('Payment')) == 1


async def test_the_mapping_gate_holds_documents_back_until_accounts_are_mapped(engine_env) -> None:  # noqa
    await engine_env.books()
    async with engine_env.db.session() as session:
        await session.exec(delete(AccountMapping))
        await session.commit()
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.entities['customer'].created == 2 and summary.entities['invoice'].skipped == 1
    assert summary.entities['item'].skipped == 2 and not engine_env.remote('Invoice')
    async with engine_env.db.session() as session:
        reasons = {e.message for e in (await session.exec(select(SyncLogEntry).where(
            SyncLogEntry.action == 'skip', SyncLogEntry.entity_type == 'invoice'))).all()}
    assert any('Map the Income and Accounts Receivable accounts on the Account Mapping tab' in r for r in reasons)


@pytest.mark.parametrize('policy, remote_newer, winner', [
    ('app_wins', True, 'app'), ('quickbooks_wins', False, 'quickbooks'),
    ('newest_wins', False, 'app'), ('newest_wins', True, 'quickbooks')])
async def test_a_5010_conflict_follows_the_conflict_policy(engine_env, policy, remote_newer,  # noqa: F811
                                                           winner) -> None:
    books = await engine_env.books()
    await engine_env.settings(conflict_policy=policy)
    await engine_env.runner.run(trigger='manual')
    link = await engine_env.link('customer', books['acme'].id)
    remote = engine_env.company().read('Customer', link.qbo_id)
    # someone edits Acme in QuickBooks, and the app edits it too, each without seeing the other
    engine_env.company().update('Customer', {'Id': remote['Id'], 'SyncToken': remote['SyncToken'], 'sparse': True,
                                             'Notes': 'changed in QuickBooks'})
    local = await engine_env.edit(Customer, books['acme'].id, notes='changed in the app')
    sandbox_now = engine_env.env.clock.now()
    stamp = sandbox_now + (timedelta(hours=-1) if remote_newer else timedelta(hours=1))
    await engine_env.edit(Customer, local.id, updated_at=stamp.astimezone(timezone.utc))
    summary = await engine_env.runner.run(trigger='manual')
    remote = engine_env.company().read('Customer', link.qbo_id)
    link = await engine_env.link('customer', books['acme'].id)
    if winner == 'app':
        assert remote['Notes'] == 'changed in the app' and summary.entities['customer'].updated == 1
        assert link.status == LinkStatus.SYNCED and not link.needs_inbound
    else:
        assert remote['Notes'] == 'changed in QuickBooks' and summary.entities['customer'].skipped == 1
        assert link.needs_inbound and link.sync_token == remote['SyncToken'] and link.status == LinkStatus.PENDING
        preview = await engine_env.runner.preview()
        kept = next(e for p in preview.entities for e in p.skipped if e.entity_type == 'customer')
        assert 'QuickBooks kept its own version' in kept.reason
    assert summary.totals.failed == 0 and isinstance(stamp, datetime)


async def test_a_deposited_payment_fails_with_6540_explained_and_the_run_goes_on(engine_env) -> None:  # noqa: F811
    """Intuit's 6540: a payment on a bank deposit cannot be changed. The payment fails alone, saying why and what to
    do; the other record of the run goes through."""
    books = await engine_env.books()
    first = await engine_env.runner.run(trigger='manual')
    assert first.status == RunStatus.SUCCEEDED
    company = engine_env.company()
    payment = company.read('Payment', (await engine_env.link('payment', books['payment'].id)).qbo_id)
    bank = next(a for a in company.iter_objects('Account') if a.get('AccountType') == 'Bank')
    company.create('Deposit', {'DepositToAccountRef': {'value': bank['Id']}, 'Line': [
        {'Amount': str(payment['TotalAmt']), 'LinkedTxn': [{'TxnId': payment['Id'], 'TxnType': 'Payment'}]}]})
    await engine_env.edit(Payment, books['payment'].id, memo='March, corrected')
    await engine_env.edit(Customer, books['bolt'].id, phone='555-0199')
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.PARTIAL and summary.message == '1 synced, 1 failed, 0 skipped'
    link = await engine_env.link('payment', books['payment'].id)
    assert link.status == LinkStatus.FAILED
    assert link.last_error.startswith('QuickBooks will not change this payment because it has been deposited.')
    assert 'Remove the payment from its bank deposit in QuickBooks first' in link.last_error
    assert company.read('Payment', payment['Id'])['SyncToken'] == payment['SyncToken']  # untouched there
    bolt = company.read('Customer', (await engine_env.link('customer', books['bolt'].id)).qbo_id)
    assert bolt['PrimaryPhone']['FreeFormNumber'] == '555-0199'
    async with engine_env.db.session() as session:
        failed = (await session.exec(select(SyncLogEntry).where(SyncLogEntry.run_id == summary.run_id,
                                                                SyncLogEntry.status == 'failed'))).all()
    assert [(e.entity_type, e.code) for e in failed] == [('payment', '6540')]
    assert failed[0].suggestion.startswith('Remove the payment from its bank deposit')
