"""Field mapping rules as pure data and functions: classes, locations and custom fields on the wire object."""
from __future__ import annotations

from decimal import Decimal

import pytest

from qbsync.mapping.custom_fields import CustomFieldDefinition, custom_fields, definitions
from qbsync.mapping.fields import FieldContext, apply_field_mapping
from qbsync.mapping.lines import apply_lines
from qbsync.mapping.rules import (CLASS, CUSTOMER, FIELD, FIXED, ITEM, ITEM_DESCRIPTION, LOCATION, CustomFieldRule,
                                  FieldRules, LineRule, TrackingRule)
from qbsync.mapping.tracking import (FieldMappingError, TrackingFacts, TrackingLists, TrackingPrefs, resolve,
                                     wanted_names)
from qbsync.models import Expense, Invoice, Payment

PER_LINE = TrackingPrefs(classes_per_line=True, locations=True, location_label='Territory')
PER_TXN = TrackingPrefs(classes_per_txn=True, locations=True)
OFF = TrackingPrefs()


def _lists(prefs: TrackingPrefs) -> TrackingLists:
    lists = TrackingLists(prefs)
    for qbo_id, name in (('1', 'Residential'), ('2', 'Commercial'), ('3', 'North Crew')):
        lists.add(CLASS, qbo_id, name)
    lists.add(CLASS, '4', 'Install', 'Commercial:Install')
    lists.add(LOCATION, '10', 'Reno')
    lists.add(LOCATION, '11', 'Sparks')
    return lists


def _invoice(**fields: str) -> dict:
    return {'CustomerRef': {'value': '1'}, 'Line': [
        {'Amount': 10, 'DetailType': 'SalesItemLineDetail', 'SalesItemLineDetail': {'ItemRef': {'value': '5'}}},
        {'Amount': 20, 'DetailType': 'SalesItemLineDetail', 'SalesItemLineDetail': {'ItemRef': {'value': '6'}}}],
        **fields}


FACTS = TrackingFacts(fields={'service_area': 'north'}, customer_class='Residential', customer_location='Sparks',
                      line_item_classes=('Commercial', ''))


def test_rules_round_trip_as_json_and_tolerate_unknown_keys() -> None:
    rules = FieldRules(classes=TrackingRule(FIELD, value_map={'north': 'North Crew'}, create_missing=True),
                       custom_fields=(CustomFieldRule(FIELD, 'job_number'), CustomFieldRule(),
                                      CustomFieldRule(FIXED, text='Thanks')))
    assert FieldRules.from_json(rules.to_json()) == rules
    assert FieldRules.from_json('{"classes": {"source": "fixed", "fixed": "A"}, "later": 1}').classes.fixed == 'A'
    assert FieldRules.from_json(None) == FieldRules()


def test_problems_name_the_field_to_fix() -> None:
    bad = FieldRules(classes=TrackingRule(FIXED), locations=TrackingRule(ITEM),
                     custom_fields=(CustomFieldRule(FIXED, text='x' * 32), CustomFieldRule(FIELD, 'nope'),
                                    CustomFieldRule('weird')))
    assert set(bad.problems()) == {'classes.fixed', 'locations.source', 'custom_fields.1', 'custom_fields.2',
                                   'custom_fields.3'}
    assert FieldRules(classes=TrackingRule(FIELD, value_map={'north': ''})).problems() == \
        {'classes.value_map': 'Every row of the value map needs an app value and a target.'}
    assert FieldRules().problems() == {}


def test_fingerprint_changes_only_for_the_entities_a_rule_shapes() -> None:
    base = FieldRules()
    located = base.with_tracking(LOCATION, TrackingRule(FIXED, 'Reno'))
    changed = {e for e in ('customer', 'item', 'invoice', 'payment', 'expense', 'credit_memo')
               if base.fingerprint(e) != located.fingerprint(e)}
    assert changed == {'invoice', 'payment', 'expense', 'credit_memo'}
    classed = base.with_tracking(CLASS, TrackingRule(FIXED, 'Residential'))
    assert {e for e in ('invoice', 'payment', 'expense') if base.fingerprint(e) != classed.fingerprint(e)} == \
        {'invoice', 'expense'}  # a Payment carries no class


@pytest.mark.parametrize('source, expected', [
    (FIXED, '1'), (CUSTOMER, '1'), (FIELD, '3'),
])
def test_one_class_per_transaction(source: str, expected: str) -> None:
    rules = FieldRules(classes=TrackingRule(source, fixed='residential', value_map={'NORTH': 'North Crew'}))
    obj = _invoice()
    ctx = FieldContext(rules=rules, lists=_lists(PER_TXN), facts={('invoice', 7): FACTS})
    apply_field_mapping('invoice', Invoice(id=7), obj, ctx)
    assert obj['ClassRef'] == {'value': expected}
    assert all('ClassRef' not in line['SalesItemLineDetail'] for line in obj['Line'])


