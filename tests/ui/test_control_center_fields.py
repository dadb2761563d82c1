"""Field Mapping tab: what the company tracks read live, class and location rules with value maps, custom fields,
validated Save that re-plans, read-only for viewers."""
from __future__ import annotations

from nicegui import app, ui
from nicegui.testing import User

from qbsync.mapping.rules import FIELD, FIXED, ITEM, ITEM_DESCRIPTION, FieldRules, LineRule, TaxRule, TrackingRule
from qbsync.models import Role
from qbsync.models import User as Account

from .quickbooks_flow import CENTER, connect_for, connect_quickbooks

FIELDS = f'{CENTER}/fields'


def _select(user: User, marker: str) -> ui.select:
    return user.find(kind=ui.select, marker=marker).elements.pop()


def _type_new(select: ui.select, text: str) -> None:
    """What typing a new value and Enter does in a select with ``new_value_mode='add-unique'``."""
    options = select.options
    if isinstance(options, dict):
        select.set_options({**options, text: text}, value=text)
    else:
        select.set_options([*options, text], value=text)


async def test_rules_are_chosen_mapped_and_saved(user: User, owner: Account) -> None:
    await connect_quickbooks(user)
    await user.open(FIELDS)
    await user.should_see(marker='save-field-mapping', retries=20)
    await user.should_see('This company tracks classes on each line (expenses always per line).')
    await user.should_see('This company tracks locations, one per transaction.')
    await user.should_see(marker='tax-us')  # US sales tax: TAX/NON, nothing to map
    _select(user, 'class-source').set_value(ITEM)
    location = _select(user, 'location-source')
    assert ITEM not in location.options  # a location is per transaction: never from the line's item
    location.set_value(FIELD)
    _type_new(_select(user, 'location-map-value'), 'North')  # no record has it yet: typed in
    _select(user, 'location-map-new-target').set_value('Main Street')
    user.find(marker='location-map-add').click()
    await user.should_see(marker='location-map-row')
    _select(user, 'custom-field-1-source').set_value(FIELD)
    _select(user, 'custom-field-1-field').set_value('job_number')
    await user.should_see(marker='custom-field-2-off')  # the seeded company uses custom field 1 only
    user.find(marker='lines-invoice-group').click()
    _select(user, 'lines-credit_memo-description').set_value(ITEM_DESCRIPTION)
    user.find(marker='save-field-mapping').click()
    await user.should_see('Field mapping saved.', retries=20)
    saved = await app.state.services.field_mapping.load()
    assert saved.classes == TrackingRule(ITEM)
    assert saved.locations == TrackingRule(FIELD, value_map={'North': 'Main Street'})
    assert (saved.custom_fields[0].source, saved.custom_fields[0].field) == (FIELD, 'job_number')
    assert saved.lines == {'invoice': LineRule(group_by_item=True),
                           'credit_memo': LineRule(description=ITEM_DESCRIPTION)}

    user.find(marker='location-map-remove').click()
    await user.should_see(marker='location-map-empty')
    user.notify.messages.clear()
    user.find(marker='save-field-mapping').click()
    await user.should_see('Field mapping saved.', retries=20)
    assert (await app.state.services.field_mapping.load()).locations.value_map == {}


async def test_a_fixed_class_quickbooks_lacks_is_refused_next_to_the_field(user: User, admin: Account) -> None:
    await connect_quickbooks(user)
    await user.open(FIELDS)
    await user.should_see(marker='save-field-mapping', retries=20)
    await user.should_not_see(marker='class-fixed')  # shown for a fixed class only
    _select(user, 'class-source').set_value(FIXED)
    assert 'Landscaping' in _select(user, 'class-fixed').options.values()
    _type_new(_select(user, 'class-fixed'), 'Gardening')
    user.find(marker='save-field-mapping').click()
    await user.should_see('Please correct the marked fields.', retries=20)
    assert _select(user, 'class-fixed').error == "QuickBooks has no class 'Gardening'."
    assert await app.state.services.field_mapping.load() == FieldRules()


async def test_without_a_company_there_is_nothing_to_map(user: User, owner: Account) -> None:
    await user.open(FIELDS)
    await user.should_see(marker='field-mapping-not-connected', retries=20)


async def test_viewer_sees_the_rules_read_only(user: User, viewer: Account) -> None:
    services = app.state.services
    owner = next(u for u in await services.users.list_users() if u.role == Role.OWNER)
    await connect_for(user, owner)
    await services.field_mapping.save(FieldRules(classes=TrackingRule(FIXED, 'Landscaping')), acting=owner)
    await user.open(FIELDS)
    await user.should_see(marker='field-mapping', retries=20)
    await user.should_not_see(marker='save-field-mapping')
    fixed = _select(user, 'class-fixed')
    assert fixed.value == 'Landscaping' and not fixed.enabled
    await user.should_not_see(marker='class-map-add')


async def test_a_uk_company_maps_tax_keys_to_its_vat_codes(user: User, owner: Account) -> None:
    company = app.state.sandbox.companies.create_company('VAT Co Ltd', profile='global')
    await connect_quickbooks(user, realm_id=company.realm_id)
    await user.open(FIELDS)
    await user.should_see(marker='tax-taxable', retries=20)
    await user.should_not_see(marker='tax-us')
    taxable, exempt = _select(user, 'tax-taxable-code'), _select(user, 'tax-not_taxable-code')
    assert taxable.value == '2' and taxable.options['2'] == '20.0% S (20 %)'  # the standard rate by default
    assert exempt.value == '5' and exempt.options['5'] == 'Exempt (no tax)'
    exempt.set_value('4')  # zero-rated instead
    user.find(marker='save-field-mapping').click()
    await user.should_see('Field mapping saved.', retries=20)
    assert (await app.state.services.field_mapping.load()).tax == TaxRule({'not_taxable': '4'})  # defaults not kept
