"""Bad input in records (issue 10, item 9): absurd numbers, dates out of range, invisible control characters get a
clear message on their field; nothing odd is stored and nothing fails silently."""
from __future__ import annotations

import pytest
from nicegui.testing import User

from qbsync.db import Database
from qbsync.models import Role
from qbsync.services.errors import ValidationError
from qbsync.services.records import CustomerInput, InvoiceInput, ItemInput, RecordService, SalesLineInput

from ui.accounts import log_in, make_account


async def _refused(coroutine) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        await coroutine
    return caught.value.field_errors


@pytest.mark.parametrize('price', ['1e309', '-1e309', '1E+400', '99999999999', 1e309, 'NaN', 'Infinity'])
async def test_absurd_numbers_get_a_message_on_the_field(db: Database, price: object) -> None:
    errors = await _refused(RecordService(db).create(ItemInput(name='Labor', unit_price=price)))  # type: ignore
    assert set(errors) == {'unit_price'} and errors['unit_price'] in ('Enter a number', 'At most 9,999,999,999.99')


@pytest.mark.parametrize('txn_date, terms', [('9999-12-31', 'Net 30'), ('0001-01-01', ''), ('2099-12-15', 'Net 30')])
async def test_dates_out_of_range_get_a_message(db: Database, txn_date: str, terms: str) -> None:
    field = 'txn_date'
    records = RecordService(db)
    customer = await records.create(CustomerInput(display_name='Dates Co'))
    item = await records.create(ItemInput(name='Labor', unit_price='100'))
    errors = await _refused(records.create(InvoiceInput(customer_id=customer.id, txn_date=txn_date, terms=terms or None,
                                                        lines=[SalesLineInput(item_id=item.id)])))
    assert field in errors and ('between' in errors[field] or 'due date' in errors[field])


@pytest.mark.parametrize('name', ['Acme\u202eexe.pdf', 'Acme\x00Dental', 'Acme\x1bDental', 'Acme\u2066Dental',
                                  'Acme\x7fDental', 'Acme\x85Dental'])
async def test_control_and_bidi_characters_in_names_are_refused(db: Database, name: str) -> None:
    records = RecordService(db)
    errors = await _refused(records.create(CustomerInput(display_name=name)))
    assert 'invisible control characters' in errors['display_name']
    errors = await _refused(records.create(CustomerInput(display_name='Fine Co', notes=f'see {name}')))
    assert 'invisible control characters' in errors['notes']
    assert (await records.list_records('customer')).total == 0


async def test_free_text_keeps_its_line_breaks(db: Database) -> None:
    view = await RecordService(db).create(CustomerInput(display_name='Lines Co', notes='first line\nsecond\tline'))
    assert view.record.notes == 'first line\nsecond\tline'


async def test_the_item_form_shows_the_message_for_1e309(user: User) -> None:
    await make_account(Role.OWNER)
    await log_in(user, 'owner@example.com')
    await user.open('/items/new')
    user.find(marker='field-name').type('Labor')
    user.find(marker='field-unit_price').type('1e309')
    user.find(marker='record-save').click()
    await user.should_see(marker='field-unit_price', content='At most 9,999,999,999.99')
