"""Field mapping against the sandbox: the run's FieldContext read from QuickBooks (tracking preferences switched
on and off, classes and locations, missing ones created or failed with the reason), the rules applied to what is
sent, and saving rules re-plans the records they change."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qbsync.mapping import LocalRecord
from qbsync.mapping.rules import CUSTOMER, FIELD, FIXED, ITEM, CustomFieldRule, FieldRules, TrackingRule
from qbsync.mapping.tracking import FieldMappingError
from qbsync.models import Customer, EntityLink, Invoice, InvoiceLine, Item, LinkStatus, SyncLogEntry
from qbsync.services.errors import PermissionDenied, ValidationError
from qbsync.services.field_mapping import FieldMappingService
from qbsync.sync.field_context import RunFieldMapping
from sqlmodel import select

from connection_env import ConnectionEnv, connection_env  # noqa: F401 (fixture)


@pytest.fixture
async def env(connection_env: ConnectionEnv) -> ConnectionEnv:  # noqa: F811
    outcome = await connection_env.connect()
    assert outcome.ok, outcome.message
    return connection_env


def _company(env: ConnectionEnv):  # type: ignore[no-untyped-def]
    return env.sandbox.companies.get(env.realm_id)


def _tracking(env: ConnectionEnv, **prefs: object) -> None:
    """Switch class/location tracking in the sandbox company's Preferences (as an admin would in QuickBooks)."""
    company = _company(env)
    current = company.read('Preferences', '1')
    company.update('Preferences', {'Id': '1', 'SyncToken': current['SyncToken'], 'sparse': True,
                                   'AccountingInfoPrefs': {**current['AccountingInfoPrefs'], **prefs}})


async def _invoice(env: ConnectionEnv) -> tuple[Invoice, list[InvoiceLine]]:
    """A local invoice (customer and two items with classes) whose customer and items QuickBooks already has."""
    async with env.db.session() as session:
        customer = Customer(display_name="Amy's Bird Sanctuary", class_name='Residential', location_name='Main Street')
        mowing, design = Item(name='Mowing', class_name='Landscaping'), Item(name='Design', class_name='')
        session.add_all([customer, mowing, design])
        await session.flush()
        invoice = Invoice(doc_number='F-1', customer_id=customer.id, txn_date=date(2026, 11, 30),
                          service_area='north', job_number='J-42', technician='Dana')
        session.add(invoice)
        await session.flush()
        lines = [InvoiceLine(invoice_id=invoice.id, line_num=n, item_id=item.id, quantity=Decimal('1'),
                             unit_price=Decimal(price), amount=Decimal(price))
                 for n, (item, price) in enumerate(((mowing, '40.00'), (design, '60.00')), start=1)]
        session.add_all(lines)
        await session.commit()
        return invoice, lines


def _wire(lines: list[InvoiceLine]) -> dict:
    """The invoice as an entity mapper builds it (customer 1 and items 1, 2 of the seeded company)."""
    return {'CustomerRef': {'value': '1'}, 'TxnDate': '2026-11-30', 'Line': [
        {'LineNum': line.line_num, 'Amount': line.amount, 'DetailType': 'SalesItemLineDetail',
         'SalesItemLineDetail': {'ItemRef': {'value': str(line.line_num)}, 'Qty': line.quantity,
                                 'UnitPrice': line.unit_price}} for line in lines]}


async def _rules(env: ConnectionEnv, rules: FieldRules) -> None:
    service = FieldMappingService(env.db, env.service)
    await service.save(rules, acting=env.users['owner@example.com'])


async def _send(env: ConnectionEnv, invoice: Invoice, lines: list[InvoiceLine], request_id: str) -> dict:
    client = await env.service.api()
    mapping = await RunFieldMapping.load(env.db, client, env.realm_id)
    local = LocalRecord(invoice, lines)
    await mapping.prepare(env.db, 'invoice', [local])
    return await client.create('Invoice', mapping.apply('invoice', local, _wire(lines)), request_id=request_id)


async def test_classes_per_line_from_items_and_location_from_the_customer(env: ConnectionEnv) -> None:
    invoice, lines = await _invoice(env)
    await _rules(env, FieldRules(classes=TrackingRule(ITEM), locations=TrackingRule(CUSTOMER)))
    sent = await _send(env, invoice, lines, 'fm-item-1')  # the seeded company tracks classes per line
    landscaping = _company(env).query("select * from Class where Name = 'Landscaping'")['Class'][0]['Id']
    item_lines = [line for line in sent['Line'] if line['DetailType'] == 'SalesItemLineDetail']
    assert [line['SalesItemLineDetail'].get('ClassRef', {}).get('value') for line in item_lines] == [landscaping, None]
    assert 'ClassRef' not in sent and sent['DepartmentRef']['name'] == 'Main Street'


async def test_one_class_per_transaction_from_a_field_with_a_value_map_creating_the_missing_class(
        env: ConnectionEnv) -> None:
    _tracking(env, ClassTrackingPerTxn=True, ClassTrackingPerTxnLine=False, TrackDepartments=False)
    invoice, lines = await _invoice(env)
    await _rules(env, FieldRules(classes=TrackingRule(FIELD, value_map={'North': 'North Crew'}, create_missing=True),
                                 locations=TrackingRule(CUSTOMER)))
    sent = await _send(env, invoice, lines, 'fm-field-1')
    created = _company(env).query("select * from Class where Name = 'North Crew'")['Class']
    assert len(created) == 1 and sent['ClassRef']['value'] == created[0]['Id']
    assert 'DepartmentRef' not in sent  # locations are off in this company
    assert all('ClassRef' not in line.get('SalesItemLineDetail', {}) for line in sent['Line'])
    await _send(env, invoice, lines, 'fm-field-2')  # a second run finds the class: it is not created twice
    assert len(_company(env).query("select * from Class where Name = 'North Crew'")['Class']) == 1


