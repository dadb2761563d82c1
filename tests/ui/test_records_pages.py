"""Records pages through the simulated browser: lists (search, pages, QuickBooks status), view, create and edit
forms with messages next to the fields, line editors, payments applied to open invoices, and role refusals."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from nicegui import app
from nicegui.testing import User

from qbsync.models import EntityLink, LinkStatus, QuickBooksConnection, Role
from qbsync.models import User as Account
from qbsync.services.record_inputs import CustomerInput, InvoiceInput, ItemInput, SalesLineInput

REALM = '9130350000000001'


def _records():  # type: ignore[no-untyped-def]
    return app.state.services.records


async def _customer(name: str, **extra: str) -> int:
    return (await _records().create(CustomerInput(display_name=name, **extra))).id


async def _item(name: str, price: str) -> int:
    return (await _records().create(ItemInput(name=name, unit_price=price, description=f'{name} work'))).id


async def _invoice(customer_id: int, item_id: int, quantity: str, doc_number: str = '') -> int:
    data = InvoiceInput(customer_id=customer_id, txn_date=date(2026, 11, 2), doc_number=doc_number,
                        lines=[SalesLineInput(item_id=item_id, quantity=quantity)])
    return (await _records().create(data)).id


def _set(user: User, marker: str, value: object) -> None:
    """Choose in a select (or tick a checkbox) the way the browser's change event would."""
    with user:
        user.find(marker=marker).elements.pop().value = value


def _type(user: User, marker: str, text: str) -> None:
    user.find(marker=marker).clear().type(text)


async def _link(entity_type: str, local_id: int, status: str, error: str = '', version: int = 1) -> None:
    async with app.state.services.db.session() as session:
        if await session.get(QuickBooksConnection, 1) is None:
            session.add(QuickBooksConnection(id=1, realm_id=REALM, company_name='Sandbox Company'))
        session.add(EntityLink(realm_id=REALM, entity_type=entity_type, local_id=local_id, qbo_id=str(local_id + 50),
                               status=status, last_error=error, synced_version=version))
        await session.commit()


async def test_list_shows_each_rows_quickbooks_status_and_the_failure_reason(user: User, viewer: Account) -> None:
    names = ('Alder Ltd', 'Birch Co', 'Cedar Inc', 'Dogwood')
    synced, pending, failed, fresh = [await _customer(name) for name in names]
    await _link('customer', synced, LinkStatus.SYNCED)
    await _link('customer', pending, LinkStatus.PENDING)
    await _link('customer', failed, LinkStatus.FAILED, error='Duplicate Name Exists Error (6240)')
    await user.open('/customers')
    await user.should_see(marker=f'status-{synced}', content='Synced')
    await user.should_see(marker=f'status-{pending}', content='Waiting to sync')
    await user.should_see(marker=f'status-{failed}', content='Failed')
    await user.should_see(marker=f'status-{failed}-reason', content='Duplicate Name Exists Error (6240)')
    await user.should_see(marker=f'status-{fresh}', content='Not sent yet')

    _set(user, 'status-filter', 'failed')
    await user.should_see(marker='records-range', content='1–1 of 1', retries=20)
    await user.should_not_see(marker=f'record-row-{synced}')


async def test_search_and_pages(user: User, viewer: Account) -> None:
    for number in range(1, 31):
        await _customer(f'Customer {number:02d}', email=f'c{number}@example.com')
    await _customer('Acme Plumbing', company_name='Acme')
    await user.open('/customers')
    await user.should_see(marker='records-range', content='1–25 of 31')
    await user.should_see('Acme Plumbing')
    await user.should_not_see('Customer 30')
    await user.open('/customers?page=2')
    await user.should_see(marker='records-range', content='26–31 of 31')
    await user.should_see('Customer 30')

    await user.open('/customers')
    user.find(marker='record-search').type('acme').trigger('keydown.enter')
    await user.should_see(marker='records-range', content='1–1 of 1', retries=20)
    await user.should_see('Acme Plumbing')
    await user.should_not_see('Customer 01')
    user.find(marker='record-search').clear().type('nobody here').trigger('keydown.enter')
    await user.should_see(marker='records-empty', content='No customers match', retries=20)