def test_classes_from_items_go_per_line_or_take_the_first_items_class() -> None:
    rules = FieldRules(classes=TrackingRule(ITEM))
    per_line = resolve('invoice', FACTS, rules, _lists(PER_LINE))
    assert per_line.line_class_ids == ('2', None) and per_line.class_id is None
    obj = _invoice()
    apply_field_mapping('invoice', Invoice(id=7), obj, FieldContext(rules, _lists(PER_LINE),
                                                                     facts={('invoice', 7): FACTS}))
    assert [line['SalesItemLineDetail'].get('ClassRef') for line in obj['Line']] == [{'value': '2'}, None]
    per_txn = resolve('invoice', TrackingFacts(line_item_classes=('', 'commercial:install')), rules, _lists(PER_TXN))
    assert per_txn.class_id == '4' and per_txn.line_class_ids == ()


def test_a_fixed_class_goes_on_every_line_when_classes_are_per_line_and_expenses_always_per_line() -> None:
    rules = FieldRules(classes=TrackingRule(FIXED, 'Commercial'))
    obj = _invoice()
    apply_field_mapping('invoice', Invoice(id=1), obj, FieldContext(rules, _lists(PER_LINE)))
    assert 'ClassRef' not in obj
    assert [line['SalesItemLineDetail']['ClassRef'] for line in obj['Line']] == [{'value': '2'}] * 2
    purchase = {'Line': [{'Amount': 5, 'DetailType': 'AccountBasedExpenseLineDetail',
                          'AccountBasedExpenseLineDetail': {'AccountRef': {'value': '7'}}}]}
    apply_field_mapping('expense', Expense(id=1), purchase, FieldContext(rules, _lists(PER_TXN)))
    assert 'ClassRef' not in purchase  # a Purchase has no transaction class
    assert purchase['Line'][0]['AccountBasedExpenseLineDetail']['ClassRef'] == {'value': '2'}


def test_locations_from_customer_or_field_and_payments_get_no_class() -> None:
    rules = FieldRules(classes=TrackingRule(FIXED, 'Commercial'), locations=TrackingRule(FIELD,
                                                                                       value_map={'north': 'Reno'}))
    obj: dict = {'CustomerRef': {'value': '1'}, 'TotalAmt': 5}
    facts = TrackingFacts(fields={'service_area': 'North'})
    apply_field_mapping('payment', Payment(id=3), obj, FieldContext(rules, _lists(PER_TXN),
                                                                    facts={('payment', 3): facts}))
    assert obj == {'CustomerRef': {'value': '1'}, 'TotalAmt': 5, 'DepartmentRef': {'value': '10'}}
    by_customer = resolve('invoice', FACTS, FieldRules(locations=TrackingRule(CUSTOMER)), _lists(PER_TXN))
    assert by_customer.location_id == '11'


def test_tracking_switched_off_in_quickbooks_sends_nothing() -> None:
    rules = FieldRules(classes=TrackingRule(FIXED, 'Nowhere'), locations=TrackingRule(FIXED, 'Nowhere'))
    obj = _invoice()
    apply_field_mapping('invoice', Invoice(id=1), obj, FieldContext(rules, _lists(OFF)))
    assert obj == _invoice()
    assert wanted_names('invoice', FACTS, rules, OFF) == set()


def test_a_missing_target_fails_with_the_reason_and_the_way_out() -> None:
    rules = FieldRules(locations=TrackingRule(FIELD, value_map={'north': 'Carson'}))
    with pytest.raises(FieldMappingError) as caught:
        resolve('invoice', FACTS, rules, _lists(PER_LINE))
    assert str(caught.value) == "QuickBooks has no territory 'Carson' (from the service area: 'north')."
    assert caught.value.suggestion == ("Add 'Carson' in QuickBooks, map the value to an existing territory on the "
                                       'Field Mapping tab, or let that tab create missing ones in QuickBooks.')
    assert wanted_names('invoice', FACTS, rules, PER_LINE) == {(LOCATION, 'Carson')}
    lists = _lists(PER_LINE)
    lists.refuse(LOCATION, 'carson', "QuickBooks has an inactive location called 'Carson' and cannot create another.")
    with pytest.raises(FieldMappingError, match='inactive location'):
        resolve('invoice', FACTS, rules, lists)


def test_blank_app_values_send_no_reference() -> None:
    rules = FieldRules(classes=TrackingRule(FIELD), locations=TrackingRule(CUSTOMER))
    refs = resolve('invoice', TrackingFacts(), rules, _lists(PER_TXN))
    assert (refs.class_id, refs.location_id, refs.every_line_class) == (None, None, None)


PREFS = {'SalesFormsPrefs': {'CustomField': [
    {'CustomField': [{'Name': f'SalesFormsPrefs.UseSalesCustom{n}', 'Type': 'BooleanType', 'BooleanValue': n != 2}
                     for n in (1, 2, 3)]},
    {'CustomField': [{'Name': 'SalesFormsPrefs.SalesCustomName1', 'Type': 'StringType', 'StringValue': 'Crew #'},
                     {'Name': 'SalesFormsPrefs.SalesCustomName3', 'Type': 'StringType', 'StringValue': 'PO'}]}]}}