async def test_missing_targets_fail_with_the_reason_when_not_created(env: ConnectionEnv) -> None:
    invoice, lines = await _invoice(env)
    await _rules(env, FieldRules(locations=TrackingRule(FIELD, value_map={'north': 'Uptown'})))
    with pytest.raises(FieldMappingError, match=r"QuickBooks has no location 'Uptown' \(from the service area"):
        await _send(env, invoice, lines, 'fm-missing-1')
    assert _company(env).query("select * from Department where Name = 'Uptown'") == {}
    company = _company(env)
    gone = company.create('Department', {'Name': 'Uptown'})
    company.update('Department', {'Id': gone['Id'], 'SyncToken': gone['SyncToken'], 'sparse': True, 'Active': False})
    await _rules(env, FieldRules(locations=TrackingRule(FIELD, value_map={'north': 'Uptown'}, create_missing=True)))
    with pytest.raises(FieldMappingError, match="inactive location called 'Uptown'"):
        await _send(env, invoice, lines, 'fm-missing-2')


async def test_tracking_off_sends_no_references_and_custom_fields_fill_from_app_fields(env: ConnectionEnv) -> None:
    _tracking(env, ClassTrackingPerTxn=False, ClassTrackingPerTxnLine=False, TrackDepartments=False)
    invoice, lines = await _invoice(env)
    await _rules(env, FieldRules(classes=TrackingRule(FIXED, 'Landscaping'), locations=TrackingRule(CUSTOMER),
                                 custom_fields=(CustomFieldRule(FIELD, 'job_number'), CustomFieldRule(),
                                                CustomFieldRule())))
    sent = await _send(env, invoice, lines, 'fm-off-1')
    assert 'ClassRef' not in sent and 'DepartmentRef' not in sent
    assert all('ClassRef' not in line.get('SalesItemLineDetail', {}) for line in sent['Line'])
    # the seeded company switches on custom field 1, named 'Crew #'
    assert sent['CustomField'] == [{'DefinitionId': '1', 'Name': 'Crew #', 'Type': 'StringType',
                                    'StringValue': 'J-42'}]


async def test_saving_rules_replans_only_the_entities_they_change(env: ConnectionEnv) -> None:
    owner = env.users['owner@example.com']
    service = FieldMappingService(env.db, env.service)
    async with env.db.session() as session:
        session.add_all([EntityLink(realm_id=env.realm_id, entity_type=kind, local_id=n, qbo_id=str(n),
                                    status=LinkStatus.SYNCED, synced_version=1)
                         for n, kind in enumerate(('invoice', 'payment', 'customer', 'credit_memo'), start=1)])
        session.add(EntityLink(realm_id=env.realm_id, entity_type='invoice', local_id=9, status=LinkStatus.FAILED))
        await session.commit()
    outcome = await service.save(FieldRules(classes=TrackingRule(FIXED, 'Landscaping')), acting=owner)
    assert outcome.replanned == {'invoice': 1, 'expense': 0, 'credit_memo': 1}
    assert outcome.message() == ('Field mapping saved. 1 invoice and 1 credit memo will be sent again under the '
                                 'new mapping.')
    async with env.db.session() as session:
        links = {(row.entity_type, row.local_id): row.status for row in (await session.exec(select(EntityLink))).all()}
        logged = (await session.exec(select(SyncLogEntry).where(SyncLogEntry.action == 'field_mapping'))).all()
    assert links == {('invoice', 1): LinkStatus.PENDING, ('payment', 2): LinkStatus.SYNCED,
                     ('customer', 3): LinkStatus.SYNCED, ('credit_memo', 4): LinkStatus.PENDING,
                     ('invoice', 9): LinkStatus.FAILED}
    assert 'will be sent again' in logged[-1].message
    again = await service.save(FieldRules(classes=TrackingRule(FIXED, 'Landscaping')), acting=owner)
    assert again.replanned == {} and again.message() == 'Field mapping saved.'
    assert (await service.load()).classes.fixed == 'Landscaping'


async def test_save_checks_rules_roles_and_fixed_targets(env: ConnectionEnv) -> None:
    service = FieldMappingService(env.db, env.service)
    viewer = await env.add_user('viewer@example.com', role='viewer')
    with pytest.raises(PermissionDenied):
        await service.save(FieldRules(), acting=viewer)
    setup = await service.company_setup()
    assert setup.prefs.classes_per_line and setup.prefs.locations and setup.prefs.location_label == 'Location'
    assert 'Landscaping' in setup.classes and 'Main Street' in setup.locations
    assert [d.name for d in setup.custom_fields if d.enabled] == ['Crew #']
    with pytest.raises(ValidationError) as caught:
        await service.save(FieldRules(classes=TrackingRule(FIXED, 'Nope'), locations=TrackingRule(FIXED)),
                           acting=env.users['owner@example.com'], setup=setup)
    assert caught.value.field_errors == {'classes.fixed': "QuickBooks has no class 'Nope'.",
                                         'locations.fixed': 'Choose the location every transaction gets.'}
    ok = FieldRules(classes=TrackingRule(FIXED, 'Nope', create_missing=True),
                    locations=TrackingRule(FIXED, 'main street'))
    await service.save(ok, acting=env.users['owner@example.com'], setup=setup)
    assert await service.load() == ok
    assert await service.app_values('service_area') == []
