"""Owner experience through the simulated browser: the region setting changes how every page shows dates and money,
records are deleted, voided or made inactive with the QuickBooks consequence said first, saves confirm."""
from __future__ import annotations

from datetime import date

from nicegui import app
from nicegui.testing import User

from qbsync.models import EntityLink, LinkStatus, QuickBooksConnection
from qbsync.models import User as Account
from qbsync.services.record_inputs import CustomerInput, InvoiceInput, ItemInput, SalesLineInput

REALM = '9130350000000001'


def _records():  # type: ignore[no-untyped-def]
    return app.state.services.records


async def _invoice() -> tuple[int, int]:
    customer = (await _records().create(CustomerInput(display_name='Juniper Joinery'))).id
    item = (await _records().create(ItemInput(name='Survey', unit_price='1234.50'))).id
    invoice = (await _records().create(InvoiceInput(customer_id=customer, txn_date=date(2027, 3, 11),
                                                     doc_number='1001',
                                                     lines=[SalesLineInput(item_id=item, quantity='1')]))).id
    return customer, invoice


async def _sent(entity_type: str, local_id: int) -> None:
    async with app.state.services.db.session() as session:
        if await session.get(QuickBooksConnection, 1) is None:
            session.add(QuickBooksConnection(id=1, realm_id=REALM, company_name='Sandbox Company'))
        session.add(EntityLink(realm_id=REALM, entity_type=entity_type, local_id=local_id, qbo_id='77',
                               status=LinkStatus.SYNCED, synced_version=1))
        await session.commit()


async def test_region_changes_dates_and_money_everywhere(user: User, owner: Account) -> None:
    _, invoice = await _invoice()
    await user.open(f'/invoices/{invoice}')
    await user.should_see(marker='value-txn_date', content='Mar 11, 2027')  # en_US by default
    await user.should_see(marker='record-total', content='Total $1,234.50')

    await user.open('/settings/region')
    with user:
        user.find(marker='region-locale').elements.pop().value = 'de_DE'
        user.find(marker='region-currency').elements.pop().value = 'EUR'
        user.find(marker='region-time-zone').elements.pop().value = 'Europe/Berlin'
    user.find(marker='region-save').click()
    await user.should_see('Region and formats saved.', retries=20)
    await user.should_see(marker='region-sample-zone', content='Europe/Berlin (UTC+0')

    await user.open(f'/invoices/{invoice}')
    await user.should_see(marker='value-txn_date', content='11.03.2027')
    await user.should_see(marker='record-total', content='1.234,50\xa0€')


async def test_a_bad_region_is_marked_at_its_field(user: User, admin: Account) -> None:
    await user.open('/settings/region')
    with user:
        user.find(marker='region-currency').elements.pop().set_options({'usd': 'usd'}, value='usd')
    user.find(marker='region-save').click()
    await user.should_see('Please correct the marked fields.', retries=20)
    assert user.find(marker='region-currency').elements.pop().error.startswith('Choose a currency')


async def test_a_viewer_sees_the_formats_but_cannot_change_them(user: User, viewer: Account) -> None:
    await user.open('/settings/region')
    await user.should_see(marker='region-read-only')
    await user.should_not_see(marker='region-save')
    assert not user.find(marker='region-locale').elements.pop().enabled


async def test_a_record_never_sent_is_deleted_after_saying_so(user: User, admin: Account) -> None:
    customer = (await _records().create(CustomerInput(display_name='Quince Quilts'))).id
    await user.open(f'/customers/{customer}')
    await user.should_see(marker='record-remove', retries=20)  # the page's last part is built after its queries
    user.find(marker='record-remove').click()
    await user.should_see(marker='remove-text', content='never sent to QuickBooks')
    user.find(marker='remove-cancel').click()
    await user.should_not_see(marker='remove')
    assert (await _records().list_records('customer')).total == 1
    user.find(marker='record-remove').click()
    await user.should_see(marker='remove-confirm')
    user.find(marker='remove-confirm').click()
    await user.should_see('Customer Quince Quilts deleted.', retries=20)
    await user.should_see(marker='records-empty', content='No customers yet', retries=20)  # back on the list
    assert (await _records().list_records('customer')).total == 0


async def test_a_sent_invoice_is_voided_and_a_sent_customer_made_inactive(user: User, admin: Account) -> None:
    customer, invoice = await _invoice()
    await _sent('invoice', invoice)
    await _sent('customer', customer)
    await user.open(f'/invoices/{invoice}')
    await user.should_see(marker='record-remove', content='Void')
    user.find(marker='record-remove').click()
    await user.should_see(marker='remove-text', content='sets its amounts to zero and marks it Voided')
    user.find(marker='remove-confirm').click()
    await user.should_see('Invoice 1001 voided.', retries=20)
    await user.should_see(marker='value-voided', content='Yes', retries=20)  # the page shows it again, voided
    assert (await _records().get('invoice', invoice)).record.voided

    await user.open(f'/customers/{customer}')
    await user.should_see(marker='record-remove', content='Make inactive')
    user.find(marker='record-remove').click()
    await user.should_see(marker='remove-text', content='made inactive rather than deleted')
    user.find(marker='remove-confirm').click()
    await user.should_see('Customer Juniper Joinery is now inactive.', retries=20)
    await user.should_see(marker='value-active', content='No', retries=20)
    await user.should_not_see(marker='record-remove')  # nothing left to do: it is inactive
    assert not (await _records().get('customer', customer)).record.active


async def test_a_customer_with_invoices_cannot_be_deleted_and_says_why(user: User, admin: Account) -> None:
    customer, _ = await _invoice()
    await user.open(f'/customers/{customer}')
    await user.should_see(marker='record-remove', retries=20)
    user.find(marker='record-remove').click()
    await user.should_see(marker='remove-confirm')
    user.find(marker='remove-confirm').click()
    await user.should_see('cannot be deleted', retries=20)
    assert (await _records().get('customer', customer)).record.active


async def test_save_confirms_with_the_record_type(user: User, admin: Account) -> None:
    await user.open('/customers/new')
    user.find(marker='field-display_name').type('Rowan Roofing')
    user.find(marker='record-save').click()
    await user.should_see('Customer saved.', retries=20)


async def test_plain_words_for_stored_codes_on_lists_and_forms(user: User, admin: Account) -> None:
    item = (await _records().create(ItemInput(name='Bolts', kind='NonInventory', unit_price='2.00'))).id
    await user.open('/items')
    await user.should_see('Non-inventory')
    await user.should_not_see('NonInventory')
    await user.open(f'/items/{item}/edit')
    assert user.find(marker='field-kind').elements.pop().options['NonInventory'] == 'Non-inventory'
