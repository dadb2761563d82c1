""""Show QuickBooks version" on a record's page: the body in plain words beside the app's values, and the reason
when there is nothing to show."""
from __future__ import annotations

from nicegui import app, ui
from nicegui.testing import User

from qbsync.models import User as Account
from qbsync.services.record_inputs import CustomerInput

from .quickbooks_flow import connect_quickbooks


async def test_a_customer_shows_what_quickbooks_would_get(user: User, viewer: Account) -> None:
    services = app.state.services
    customer = await services.records.create(CustomerInput(display_name='Cedar Dental', email='desk@cedar.example'))
    await user.open(f'/customers/{customer.id}')
    user.find(marker='record-preview').click()
    await user.should_see(marker='preview-error', retries=20)  # nothing to compare with yet
    await user.should_see('Connect QuickBooks to see what would be sent.')


async def test_the_preview_lists_each_field_in_plain_words(user: User, owner: Account) -> None:
    services = app.state.services
    customer = await services.records.create(CustomerInput(display_name='Cedar Dental', email='desk@cedar.example',
                                                           terms='Net 30'))
    await connect_quickbooks(user)
    await user.open(f'/customers/{customer.id}')
    user.find(marker='record-preview').click()
    await user.should_see('This customer would be created in QuickBooks.', retries=30)
    rows = {row['label']: row for row in user.find(kind=ui.table, marker='preview-table').elements.pop().rows}
    assert (rows['Display name']['quickbooks'], rows['Display name']['app']) == ('Cedar Dental', 'Cedar Dental')
    assert rows['Email']['quickbooks'] == 'desk@cedar.example' and rows['Terms']['quickbooks'] == 'Net 30'
    await user.should_see(marker='preview-json')
