"""Field mapping through the real engine against the sandbox: each rule as a run sends it, tracking switched on and
off in the company's Preferences, missing targets created or failed alone with the reason, custom fields, and a
changed rule re-planning and updating what was already sent."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from connection_env import connection_env  # noqa: F401 (fixture)
from engine_env import engine_env  # noqa: F401 (fixture)
from qbsync.mapping.rules import CUSTOMER, FIELD, FIXED, ITEM, CustomFieldRule, FieldRules, LineRule, TrackingRule
from qbsync.models import Customer, Invoice, InvoiceLine, Item, LinkStatus, MappingPurpose, RunStatus
from qbsync.services.account_mapping import AccountMappingService
from qbsync.services.account_overrides import AccountOverridesService
from qbsync.services.field_mapping import FieldMappingService


async def _rules(engine_env, rules: FieldRules):  # type: ignore[no-untyped-def]  # noqa: F811
    env = engine_env.env
    return await FieldMappingService(env.db, env.service).save(rules, acting=env.users['owner@example.com'])


def _prefs(engine_env, **values: object) -> None:  # noqa: F811
    """Switch tracking in the company's Preferences through the API, as an admin would in QuickBooks."""
    company = engine_env.company()
    current = company.read('Preferences', '1')
    company.update('Preferences', {'Id': '1', 'SyncToken': current['SyncToken'], 'sparse': True,
                                   'AccountingInfoPrefs': {**current['AccountingInfoPrefs'], **values}})


def _remote(engine_env, qbo_name: str, qbo_id: str) -> dict:  # noqa: F811
    return engine_env.company().objects[qbo_name][qbo_id]


def _class_name(engine_env, ref: dict | None) -> str | None:  # noqa: F811
    return engine_env.company().objects['Class'][ref['value']]['Name'] if ref else None


async def _plain_books(engine_env):  # type: ignore[no-untyped-def]  # noqa: F811
    """The engine's books, with an invoice number the seeded company does not use already."""
    books = await engine_env.books()
    await engine_env.edit(Invoice, books['invoice'].id, doc_number='FM-1070')
    return books


async def _books(engine_env):  # type: ignore[no-untyped-def]  # noqa: F811
    books = await _plain_books(engine_env)
    await engine_env.edit(Customer, books['acme'].id, class_name='Residential', location_name='Main Street')
    await engine_env.edit(Item, books['consult'].id, class_name='Consulting')
    await engine_env.edit(Invoice, books['invoice'].id, service_area='north', job_number='J-42', technician='Dana')
    return books


async def test_classes_per_line_from_items_locations_from_a_field_created_when_missing(engine_env) -> None:  # noqa: F811
    books = await _books(engine_env)
    await _rules(engine_env, FieldRules(
        classes=TrackingRule(ITEM, create_missing=True),
        locations=TrackingRule(FIELD, value_map={'North': 'North Yard'}, create_missing=True),
        custom_fields=(CustomFieldRule(FIELD, 'job_number'), CustomFieldRule(), CustomFieldRule())))
    summary = await engine_env.runner.run(trigger='manual')
    link = await engine_env.link("invoice", books["invoice"].id)
    assert summary.status == RunStatus.SUCCEEDED, (summary.message, link.last_error if link else None)
    invoice = _remote(engine_env, 'Invoice', (await engine_env.link('invoice', books['invoice'].id)).qbo_id)
    lines = [line for line in invoice['Line'] if line['DetailType'] == 'SalesItemLineDetail']
    assert [_class_name(engine_env, line['SalesItemLineDetail'].get('ClassRef')) for line in lines] == \
        ['Consulting', None]  # per line (the company's setting); the pipe has no class
    assert invoice['DepartmentRef']['name'] == 'North Yard' and 'ClassRef' not in invoice
    assert invoice['CustomField'][0]['StringValue'] == 'J-42'
    assert len(engine_env.remote_by('Class', 'Name', 'Consulting')) == 1
    assert len(engine_env.remote_by('Department', 'Name', 'North Yard')) == 1
    payment = _remote(engine_env, 'Payment', (await engine_env.link('payment', books['payment'].id)).qbo_id)
    assert 'DepartmentRef' not in payment and 'ClassRef' not in payment  # its service area is blank


async def test_a_missing_target_fails_that_record_alone_with_the_reason(engine_env) -> None:  # noqa: F811
    books = await _books(engine_env)
    await _rules(engine_env, FieldRules(locations=TrackingRule(FIELD, value_map={'north': 'Uptown'})))
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.PARTIAL and summary.entities['invoice'].failed == 1
    assert summary.entities['credit_memo'].created == 1
    link = await engine_env.link('invoice', books['invoice'].id)
    assert link.status == LinkStatus.FAILED
    assert link.last_error.startswith("QuickBooks has no location 'Uptown' (from the service area: 'north').")
    assert engine_env.remote_by('Department', 'Name', 'Uptown') == []
    assert summary.entities['payment'].skipped == 1  # it pays the invoice: blocked, and says so


