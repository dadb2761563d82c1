"""Tax and discounts through the real engine against the sandbox over HTTP: a US company (TAX/NON per line,
QuickBooks computes the tax) and a UK company (each app rate or taxable flag sent as a VAT code, QuickBooks' totals
checked against the app's own within a cent per line), a document discount sent as a discount line, and a class or
location rule switched back to none clearing what the app had set."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qbsync.mapping import Refs, from_qbo
from connection_env import connection_env  # noqa: F401 (fixture)
from engine_env import EngineEnv, engine_env, make_runner, sandbox_limiter  # noqa: F401 (fixture)
from qbsync.mapping.rules import FIXED, NONE, FieldRules, TaxRule, TrackingRule
from qbsync.models import AccountMapping, CreditMemo, CreditMemoLine, Customer, Invoice, InvoiceLine, Item, \
    LinkStatus, MappingPurpose, RunStatus
from qbsync.services.field_mapping import FieldMappingService
from qbsync.services.record_preview import RecordPreviewService
from qbsync.sync.field_context import inbound_tax_keys
from qbsync.sync.outbound import OutboundPass
from qbsync.sync.outbox import Outbox, PendingItem


@pytest.fixture
async def uk_env(connection_env) -> EngineEnv:  # noqa: F811
    """A UK company (sandbox profile 'global': VAT codes 20.0% S, 5.0% R, 0.0% Z, Exempt, No VAT)."""
    company = connection_env.sandbox.companies.create_company('VAT Test Ltd', profile='global')
    assert (await connection_env.connect(realm_id=company.realm_id)).ok
    books = connection_env.sandbox.companies.get(company.realm_id)
    accounts = {a['Name']: a['Id'] for a in books.objects['Account'].values()}
    roles = {MappingPurpose.INCOME: 'Services', MappingPurpose.ACCOUNTS_RECEIVABLE: 'Debtors',
             MappingPurpose.EXPENSE_PAYMENT: 'Current', MappingPurpose.EXPENSE_CATEGORY: 'Office expenses'}
    async with connection_env.db.session() as session:
        session.add_all([AccountMapping(realm_id=company.realm_id, purpose=purpose, qbo_account_id=accounts[name],
                                        qbo_account_name=name) for purpose, name in roles.items()])
        await session.commit()
    seeded = {entity: frozenset(bucket) for entity, bucket in books.objects.items()}
    env = EngineEnv(connection_env, company.realm_id, make_runner(connection_env), seeded)
    env.custom_numbers(True)
    return env


async def _uk_books(env: EngineEnv, *, discount_percent: str = '10') -> dict:
    client = Customer(display_name='Ashworth Joinery Ltd', email='accounts@ashworth.example.co.uk')
    design = Item(name='Design work', unit_price=Decimal('95'), taxable=True)
    guide = Item(name='Site guide', unit_price=Decimal('12'), taxable=True)
    postage = Item(name='Postage', unit_price=Decimal('3.33'), taxable=False)
    await env.add(client, design, guide, postage)
    invoice = Invoice(doc_number='UK-1', customer_id=client.id, txn_date=date(2026, 3, 5),
                      discount_percent=Decimal(discount_percent))
    memo = CreditMemo(doc_number='UK-CM-1', customer_id=client.id, txn_date=date(2026, 3, 6))
    await env.add(invoice, memo)
    await env.add(
        InvoiceLine(invoice_id=invoice.id, line_num=1, item_id=design.id, quantity=Decimal('3'),
                    unit_price=Decimal('95'), amount=Decimal('285'), tax_rate=Decimal('20')),
        InvoiceLine(invoice_id=invoice.id, line_num=2, item_id=guide.id, quantity=Decimal('7'),
                    unit_price=Decimal('12.33'), amount=Decimal('86.31')),  # taxable, no rate: the standard rate
        InvoiceLine(invoice_id=invoice.id, line_num=3, item_id=design.id, quantity=Decimal('1'),
                    unit_price=Decimal('41.67'), amount=Decimal('41.67'), tax_rate=Decimal('5')),
        CreditMemoLine(credit_memo_id=memo.id, line_num=1, item_id=postage.id, quantity=Decimal('3'),
                       unit_price=Decimal('3.33'), amount=Decimal('9.99')))  # not taxable: exempt
    return {'invoice': invoice, 'memo': memo}


def _codes(invoice: dict) -> list[str]:
    return [line['SalesItemLineDetail']['TaxCodeRef']['value'] for line in invoice['Line']
            if line['DetailType'] == 'SalesItemLineDetail']


async def test_a_uk_company_gets_vat_codes_by_rate_and_totals_that_agree(uk_env) -> None:
    books = await _uk_books(uk_env)
    summary = await uk_env.runner.run(trigger='manual')
    link = await uk_env.link('invoice', books['invoice'].id)
    assert summary.status == RunStatus.SUCCEEDED, (summary.message, link.last_error if link else None)
    invoice = uk_env.company().objects['Invoice'][link.qbo_id]
    assert invoice['GlobalTaxCalculation'] == 'TaxExcluded'
    assert _codes(invoice) == ['2', '2', '3']  # 20.0% S, the standard rate for "taxable", 5.0% R
    discount = next(line for line in invoice['Line'] if line['DetailType'] == 'DiscountLineDetail')
    assert discount['DiscountLineDetail']['DiscountPercent'] == Decimal('10') and discount['Amount'] == Decimal('41.30')
    # the app's own figures: net 412.98 - 41.30 = 371.68; VAT per line on the discounted amounts
    # the app: 51.30 + 15.54 + 1.88 rounded per line; QuickBooks per rate: 66.84 (20 %) + 1.88 (5 %)
    assert invoice['TxnTaxDetail']['TotalTax'] == Decimal('68.72')
    assert invoice['TotalAmt'] == Decimal('440.40')
    memo = uk_env.company().objects['CreditMemo'][(await uk_env.link('credit_memo', books['memo'].id)).qbo_id]
    assert _codes(memo) == ['5'] and memo['TotalAmt'] == Decimal('9.99')  # Exempt: no VAT


async def test_a_code_that_disagrees_with_the_app_fails_the_record_and_the_fix_updates_it(uk_env) -> None:
    books = await _uk_books(uk_env, discount_percent='0')
    service = FieldMappingService(uk_env.db, uk_env.env.service)
    await service.save(FieldRules(tax=TaxRule({'20': '3'})), acting=uk_env.env.users['owner@example.com'])
    summary = await uk_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.PARTIAL and summary.entities['invoice'].failed == 1
    link = await uk_env.link('invoice', books['invoice'].id)
    assert link.status == LinkStatus.FAILED and link.qbo_id  # QuickBooks made it: kept linked, never sent twice
    assert link.last_error.startswith(
        "QuickBooks' totals differ from the app's by more than a cent per line: QuickBooks has 33.59 of tax where "
        'the app has 76.34')
    assert 'Field Mapping tab' in link.last_error
    await service.save(FieldRules(tax=TaxRule({'20': '2'})), acting=uk_env.env.users['owner@example.com'])
    summary = await uk_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.SUCCEEDED and summary.entities['invoice'].updated == 1
    assert (await uk_env.link('invoice', books['invoice'].id)).status == LinkStatus.SYNCED
    assert len(uk_env.remote_by('Invoice', 'DocNumber', 'UK-1')) == 1


async def test_a_rate_without_a_code_fails_before_anything_is_sent(uk_env) -> None:
    books = await _uk_books(uk_env)
    await uk_env.edit(CreditMemo, books['memo'].id)
    async with uk_env.db.session() as session:
        line = (await session.get(CreditMemoLine, 1))
        line.tax_rate = Decimal('17.5')
        session.add(line)
        await session.commit()
    summary = await uk_env.runner.run(trigger='manual')
    assert summary.entities['credit_memo'].failed == 1 and summary.entities['invoice'].created == 1
    link = await uk_env.link('credit_memo', books['memo'].id)
    assert link.status == LinkStatus.FAILED and not link.qbo_id
    assert link.last_error.startswith('QuickBooks has no tax code for the 17.5 % rate.')
    assert uk_env.remote_by('CreditMemo', 'DocNumber', 'UK-CM-1') == []


async def test_a_us_company_gets_tax_and_non_per_line_and_a_discount_line(engine_env) -> None:  # noqa: F811
    books = await engine_env.books()
    await engine_env.edit(Invoice, books['invoice'].id, doc_number='TX-1', discount_amount=Decimal('25'))
    async with engine_env.db.session() as session:
        first, second = (await session.get(InvoiceLine, 1)), (await session.get(InvoiceLine, 2))
        first.tax_rate, second.tax_rate = Decimal('8.25'), Decimal('0')  # the item is not taxable; the line is
        session.add_all([first, second])
        await session.commit()
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.SUCCEEDED, summary.message
    invoice = engine_env.company().objects['Invoice'][(await engine_env.link('invoice', books['invoice'].id)).qbo_id]
    assert _codes(invoice) == ['TAX', 'NON']
    discount = next(line for line in invoice['Line'] if line['DetailType'] == 'DiscountLineDetail')
    assert discount['Amount'] == Decimal('25') and discount['DiscountLineDetail']['PercentBased'] is False
    assert invoice['TotalAmt'] - invoice['TxnTaxDetail']['TotalTax'] == Decimal('325')  # 350 - 25


async def test_a_rule_switched_back_to_none_clears_class_and_location(engine_env) -> None:  # noqa: F811
    books = await engine_env.books()
    await engine_env.edit(Invoice, books['invoice'].id, doc_number='CL-1')
    company = engine_env.company()
    current = company.read('Preferences', '1')
    company.update('Preferences', {'Id': '1', 'SyncToken': current['SyncToken'], 'sparse': True,
                                   'AccountingInfoPrefs': {**current['AccountingInfoPrefs'], 'TrackDepartments': True,
                                                           'ClassTrackingPerTxn': True,
                                                           'ClassTrackingPerTxnLine': False}})
    service = FieldMappingService(engine_env.db, engine_env.env.service)
    owner = engine_env.env.users['owner@example.com']
    await service.save(FieldRules(classes=TrackingRule(FIXED, 'Field Crew', create_missing=True),
                                  locations=TrackingRule(FIXED, 'Depot', create_missing=True)), acting=owner)
    assert (await engine_env.runner.run(trigger='manual')).status == RunStatus.SUCCEEDED
    link = await engine_env.link('invoice', books['invoice'].id)
    invoice = company.objects['Invoice'][link.qbo_id]
    assert invoice['ClassRef'] and invoice['DepartmentRef']
    saved = await service.save(FieldRules(classes=TrackingRule(NONE), locations=TrackingRule(NONE)), acting=owner)
    assert saved.rules.classes.clear_old and saved.rules.locations.clear_old and saved.replanned['invoice'] == 1
    summary = await engine_env.runner.run(trigger='manual')
    assert summary.status == RunStatus.SUCCEEDED and summary.entities['invoice'].updated == 1
    invoice = company.objects['Invoice'][link.qbo_id]
    assert 'ClassRef' not in invoice and 'DepartmentRef' not in invoice
    memo = company.objects['CreditMemo'][(await engine_env.link('credit_memo', books['memo'].id)).qbo_id]
    assert 'ClassRef' not in memo and 'DepartmentRef' not in memo


async def test_the_preview_names_the_vat_codes_and_the_discount(uk_env) -> None:
    books = await _uk_books(uk_env)
    env = uk_env.env
    await uk_env.runner.run(trigger='manual', entities=['customer', 'item'])
    service = RecordPreviewService(env.db, env.service, outbound=OutboundPass(limiter=sandbox_limiter(env.clock)))
    view = await service.preview('invoice', books['invoice'].id)
    rows = {row.label: row for row in view.rows}
    assert rows['Tax'].quickbooks == 'added on top of the amounts'
    assert (rows['Line 1 · Tax code'].quickbooks, rows['Line 1 · Tax code'].app) == ('20.0% S (20 %)', '20')
    assert rows['Line 3 · Tax code'].quickbooks == '5.0% R (5 %)'
    assert rows['Line 4 · Discount percent'].quickbooks == '10' and rows['Line 4 · Amount'].quickbooks == '41.30'


async def test_inbound_reads_the_vat_codes_back_as_the_app_rates_and_the_discount(uk_env) -> None:
    books = await _uk_books(uk_env)
    assert (await uk_env.runner.run(trigger='manual')).status == RunStatus.SUCCEEDED
    client = await uk_env.env.service.api()
    keys = await inbound_tax_keys(uk_env.db, client, uk_env.realm_id)
    assert keys == {'3': '5', '2': '20', '5': 'not_taxable', '4': '0', '6': 'not_taxable'}  # rates first
    remote = uk_env.company().objects['Invoice'][(await uk_env.link('invoice', books['invoice'].id)).qbo_id]
    back = from_qbo('invoice', remote, Refs(tax_keys=keys))
    assert [line.tax_rate for line in back.lines] == [Decimal('20'), Decimal('20'), Decimal('5')]  # same VAT
    assert back.record.discount_percent == Decimal('10') and back.record.discount_amount == 0


async def test_a_batch_recovered_after_a_crash_is_checked_like_any_other(uk_env) -> None:
    books = await _uk_books(uk_env, discount_percent='0')
    env = uk_env.env
    await FieldMappingService(env.db, env.service).save(FieldRules(tax=TaxRule({'20': '3'})),
                                                        acting=env.users['owner@example.com'])
    first = await uk_env.runner.run(trigger='manual', entities=['customer', 'item'])
    service = RecordPreviewService(env.db, env.service, outbound=OutboundPass(limiter=sandbox_limiter(env.clock)))
    body = (await service.preview('invoice', books['invoice'].id)).preview.body
    # a run that died after writing its batch down, before QuickBooks' answer was recorded
    await Outbox(env.db, uk_env.realm_id).record(first.run_id, [PendingItem('0', 'invoice', books['invoice'].id,
                                                                            books['invoice'].version, 'create', body)])
    summary = await uk_env.runner.run(trigger='manual')
    link = await uk_env.link('invoice', books['invoice'].id)
    # failed twice: the replayed answer, then the update the run sends since (unchecked, it would pass as synced)
    assert summary.entities['invoice'].failed == 2 and link.status == LinkStatus.FAILED and link.qbo_id
    assert link.last_error.startswith("QuickBooks' totals differ from the app's by more than a cent per line")
    assert len(uk_env.remote_by('Invoice', 'DocNumber', 'UK-1')) == 1