def test_custom_field_definitions_come_from_preferences() -> None:
    assert definitions(PREFS) == [CustomFieldDefinition(1, 'Crew #', True),
                                  CustomFieldDefinition(2, 'Custom field 2', False),
                                  CustomFieldDefinition(3, 'PO', True)]
    assert [d.enabled for d in definitions({})] == [False, False, False]


def test_custom_fields_from_app_fields_or_fixed_text_only_where_switched_on() -> None:
    rules = FieldRules(custom_fields=(CustomFieldRule(FIELD, 'technician'), CustomFieldRule(FIXED, text='ignored'),
                                      CustomFieldRule(FIELD, 'po_number')))
    invoice = Invoice(id=1, technician='Dana', po_number='PO-77')
    assert custom_fields('invoice', invoice, rules, definitions(PREFS)) == [
        {'DefinitionId': '1', 'Name': 'Crew #', 'Type': 'StringType', 'StringValue': 'Dana'},
        {'DefinitionId': '3', 'Name': 'PO', 'Type': 'StringType', 'StringValue': 'PO-77'}]
    assert custom_fields('payment', Payment(id=1), rules, definitions(PREFS)) == []
    assert custom_fields('invoice', Invoice(id=2), rules, definitions(PREFS)) == []  # blank values send nothing
    with pytest.raises(FieldMappingError, match="at most 31 in its custom field 'Crew #'"):
        custom_fields('invoice', Invoice(id=3, technician='A' * 40), rules, definitions(PREFS))


def _sales_line(n: int, item: str, qty: str, rate: str, description: str = '', day: str = '') -> dict:
    detail: dict = {'ItemRef': {'value': item}, 'Qty': Decimal(qty), 'UnitPrice': Decimal(rate),
                    'TaxCodeRef': {'value': 'NON'}}
    if day:
        detail['ServiceDate'] = day
    line = {'LineNum': n, 'Amount': Decimal(qty) * Decimal(rate), 'DetailType': 'SalesItemLineDetail',
            'SalesItemLineDetail': detail}
    if description:
        line['Description'] = description
    return line


LINES = [_sales_line(1, '5', '2', '10', 'Mow front', '2026-11-02'), _sales_line(2, '6', '1', '99', 'Design'),
         _sales_line(3, '5', '3', '10', 'Mow back', '2026-11-03'), _sales_line(4, '5', '1', '12', 'Mow (rush)')]


def test_lines_grouped_per_item_and_rate_with_quantities_and_amounts_summed() -> None:
    obj = {'Line': [dict(line) for line in LINES]}
    apply_lines(obj, LineRule(group_by_item=True))
    assert [(line['LineNum'], line['SalesItemLineDetail']['ItemRef']['value'], line['SalesItemLineDetail']['Qty'],
             line['Amount'], line.get('Description')) for line in obj['Line']] == [
        (1, '5', Decimal('5'), Decimal('50'), 'Mow front; Mow back'), (2, '6', Decimal('1'), Decimal('99'), 'Design'),
        (3, '5', Decimal('1'), Decimal('12'), 'Mow (rush)')]  # another rate keeps its own line
    assert 'ServiceDate' not in obj['Line'][0]['SalesItemLineDetail']  # the merged lines had different dates
    assert LINES[0]['SalesItemLineDetail']['Qty'] == Decimal('2')  # the mapper's lines are not changed


def test_item_descriptions_no_service_dates_and_sorted_by_item() -> None:
    obj = {'Line': [dict(line) for line in LINES[:3]]}
    apply_lines(obj, LineRule(description=ITEM_DESCRIPTION, service_dates=False, keep_order=False),
                item_descriptions=('Lawn mowing', '', 'Lawn mowing'), item_names=('Mowing', 'Design', 'Mowing'))
    assert [(line['LineNum'], line.get('Description')) for line in obj['Line']] == [
        (1, None), (2, 'Lawn mowing'), (3, 'Lawn mowing')]  # Design first; its item has no description
    assert all('ServiceDate' not in line['SalesItemLineDetail'] for line in obj['Line'])
    untouched = {'Line': [dict(line) for line in LINES]}
    apply_lines(untouched, LineRule())
    assert untouched == {'Line': LINES}


def test_line_rules_are_part_of_the_rules_and_their_fingerprint() -> None:
    rules = FieldRules(lines={'invoice': LineRule(group_by_item=True)})
    assert FieldRules.from_json(rules.to_json()) == rules
    assert rules.fingerprint('invoice') != FieldRules().fingerprint('invoice')
    assert rules.fingerprint('credit_memo') == FieldRules().fingerprint('credit_memo')
    assert set(FieldRules(lines={'payment': LineRule(), 'invoice': LineRule(description='x')}).problems()) == \
        {'lines.payment', 'lines.invoice.description'}