async def test_a_viewer_reads_but_cannot_create_or_edit(user: User, viewer: Account) -> None:
    customer = await _customer('Elm Street Dental', email='desk@elm.example')
    await user.open('/customers')
    await user.should_not_see(marker='record-new')
    user.find(marker=f'record-link-{customer}').click()
    await user.should_see(marker='value-email', content='desk@elm.example', retries=20)
    await user.should_not_see(marker='record-edit')
    for path in ('/customers/new', f'/customers/{customer}/edit', '/invoices/new'):
        await user.open(path)
        await user.should_see(marker='access-denied', content='only owners and admins can do this')
        await user.should_not_see(marker='record-save')


async def test_create_a_customer_with_a_message_next_to_the_bad_field(user: User, admin: Account) -> None:
    await user.open('/customers')
    user.find(marker='record-new').click()
    await user.should_see(marker='record-save', retries=20)
    await user.should_not_see(marker='field-active')  # a new customer is active; only an edit can change that
    _type(user, 'field-display_name', 'Acme: Plumbing')
    _type(user, 'field-email', 'not an email')
    user.find(marker='record-save').click()
    await user.should_see(marker='field-display_name', content='Must not contain a colon, tab or line break')
    await user.should_see(marker='field-email', content='Enter a valid email address')
    assert (await _records().list_records('customer')).total == 0

    _type(user, 'field-display_name', 'Acme Plumbing')
    _type(user, 'field-email', 'office@acme.example')
    user.find(marker='record-save').click()
    await user.should_see(marker='value-email', content='office@acme.example', retries=20)
    await user.should_see(marker='record-status', content='Not sent yet')
    [row] = (await _records().list_records('customer')).rows
    assert row.record.display_name == 'Acme Plumbing'


async def test_edit_an_item_price_exactly(user: User, admin: Account) -> None:
    item = await _item('Drain cleaning', '120.00')
    await user.open(f'/items/{item}')
    await user.should_see(marker='record-edit', retries=20)  # the page may finish after open() returns (load)
    user.find(marker='record-edit').click()
    await user.should_see(marker='record-save', retries=20)
    await user.should_see(marker='field-active')
    _type(user, 'field-unit_price', '12O.50')
    user.find(marker='record-save').click()
    await user.should_see(marker='field-unit_price', content='Enter a number')
    _type(user, 'field-unit_price', '0.10')
    _type(user, 'field-purchase_cost', '0.20')
    user.find(marker='record-save').click()
    await user.should_see(marker='value-unit_price', content='0.10', retries=20)
    saved = (await _records().get('item', item)).record
    assert saved.unit_price == Decimal('0.10') and saved.purchase_cost == Decimal('0.20') and saved.version == 2


async def test_invoice_line_editor(user: User, owner: Account) -> None:
    customer = await _customer('Fir Holdings', terms='Net 30', email='ap@fir.example')
    labour = await _item('Labour', '85.00')
    parts = await _item('Parts', '12.40')
    await user.open('/invoices/new')
    _set(user, 'field-customer_id', customer)
    _set(user, 'line-0-item_id', labour)
    await user.should_see(marker='line-0-unit_price', content='85.00')  # filled in from the item
    await user.should_see(marker='line-0-description', content='Labour work')
    _type(user, 'line-0-quantity', '2.5')
    await user.should_see(marker='line-0-amount', content='212.50')
    user.find(marker='add-line').click()
    _set(user, 'line-1-item_id', parts)
    _type(user, 'line-1-quantity', 'three')
    await user.should_see(marker='lines-total', content='(some lines incomplete)')
    user.find(marker='record-save').click()
    await user.should_see(marker='line-1-quantity', content='Enter a number')
    assert (await _records().list_records('invoice')).total == 0

    _type(user, 'line-1-quantity', '3')
    await user.should_see(marker='lines-total', content='Total $249.70')
    user.find(marker='record-save').click()
    await user.should_see(marker='record-total', content='Total $249.70', retries=20)
    await user.should_see(marker='value-terms', content='Net 30')  # blank terms: the customer's
    [invoice] = (await _records().list_records('invoice')).rows
    assert invoice.total == Decimal('249.70') and invoice.record.doc_number == '1001'
    assert [line.amount for line in (await _records().get('invoice', invoice.id)).lines] == [Decimal('212.50'),
                                                                                            Decimal('37.20')]


