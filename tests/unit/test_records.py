"""RecordService: per-field validation by QuickBooks' rules, money in cents, paging and search, derived status."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, text

from qbsync.db import Database
from qbsync.models import ConnectionStatus, EntityLink, LinkStatus, QuickBooksConnection
from qbsync.services.errors import NotFound, ValidationError
from qbsync.services.records import (CreditMemoInput, CustomerInput, ExpenseInput, ExpenseLineInput, InvoiceInput,
                                     ItemInput, PaymentApplicationInput, PaymentInput, QuickBooksStatus,
                                     RecordService, SalesLineInput, input_from_view)

from data_support import db, db_url  # noqa: F401 (fixtures)

DAY = date(2026, 3, 2)
REALM = '9130350000000001'


@pytest.fixture
def records(db: Database) -> RecordService:
    return RecordService(db)


@pytest.fixture
async def acme(records: RecordService) -> int:
    view = await records.create(CustomerInput(display_name='Acme Dental', company_name='Acme Dental LLC',
                                              email='office@acme.example.com', terms='Net 30'))
    return view.id


@pytest.fixture
async def labor(records: RecordService) -> int:
    view = await records.create(ItemInput(name='Labor', unit_price='125', description='Technician hour'))
    return view.id


def _errors(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return caught.value.field_errors


async def test_customer_names_follow_quickbooks_rules(records: RecordService, acme: int) -> None:
    for name, message in (('', 'Required'), ('Acme: Main', 'colon'), ('Tab\there', 'tab'), ('x' * 501, '500'),
                          ('ACME dental', 'already has this name')):
        with pytest.raises(ValidationError) as caught:
            await records.create(CustomerInput(display_name=name))
        assert message in _errors(caught)['display_name']
    with pytest.raises(ValidationError) as caught:
        await records.create(CustomerInput(display_name='Bob', email='bob@localhost', phone='1' * 31,
                                           given_name='a:b'))
    assert set(_errors(caught)) == {'email', 'phone', 'given_name'}
    view = await records.create(CustomerInput(given_name=' Dana ', family_name='Ortiz'))  # built from the parts
    assert view.record.display_name == 'Dana Ortiz' and view.record.version == 1


async def test_item_rules(records: RecordService) -> None:
    with pytest.raises(ValidationError) as caught:
        await records.create(ItemInput(name='Pipe:1/2', kind='Gadget', unit_price='-1', purchase_cost='1.123456',
                                       sku='s' * 101))
    assert set(_errors(caught)) == {'name', 'kind', 'unit_price', 'purchase_cost', 'sku'}
    item = await records.create(ItemInput(name='Filter', kind='NonInventory', unit_price=19.99,
                                          quantity_on_hand='7'))
    assert item.record.unit_price == Decimal('19.99') and item.record.quantity_on_hand == 0  # not inventory


async def test_invoice_amounts_are_quantity_times_price_in_cents(records: RecordService, acme: int,
                                                                 labor: int) -> None:
    view = await records.create(InvoiceInput(customer_id=acme, txn_date=DAY, lines=[
        SalesLineInput(item_id=labor, quantity='1.5'),
        SalesLineInput(item_id=labor, quantity=3, unit_price='33.335', description='Odd price'),
    ]))
    amounts = [line.amount for line in view.lines]
    assert amounts == [Decimal('187.50'), Decimal('100.01')]  # 100.005 rounds half up
    assert view.total == view.balance == Decimal('287.51')
    assert view.lines[0].description == 'Technician hour'  # from the item
    assert view.record.doc_number == '1001' and view.record.terms == 'Net 30'
    assert view.record.due_date == DAY + timedelta(days=30) and view.record.bill_email == 'office@acme.example.com'
    second = await records.create(InvoiceInput(customer_id=acme, txn_date='2026-03-03',
                                               lines=[SalesLineInput(item_id=labor)]))
    assert second.record.doc_number == '1002'


async def test_invoice_errors_are_reported_per_field_and_line(records: RecordService, acme: int,
                                                              labor: int) -> None:
    with pytest.raises(ValidationError) as caught:
        await records.create(InvoiceInput(customer_id=acme, txn_date='03/02/2026', doc_number='X' * 22, lines=[
            SalesLineInput(item_id=labor), SalesLineInput(item_id=999, quantity='0'),
            SalesLineInput(item_id=labor, quantity='abc', unit_price='-5')]))
    assert _errors(caught) == {
        'txn_date': 'Enter a date as YYYY-MM-DD', 'doc_number': 'At most 21 characters (this has 22)',
        'lines.1.item_id': 'This product or service does not exist', 'lines.1.quantity': 'Must be more than 0',
        'lines.2.quantity': 'Enter a number', 'lines.2.unit_price': 'Must be at least 0.00'}
    with pytest.raises(ValidationError) as caught:
        await records.create(InvoiceInput(customer_id=None, txn_date=DAY, due_date=DAY - timedelta(days=1)))
    assert set(_errors(caught)) == {'customer_id', 'lines', 'due_date'}


async def test_doc_numbers_are_unique_ignoring_case(records: RecordService, acme: int, labor: int) -> None:
    await records.create(InvoiceInput(customer_id=acme, txn_date=DAY, doc_number='INV-7',
                                      lines=[SalesLineInput(item_id=labor)]))
    with pytest.raises(ValidationError) as caught:
        await records.create(InvoiceInput(customer_id=acme, txn_date=DAY, doc_number='inv-7',
                                          lines=[SalesLineInput(item_id=labor)]))
    assert _errors(caught) == {'doc_number': 'This number is already used'}


async def test_inactive_customers_and_items_cannot_be_chosen_anew(records: RecordService, acme: int,
                                                                  labor: int) -> None:
    invoice = await records.create(InvoiceInput(customer_id=acme, txn_date=DAY, lines=[SalesLineInput(item_id=labor)]))
    customer = await records.get('customer', acme)
    await records.update(acme, CustomerInput(**{**vars(input_from_view(customer)), 'active': False}))
    item = await records.get('item', labor)
    await records.update(labor, ItemInput(**{**vars(input_from_view(item)), 'active': False}))
    edit = input_from_view(invoice)
    edit.memo = 'still editable: the customer and item were already on it'
    assert (await records.update(invoice.id, edit)).record.version == 2
    with pytest.raises(ValidationError) as caught:
        await records.create(InvoiceInput(customer_id=acme, txn_date=DAY, lines=[SalesLineInput(item_id=labor)]))
    assert _errors(caught) == {'customer_id': 'This customer is inactive', 'lines.0.item_id': 'This item is inactive'}


async def test_update_bumps_version_only_when_something_changes(records: RecordService, acme: int,
                                                                labor: int) -> None:
    view = await records.create(InvoiceInput(customer_id=acme, txn_date=DAY, lines=[SalesLineInput(item_id=labor)]))
    same = await records.update(view.id, input_from_view(view))
    assert same.record.version == 1 and same.record.updated_at == view.record.updated_at
    edit = input_from_view(view)
    edit.lines.append(SalesLineInput(item_id=labor, quantity='2'))
    changed = await records.update(view.id, edit, expected_version=1)
    assert changed.record.version == 2 and changed.record.updated_at > view.record.updated_at
    assert changed.total == Decimal('375.00') and [line.line_num for line in changed.lines] == [1, 2]
    with pytest.raises(ValidationError) as caught:
        await records.update(view.id, edit, expected_version=1)
    assert 'version' in _errors(caught)
    with pytest.raises(NotFound):
        await records.update(12345, edit)


async def test_payments_never_exceed_an_invoice_open_balance(records: RecordService, acme: int,
                                                             labor: int) -> None:
    invoice = await records.create(InvoiceInput(customer_id=acme, txn_date=DAY,
                                                lines=[SalesLineInput(item_id=labor, quantity=2)]))  # 250.00
    first = await records.create(PaymentInput(customer_id=acme, txn_date=DAY, amount='200', applications=[
        PaymentApplicationInput(invoice_id=invoice.id, amount='200')]))
    assert first.total == Decimal('200.00') and first.balance == Decimal('0.00')
    assert (await records.get('invoice', invoice.id)).balance == Decimal('50.00')
    with pytest.raises(ValidationError) as caught:
        await records.create(PaymentInput(customer_id=acme, txn_date=DAY, amount='60', applications=[
            PaymentApplicationInput(invoice_id=invoice.id, amount='60')]))
    assert _errors(caught) == {'applications.0.amount': 'More than the open balance of invoice 1001 (50.00)'}
    with pytest.raises(ValidationError) as caught:
        await records.create(PaymentInput(customer_id=acme, txn_date=DAY, amount='10', applications=[
            PaymentApplicationInput(invoice_id=invoice.id, amount='40')]))
    assert _errors(caught) == {'amount': 'Less than the total applied to invoices'}
    # editing a payment does not count its own application against it
    edit = input_from_view(first)
    edit.amount, edit.applications[0].amount = '250', '250'
    assert (await records.update(first.id, edit)).record.amount == Decimal('250.00')
    assert [v.id for v in await records.open_invoices(acme)] == []
    assert [v.balance for v in await records.open_invoices(acme, payment_id=first.id)] == [Decimal('250.00')]


async def test_payment_applications_must_belong_to_the_customer(records: RecordService, acme: int,
                                                                labor: int) -> None:
    other = (await records.create(CustomerInput(display_name='Other Co'))).id
    invoice = await records.create(InvoiceInput(customer_id=acme, txn_date=DAY, lines=[SalesLineInput(item_id=labor)]))
    with pytest.raises(ValidationError) as caught:
        await records.create(PaymentInput(customer_id=other, txn_date=DAY, amount='10', method='Bitcoin',
                                          reference='r' * 22, applications=[
                                              PaymentApplicationInput(invoice_id=invoice.id, amount='10'),
                                              PaymentApplicationInput(invoice_id=None, amount='0')]))
    assert _errors(caught) == {
        'method': 'Choose one of: Cash, Check, Credit Card, ACH', 'reference': 'At most 21 characters (this has 22)',
        'applications.0.invoice_id': 'This invoice belongs to another customer',
        'applications.1.invoice_id': 'Choose an invoice', 'applications.1.amount': 'Must be more than 0'}


async def test_paid_invoices_cannot_be_voided_or_cut_below_the_payment(records: RecordService, acme: int,
                                                                       labor: int) -> None:
    invoice = await records.create(InvoiceInput(customer_id=acme, txn_date=DAY,
                                                lines=[SalesLineInput(item_id=labor, quantity=2)]))
    payment = await records.create(PaymentInput(customer_id=acme, txn_date=DAY, amount='200', applications=[
        PaymentApplicationInput(invoice_id=invoice.id, amount='200')]))
    edit = input_from_view(invoice)
    edit.voided = True
    with pytest.raises(ValidationError) as caught:
        await records.update(invoice.id, edit)
    assert 'voided' in _errors(caught)
    edit = input_from_view(invoice)
    edit.lines[0].quantity = 1
    with pytest.raises(ValidationError) as caught:
        await records.update(invoice.id, edit)
    assert _errors(caught) == {'lines': 'The total cannot be less than the 200.00 already paid'}
    voiding = input_from_view(payment)
    voiding.voided = True
    await records.update(payment.id, voiding)  # a voided payment no longer counts
    assert (await records.get('invoice', invoice.id)).balance == Decimal('250.00')


async def test_expenses_and_credit_memos(records: RecordService, acme: int, labor: int) -> None:
    expense = await records.create(ExpenseInput(txn_date=DAY, payee='Ferguson Supply', lines=[
        ExpenseLineInput(category='Materials', amount='120.5', customer_id=acme),
        ExpenseLineInput(category='Fuel', amount='$1,000.00')]))
    assert expense.total == Decimal('1120.50') and expense.lines[1].amount == Decimal('1000.00')
    with pytest.raises(ValidationError) as caught:
        await records.create(ExpenseInput(txn_date=DAY, payment_type='IOU', lines=[
            ExpenseLineInput(category='', amount='1.001', customer_id=999)]))
    assert set(_errors(caught)) == {'payment_type', 'lines.0.category', 'lines.0.amount', 'lines.0.customer_id'}
    memo = await records.create(CreditMemoInput(customer_id=acme, txn_date=DAY,
                                                lines=[SalesLineInput(item_id=labor)]))
    assert memo.record.doc_number == 'CM-1001' and memo.total == memo.balance == Decimal('125.00')
    assert memo.customer_name == 'Acme Dental'


async def test_paging_search_and_sorting(records: RecordService) -> None:
    for n in range(23):
        await records.create(CustomerInput(display_name=f'Customer {n:02d}', email=f'c{n}@example.com'))
    await records.create(CustomerInput(display_name='100% Plumbing', company_name='Pipes_R_Us'))
    page = await records.list_records('customer', page=2, page_size=10)
    assert (page.total, page.pages, page.page) == (24, 3, 2)
    assert [r.record.display_name for r in page.rows][:2] == ['Customer 09', 'Customer 10']
    assert (await records.list_records('customer', page=3, page_size=10)).rows[-1].record.display_name \
        == 'Customer 22'
    found = await records.list_records('customer', search='C7@EXAMPLE')
    assert [r.record.display_name for r in found.rows] == ['Customer 07'] and found.total == 1
    assert [r.record.display_name for r in (await records.list_records('customer', search='%')).rows] == \
        ['100% Plumbing']  # wildcards are literal
    assert (await records.list_records('customer', search='s_R')).total == 1
    newest = await records.list_records('customer', sort='display_name', descending=True, page_size=1)
    assert newest.rows[0].record.display_name == 'Customer 22'
    with pytest.raises(ValidationError):
        await records.list_records('customer', sort='notes')
    with pytest.raises(NotFound):
        await records.list_records('estimate')


async def test_transactions_filter_by_customer_and_search_customer_names(records: RecordService, acme: int,
                                                                         labor: int) -> None:
    other = (await records.create(CustomerInput(display_name='Zed Bakery'))).id
    for customer, day in ((acme, DAY), (other, DAY + timedelta(days=1)), (acme, DAY + timedelta(days=2))):
        await records.create(InvoiceInput(customer_id=customer, txn_date=day, lines=[SalesLineInput(item_id=labor)]))
    assert [r.record.doc_number for r in (await records.list_records('invoice')).rows] == ['1003', '1002', '1001']
    assert (await records.list_records('invoice', customer_id=acme)).total == 2
    assert [r.customer_name for r in (await records.list_records('invoice', search='bakery')).rows] == ['Zed Bakery']
    with pytest.raises(ValidationError):
        await records.list_records('item', customer_id=acme)


async def _link(db: Database, realm: str, entity_type: str, local_id: int, status: str, synced_version: int,
                error: str = '') -> None:
    async with db.session() as session:
        session.add(EntityLink(realm_id=realm, entity_type=entity_type, local_id=local_id, qbo_id=str(local_id + 50),
                               status=status, synced_version=synced_version, last_error=error))
        await session.commit()


async def test_status_is_derived_from_the_active_company_links(db: Database, records: RecordService) -> None:
    ids = [(await records.create(CustomerInput(display_name=name))).id for name in 'ABCDEF']
    async with db.session() as session:
        session.add(QuickBooksConnection(realm_id=REALM))
        session.add(QuickBooksConnection(realm_id='old', status=ConnectionStatus.DISCONNECTED))
        await session.commit()
    await _link(db, REALM, 'customer', ids[0], LinkStatus.SYNCED, 1)
    await _link(db, REALM, 'customer', ids[1], LinkStatus.SYNCED, 1)
    await _link(db, REALM, 'customer', ids[2], LinkStatus.PENDING, 0)
    await _link(db, REALM, 'customer', ids[3], LinkStatus.FAILED, 1, 'Duplicate Name Exists Error')
    await _link(db, 'old', 'customer', ids[4], LinkStatus.SYNCED, 1)  # another company's link does not count
    await _link(db, REALM, 'item', ids[5], LinkStatus.SYNCED, 1)  # nor another type's
    edit = input_from_view(await records.get('customer', ids[1]))
    edit.notes = 'changed after the sync'
    await records.update(ids[1], edit)

    rows = (await records.list_records('customer')).rows
    assert [(r.record.display_name, r.sync.status) for r in rows] == [
        ('A', 'synced'), ('B', 'pending'), ('C', 'pending'), ('D', 'failed'), ('E', 'not synced'),
        ('F', 'not synced')]
    assert rows[3].sync.error == 'Duplicate Name Exists Error' and rows[0].sync.qbo_id == str(ids[0] + 50)
    assert (await records.get('customer', ids[3])).sync.status == QuickBooksStatus.FAILED
    counts = {s: (await records.list_records('customer', status=s)).total for s in QuickBooksStatus.ALL}
    assert counts == {'synced': 1, 'pending': 2, 'failed': 1, 'not synced': 2, 'conflict': 0,
                      'deleted in QuickBooks': 0}
    with pytest.raises(ValidationError):
        await records.list_records('customer', status='lost')

    async with db.session() as session:
        await session.exec(text("UPDATE quickbooksconnection SET status = 'disconnected'"))
        await session.commit()
    assert {r.sync.status for r in (await records.list_records('customer')).rows} == {'not synced'}


async def test_a_page_costs_the_same_few_queries_whatever_its_size(db: Database, records: RecordService,
                                                                   acme: int, labor: int) -> None:
    for n in range(12):
        await records.create(InvoiceInput(customer_id=acme, txn_date=DAY + timedelta(days=n),
                                          lines=[SalesLineInput(item_id=labor), SalesLineInput(item_id=labor)]))
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)
    event.listen(db.engine.sync_engine, 'before_cursor_execute', count)
    try:
        await records.list_records('invoice', page_size=2)
        small = len(statements)
        statements.clear()
        page = await records.list_records('invoice', page_size=12)
        assert len(page.rows) == 12 and len(statements) == small <= 4
    finally:
        event.remove(db.engine.sync_engine, 'before_cursor_execute', count)
    plan_rows = [s for s in statements if 'entitylink AS link' in s]
    if db.engine.dialect.name != 'sqlite':
        return  # PostgreSQL's plan for the same join: tests/unit/test_stats.py
    async with db.session() as session:
        plan = ' '.join(str(r[-1]) for r in (await session.exec(text(
            'EXPLAIN QUERY PLAN ' + plan_rows[-1].replace('?', "'x'")))).all())
    assert 'SEARCH link USING INDEX' in plan  # the link is found through the (realm, type, local id) index


async def test_input_from_view_round_trips_every_type(records: RecordService, acme: int, labor: int) -> None:
    invoice = await records.create(InvoiceInput(customer_id=acme, txn_date=DAY, lines=[SalesLineInput(item_id=labor)]))
    created = [await records.get('customer', acme), await records.get('item', labor), invoice,
               await records.create(PaymentInput(customer_id=acme, txn_date=DAY, amount='5', applications=[
                   PaymentApplicationInput(invoice_id=invoice.id, amount='5')])),
               await records.create(ExpenseInput(txn_date=DAY, lines=[ExpenseLineInput(category='Fuel', amount=9)])),
               await records.create(CreditMemoInput(customer_id=acme, txn_date=DAY,
                                                    lines=[SalesLineInput(item_id=labor)]))]
    for view in created:
        again = await records.update(view.id, input_from_view(view))
        assert again.record.version == 1, view.entity_type


async def test_field_mapping_app_fields_are_kept_trimmed_and_within_limits(records: RecordService, acme: int,
                                                                          labor: int) -> None:
    customer = await records.create(CustomerInput(display_name='North Clinic', class_name=' Commercial ',
                                                  location_name='Reno', customer_type='Commercial'))
    assert (customer.record.class_name, customer.record.location_name, customer.record.customer_type) == \
        ('Commercial', 'Reno', 'Commercial')
    item = await records.create(ItemInput(name='Install', class_name='Installs'))
    assert item.record.class_name == 'Installs'
    line = [SalesLineInput(item_id=labor, quantity='1')]
    invoice = await records.create(InvoiceInput(customer_id=acme, txn_date=DAY, lines=line, service_area='North',
                                                job_number='J-7', technician='Dana', po_number='PO 9'))
    assert (invoice.record.service_area, invoice.record.job_number, invoice.record.technician,
            invoice.record.po_number) == ('North', 'J-7', 'Dana', 'PO 9')
    assert input_from_view(invoice).job_number == 'J-7'
    with pytest.raises(ValidationError) as caught:  # Intuit's custom fields keep 31 characters
        await records.create(CreditMemoInput(customer_id=acme, txn_date=DAY, lines=line, job_number='J' * 32))
    assert _errors(caught) == {'job_number': 'At most 31 characters (this has 32)'}
    payment = await records.create(PaymentInput(customer_id=acme, txn_date=DAY, amount='5', service_area='South'))
    expense = await records.create(ExpenseInput(txn_date=DAY, payee='Depot', service_area='South',
                                                lines=[ExpenseLineInput(category='Supplies', amount='3')]))
    assert payment.record.service_area == expense.record.service_area == 'South'


async def test_a_search_with_a_nul_byte_finds_what_the_rest_finds(records: RecordService, acme: int) -> None:
    """PostgreSQL refuses a NUL byte in any text parameter: the search drops it instead of failing."""
    page = await records.list_records('customer', search='Ac\x00me')
    assert [row.id for row in page.rows] == [acme]


async def test_discounts_and_line_tax_rates_are_checked_and_the_total_is_after_the_discount(
        records: RecordService, acme: int, labor: int) -> None:
    with pytest.raises(ValidationError) as caught:
        await records.create(InvoiceInput(customer_id=acme, txn_date=DAY, discount_percent='10',
                                          discount_amount='5', lines=[SalesLineInput(item_id=labor, tax_rate='120')]))
    assert _errors(caught) == {'discount_amount': 'Give the discount as a percent or as an amount, not both',
                               'lines.0.tax_rate': 'At most 100 %'}
    with pytest.raises(ValidationError) as caught:
        await records.create(CreditMemoInput(customer_id=acme, txn_date=DAY, discount_amount='126',
                                             lines=[SalesLineInput(item_id=labor, tax_rate='-1')]))
    assert _errors(caught) == {'discount_amount': 'More than the total of the lines',
                               'lines.0.tax_rate': 'Must be at least 0'}
    view = await records.create(InvoiceInput(customer_id=acme, txn_date=DAY, discount_percent='12.5', lines=[
        SalesLineInput(item_id=labor, tax_rate='20'), SalesLineInput(item_id=labor, quantity='2', tax_rate='')]))
    assert [line.tax_rate for line in view.lines] == [Decimal('20'), None]  # blank: the item decides
    assert view.total == view.balance == Decimal('328.12')  # 375.00 - 46.88
    memo = await records.create(CreditMemoInput(customer_id=acme, txn_date=DAY, discount_amount='25',
                                                lines=[SalesLineInput(item_id=labor)]))
    assert memo.total == Decimal('100.00')
