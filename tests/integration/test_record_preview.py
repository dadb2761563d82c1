""""Show QuickBooks version": the body a run would send, under the current mapping, read-only; it is exactly what
the run then sends, and its plain-words rows name what each reference stands for."""
from __future__ import annotations

import pytest
import simplejson
from sqlmodel import select

from connection_env import connection_env  # noqa: F401 (fixture)
from engine_env import engine_env, sandbox_limiter  # noqa: F401 (fixture)
from qbsync.mapping.rules import FIELD, ITEM, CustomFieldRule, FieldRules, TrackingRule
from qbsync.models import Customer, Invoice, Item, OutboxItem, RunStatus
from qbsync.services.errors import NotFound
from qbsync.services.field_mapping import FieldMappingService
from qbsync.services.record_preview import RecordPreviewService
from qbsync.sync.outbound import OutboundPass


def _service(engine_env) -> RecordPreviewService:  # noqa: F811
    env = engine_env.env  # QuickBooks reads under the sandbox's clock, as the runner's
    return RecordPreviewService(env.db, env.service, outbound=OutboundPass(limiter=sandbox_limiter(env.clock)))


async def test_the_preview_is_what_the_run_then_sends(engine_env) -> None:  # noqa: F811
    books = await engine_env.books()
    await engine_env.edit(Item, books['consult'].id, class_name='Consulting')
    await engine_env.edit(Invoice, books['invoice'].id, service_area='North', job_number='J-42', doc_number='FM-1')
    env = engine_env.env
    await FieldMappingService(env.db, env.service).save(FieldRules(
        classes=TrackingRule(ITEM, create_missing=True), locations=TrackingRule(FIELD, create_missing=True),
        custom_fields=(CustomFieldRule(FIELD, 'job_number'), CustomFieldRule(), CustomFieldRule())),
        acting=env.users['owner@example.com'])
    first = await engine_env.runner.run(trigger='manual', entities=['customer', 'item'])  # what it needs, first
    assert first.status == RunStatus.SUCCEEDED
    classes_before = len(engine_env.remote('Class'))
    view = await _service(engine_env).preview('invoice', books['invoice'].id)
    assert view.preview.action == 'create' and view.headline == 'This invoice would be created in QuickBooks.'
    assert len(engine_env.remote('Class')) == classes_before  # read-only
    assert engine_env.remote_by('Invoice', 'DocNumber', 'FM-1') == []
    rows = {row.label: row for row in view.rows}
    assert rows['Customer'].quickbooks == "Customer 'Acme Plumbing'" and rows['Number'].app == 'FM-1'
    assert rows['Line 1 · Product or service'].quickbooks == "Item 'Consulting Hour'"
    assert rows['Line 1 · Class'].quickbooks == 'new: created in QuickBooks first'  # a run creates it first
    assert rows['Location'].quickbooks == 'new: created in QuickBooks first'
    assert rows["Custom field 'Crew #'"].quickbooks == 'J-42'
    assert rows['Line 2 · Quantity'].quickbooks == '4' and rows['Line 2 · Quantity'].app == '4'
    previewed = view.preview.payload

    assert (await engine_env.runner.run(trigger='manual')).status == RunStatus.SUCCEEDED
    async with engine_env.db.session() as session:
        sent = (await session.exec(select(OutboxItem).where(OutboxItem.entity_type == 'invoice'))).one()
    body = simplejson.loads(sent.payload, use_decimal=True)['Invoice']
    created = {c['Name']: c['Id'] for c in engine_env.remote('Class')}
    new_location = engine_env.remote_by('Department', 'Name', 'North')[0]['Id']
    expected = simplejson.loads(simplejson.dumps(previewed, use_decimal=True), use_decimal=True)
    expected['DepartmentRef']['value'] = new_location
    expected['Line'][0]['SalesItemLineDetail']['ClassRef']['value'] = created['Consulting']
    assert body == expected  # the stand-ins aside, exactly what was previewed

    again = await _service(engine_env).preview('invoice', books['invoice'].id)  # synced: the update it would send
    assert again.preview.action == 'update' and again.preview.body['Invoice']['sparse'] is True
    assert {row.label: row for row in again.rows}['Location'].quickbooks == 'North'


async def test_a_record_that_cannot_be_mapped_says_why(engine_env) -> None:  # noqa: F811
    books = await engine_env.books()
    await engine_env.edit(Customer, books['acme'].id, terms='Net 45')  # QuickBooks has no such terms
    await engine_env.settings(sync_invoices=False, sync_payments=False, sync_expenses=False,
                              sync_credit_memos=False)
    await engine_env.runner.run(trigger='manual')
    view = await _service(engine_env).preview('customer', books['acme'].id)
    assert view.preview.error == "QuickBooks has no terms called 'Net 45'." and view.rows == []
    assert 'Terms' in view.preview.suggestion
    skipped = await _service(engine_env).preview('invoice', books['invoice'].id)
    assert skipped.headline == 'This invoice would not be sent now: Invoices are switched off in Sync Settings.'
    assert skipped.preview.action == 'create' and skipped.preview.payload['DocNumber'] == '1070'
    with pytest.raises(NotFound):
        await _service(engine_env).preview('invoice', 4040)