async def test_removing_the_only_line_is_refused_next_to_the_lines(user: User, owner: Account) -> None:
    customer = await _customer('Grove Cafe')
    await user.open('/credit-memos/new')
    _set(user, 'field-customer_id', customer)
    user.find(marker='line-0-remove').click()
    user.find(marker='record-save').click()
    await user.should_see(marker='lines-error', content='Add at least one line')


async def test_a_payment_is_applied_to_the_customers_open_invoices(user: User, owner: Account) -> None:
    customer = await _customer('Hazel & Co')
    other = await _customer('Ivy LLC')
    labour = await _item('Labour', '100.00')
    older = await _invoice(customer, labour, '2', doc_number='A-1')  # 200.00
    newer = await _invoice(customer, labour, '1', doc_number='A-2')  # 100.00
    await _invoice(other, labour, '5', doc_number='B-1')
    await user.open('/payments/new')
    await user.should_see(marker='no-open-invoices', content='Choose a customer')
    _set(user, 'field-customer_id', customer)
    await user.should_see(marker=f'open-invoice-{older}', retries=20)
    await user.should_see(marker=f'open-invoice-{newer}')
    await user.should_not_see('Invoice B-1')
    _type(user, 'field-amount', '250.00')
    user.find(marker='apply-oldest').click()
    with user:
        assert user.find(marker=f'apply-{older}').elements.pop().value == '200.00'
        assert user.find(marker=f'apply-{newer}').elements.pop().value == '50.00'
    _type(user, f'apply-{newer}', '150.00')
    user.find(marker='record-save').click()
    await user.should_see(marker=f'apply-{newer}', content='More than the open balance of invoice A-2')

    _type(user, f'apply-{newer}', '50.00')
    user.find(marker='record-save').click()
    await user.should_see(marker=f'application-{older}', retries=20)
    await user.should_see(marker='record-balance', content='Not applied $0.00')
    balances = {view.id: view.balance for view in await _records().open_invoices(customer)}
    assert balances == {newer: Decimal('50.00')}


async def test_expense_lines_with_an_amount_message_per_line(user: User, admin: Account) -> None:
    await user.open('/expenses/new')
    _type(user, 'field-payee', 'Hardware Depot')
    _type(user, 'line-0-category', 'Dropped')
    user.find(marker='add-line').click()
    _type(user, 'line-1-category', 'Supplies')
    _type(user, 'line-1-amount', '19.99')
    user.find(marker='add-line').click()
    _type(user, 'line-2-category', 'Fuel')
    _type(user, 'line-2-amount', '-5')
    user.find(marker='line-0-remove').click()  # the message for what is now the second line must land on it
    # a negative line would be refused on save, so the live total leaves it out rather than show $14.99
    await user.should_see(marker='lines-total', content='Total so far $19.99 (some lines incomplete)')
    user.find(marker='record-save').click()
    await user.should_see(marker='line-2-amount', content='Must be more than 0')
    await user.should_not_see(marker='line-1-amount', content='Must be more than 0')
    _type(user, 'line-2-amount', '40.01')
    user.find(marker='record-save').click()
    await user.should_see(marker='record-total', content='Total $60.00', retries=20)
    [expense] = (await _records().list_records('expense')).rows
    assert [line.category for line in (await _records().get('expense', expense.id)).lines] == ['Supplies', 'Fuel']
    assert expense.total == Decimal('60.00')