async def test_tracking_switched_off_in_preferences_sends_no_references(engine_env) -> None:  # noqa: F811
    books = await _books(engine_env)
    _prefs(engine_env, ClassTrackingPerTxn=False, ClassTrackingPerTxnLine=False, TrackDepartments=False)
    await _rules(engine_env, FieldRules(classes=TrackingRule(FIXED, 'Nowhere'), locations=TrackingRule(CUSTOMER)))
    assert (await engine_env.runner.run(trigger='manual')).status == RunStatus.SUCCEEDED
    invoice = _remote(engine_env, 'Invoice', (await engine_env.link('invoice', books['invoice'].id)).qbo_id)
    assert 'ClassRef' not in invoice and 'DepartmentRef' not in invoice
    assert all('ClassRef' not in line.get('SalesItemLineDetail', {}) for line in invoice['Line'])
    assert engine_env.remote_by('Class', 'Name', 'Nowhere') == []


async def test_a_changed_rule_replans_and_updates_what_was_sent(engine_env) -> None:  # noqa: F811
    books = await _books(engine_env)
    _prefs(engine_env, ClassTrackingPerTxn=True, ClassTrackingPerTxnLine=False)
    assert (await engine_env.runner.run(trigger='manual')).status == RunStatus.SUCCEEDED
    link = await engine_env.link('invoice', books['invoice'].id)
    assert 'ClassRef' not in _remote(engine_env, 'Invoice', link.qbo_id)
    outcome = await _rules(engine_env, FieldRules(classes=TrackingRule(CUSTOMER, create_missing=True)))
    assert outcome.replanned == {'invoice': 1, 'expense': 1, 'credit_memo': 1}
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.SUCCEEDED and summary.totals.updated == 3 and summary.totals.created == 0
    invoice = _remote(engine_env, 'Invoice', link.qbo_id)
    assert _class_name(engine_env, invoice['ClassRef']) == 'Residential'  # one per transaction, from Acme
    assert len(engine_env.remote_by('Invoice', 'DocNumber', 'FM-1070')) == 1  # the same object, updated
    expense = _remote(engine_env, 'Purchase', (await engine_env.link('expense', books['expense'].id)).qbo_id)
    assert 'ClassRef' not in expense['Line'][0]['AccountBasedExpenseLineDetail']  # expenses have no customer


async def test_payment_method_and_customer_type_accounts_through_the_engine(engine_env) -> None:  # noqa: F811
    books = await _plain_books(engine_env)
    company = engine_env.company()
    commercial = company.create('Account', {'Name': 'A/R Commercial', 'AccountType': 'Accounts Receivable'})
    checking = next(a['Id'] for a in company.objects['Account'].values() if a['Name'] == 'Checking')  # seeded
    await engine_env.edit(Customer, books['acme'].id, customer_type='Commercial')
    env = engine_env.env
    overrides = AccountOverridesService(env.db, env.service, AccountMappingService(env.db, env.service))
    owner = env.users['owner@example.com']
    await overrides.save(MappingPurpose.DEPOSIT, {'Check': checking}, acting=owner)
    await overrides.save(MappingPurpose.CUSTOMER_TYPE_RECEIVABLE, {'commercial': commercial['Id']}, acting=owner)
    assert (await engine_env.runner.run(trigger='manual')).status == RunStatus.SUCCEEDED
    payment = _remote(engine_env, 'Payment', (await engine_env.link('payment', books['payment'].id)).qbo_id)
    assert payment['DepositToAccountRef']['value'] == checking  # its method's own account, not Undeposited Funds
    assert payment['ARAccountRef']['value'] == commercial['Id']
    acme = _remote(engine_env, 'Customer', (await engine_env.link('customer', books['acme'].id)).qbo_id)
    bolt = _remote(engine_env, 'Customer', (await engine_env.link('customer', books['bolt'].id)).qbo_id)
    assert acme['ARAccountRef']['value'] == commercial['Id'] and 'ARAccountRef' not in bolt
    await overrides.save(MappingPurpose.DEPOSIT, {}, acting=owner)  # dropped: the payment goes again
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.entities['payment'].updated == 1 and summary.totals.synced == 1


async def test_lines_grouped_per_item_through_the_engine(engine_env) -> None:  # noqa: F811
    books = await _plain_books(engine_env)
    await engine_env.add(InvoiceLine(invoice_id=books['invoice'].id, line_num=3, item_id=books['consult'].id,
                                     description='More consulting', quantity=Decimal('1'), unit_price=Decimal('150'),
                                     amount=Decimal('150'), service_date=date(2026, 3, 2)))
    await _rules(engine_env, FieldRules(lines={'invoice': LineRule(group_by_item=True, service_dates=False)}))
    assert (await engine_env.runner.run(trigger='manual')).status == RunStatus.SUCCEEDED
    invoice = _remote(engine_env, 'Invoice', (await engine_env.link('invoice', books['invoice'].id)).qbo_id)
    lines = [line for line in invoice['Line'] if line['DetailType'] == 'SalesItemLineDetail']
    assert [(line['SalesItemLineDetail']['Qty'], line['Amount'], line.get('Description')) for line in lines] == [
        (Decimal('3'), Decimal('450.00'), 'March consulting; More consulting'),
        (Decimal('4'), Decimal('50.00'), 'Pipe')]
    assert invoice['TotalAmt'] == Decimal('500.00') and 'ServiceDate' not in lines[0]['SalesItemLineDetail']