async def test_the_dashboard_counts_records_and_links_to_the_control_center(user: User, viewer: Account) -> None:
    await _customer('Linden Lane')
    await _customer('Maple Mews')
    await _item('Survey', '300.00')
    await user.open('/')
    await user.should_see(marker='connection-title', content='Not connected to QuickBooks')
    await user.should_not_see(marker='connection-connect')  # a viewer is told to ask an owner or admin
    await user.should_see(marker='connection-detail', content='Ask an owner or admin')
    await user.should_see(marker='last-sync', content='No sync has run yet.')
    await user.should_see(marker='next-sync', content='Automatic sync is off.')
    await user.should_see(marker='control-center-link')
    await user.should_see(marker='count-customers-total', content='2')
    await user.should_see(marker='count-items-total', content='1')
    await user.should_see(marker='count-customers-states', content='0 synced · 0 waiting · 0 failed')
    user.find(marker='count-customers').click()  # the whole card is the link
    await user.should_see(marker='page-title', content='Customers', retries=20)


async def test_an_edit_form_refuses_to_save_for_a_user_demoted_meanwhile(user: User, admin: Account) -> None:
    customer = await _customer('Juniper Works')
    await user.open(f'/customers/{customer}/edit')
    owner = next(u for u in await app.state.services.users.list_users() if u.role == Role.OWNER)
    await app.state.services.users.set_role(admin.id, Role.VIEWER, acting=owner)
    _type(user, 'field-display_name', 'Juniper Works (renamed)')
    user.find(marker='record-save').click()
    await user.should_see('only owners and admins can do this')
    assert (await _records().get('customer', customer)).record.display_name == 'Juniper Works'


async def test_a_record_changed_meanwhile_is_not_overwritten(user: User, admin: Account) -> None:
    customer = await _customer('Kale Farms')
    await user.open(f'/customers/{customer}/edit')
    await _records().update(customer, CustomerInput(display_name='Kale Farms Ltd'))
    _type(user, 'field-phone', '555-0100')
    user.find(marker='record-save').click()
    await user.should_see(marker='form-error', content='This record was changed meanwhile')
    assert (await _records().get('customer', customer)).record.phone == ''


async def test_unknown_record_ids_say_so(user: User, viewer: Account) -> None:
    await user.open('/invoices/999')
    await user.should_see(marker='record-not-found', content='There is no invoice #999')


async def test_home_offers_owners_connect_quickbooks(user: User, owner: Account) -> None:
    await user.open('/')
    await user.should_see(marker='connection-title', content='Not connected to QuickBooks')
    await user.should_see(marker='connection-connect', content='Connect QuickBooks')


async def test_an_invoice_with_a_line_tax_rate_and_a_discount(user: User, owner: Account) -> None:
    customer = await _customer('Elm Partners')
    labour = await _item('Labour', '85.00')
    await user.open('/invoices/new')
    _set(user, 'field-customer_id', customer)
    _set(user, 'line-0-item_id', labour)
    await user.should_see(marker='line-0-unit_price', content='85.00')
    _type(user, 'line-0-quantity', '2')
    _type(user, 'line-0-tax_rate', '20')
    _type(user, 'field-discount_percent', '10')
    _type(user, 'field-discount_amount', '5')
    user.find(marker='record-save').click()
    await user.should_see(marker='field-discount_amount',
                          content='Give the discount as a percent or as an amount, not both')
    _type(user, 'field-discount_amount', '0')
    await user.should_see(marker='lines-total', content='Total $153.00 after a discount of $17.00')  # live, as saved
    _type(user, 'field-discount_percent', 'ten')
    await user.should_see(marker='lines-total', content='Total $170.00 before the discount (not a number yet)')
    _type(user, 'field-discount_percent', '10')
    user.find(marker='record-save').click()
    await user.should_see(marker='record-total', content='Total $153.00', retries=20)  # 170.00 less 10 %
    [invoice] = (await _records().list_records('invoice')).rows
    assert invoice.record.discount_percent == Decimal('10') and invoice.record.discount_amount == 0
    assert [line.tax_rate for line in (await _records().get('invoice', invoice.id)).lines] == [Decimal('20')]
