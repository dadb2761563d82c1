"""Tax codes by rate, per-line tax keys, the app's own totals and the check of QuickBooks' answer, discount lines
out and back (pure: no database, no sandbox)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qbsync.mapping import LocalRecord, Refs, from_qbo, to_qbo
from qbsync.mapping.fields import FieldContext, apply_field_mapping
from qbsync.mapping.rules import NOT_TAXABLE_KEY, TAXABLE_KEY, FieldRules, TaxRule
from qbsync.mapping.tax import TaxSetup, check_totals, chosen_code, default_code, expected_totals, \
    line_key, line_rates
from qbsync.mapping.tracking import FieldMappingError, TrackingFacts
from qbsync.models import CreditMemo, CreditMemoLine, Invoice, InvoiceLine

# as a UK company's /query answers: sales and purchase rates per code; a purchase-only reverse-charge code
CODES = [{'Id': '2', 'Name': '20.0% S', 'Active': True, 'SalesTaxRateList': {'TaxRateDetail': [
             {'TaxRateRef': {'value': '1'}}]},
          'PurchaseTaxRateList': {'TaxRateDetail': [{'TaxRateRef': {'value': '2'}}]}},
         {'Id': '3', 'Name': '5.0% R', 'Active': True, 'SalesTaxRateList': {'TaxRateDetail': [
             {'TaxRateRef': {'value': '3'}}]}},
         {'Id': '4', 'Name': '0.0% Z', 'Active': True, 'SalesTaxRateList': {'TaxRateDetail': [
             {'TaxRateRef': {'value': '5'}}]}},
         {'Id': '5', 'Name': 'Exempt', 'Active': True, 'SalesTaxRateList': {'TaxRateDetail': []}},
         {'Id': '6', 'Name': 'No VAT', 'Active': False},
         {'Id': '7', 'Name': '20.0% RC', 'Active': True, 'PurchaseTaxRateList': {'TaxRateDetail': [
             {'TaxRateRef': {'value': '2'}}]}}]
RATES = [{'Id': '1', 'RateValue': 20}, {'Id': '2', 'RateValue': 20}, {'Id': '3', 'RateValue': '5'},
         {'Id': '5', 'RateValue': 0}]
UK = TaxSetup.from_wire(CODES, RATES)


def test_codes_read_from_the_wire_keep_sales_codes_with_their_rates() -> None:
    assert [(c.id, c.rate) for c in UK.codes] == [('2', Decimal('20')), ('3', Decimal('5')), ('4', Decimal('0')),
                                                  ('5', None)]  # inactive and purchase-only codes left out
    assert UK.global_tax and UK.code('3').label == '5.0% R (5 %)' and UK.code('5').label == 'Exempt (no tax)'
    assert not TaxSetup.from_wire([{'Id': 'TAX'}, {'Id': 'NON'}], []).global_tax  # a US company


@pytest.mark.parametrize(('key', 'code'), [('20', '2'), ('5', '3'), ('0', '4'), (TAXABLE_KEY, '2'),
                                           (NOT_TAXABLE_KEY, '5'), ('17.5', None)])
def test_the_default_code_is_picked_by_rate(key: str, code: str | None) -> None:
    found = default_code(key, UK.codes)
    assert (found.id if found else None) == code


def test_a_chosen_code_wins_and_a_missing_one_says_what_to_do() -> None:
    assert chosen_code('20', TaxRule({'20': '3'}), UK).id == '3'
    with pytest.raises(FieldMappingError, match=r'QuickBooks has no tax code for the 17.5 % rate\.') as caught:
        chosen_code('17.5', TaxRule(), UK)
    assert 'Field Mapping tab' in caught.value.suggestion
    with pytest.raises(FieldMappingError, match='no longer active'):
        chosen_code('20', TaxRule({'20': '6'}), UK)


def test_line_keys_come_from_the_rate_else_the_item() -> None:
    assert line_key(Decimal('20.00'), False) == '20' and line_key(Decimal('17.50'), True) == '17.5'
    assert line_key(None, True) == TAXABLE_KEY and line_key(None, False) == NOT_TAXABLE_KEY


def _lines(*pairs: tuple[str, str | None]) -> list[InvoiceLine]:
    return [InvoiceLine(line_num=n, item_id=1, quantity=Decimal('1'), unit_price=Decimal(amount),
                        amount=Decimal(amount), tax_rate=Decimal(rate) if rate is not None else None)
            for n, (amount, rate) in enumerate(pairs, start=1)]


def test_the_app_figures_tax_per_line_after_the_discount_and_checks_within_a_cent_per_line() -> None:
    lines = _lines(('100.00', '20'), ('33.33', None), ('10.00', '5'))
    invoice = Invoice(doc_number='1', customer_id=1, txn_date=date(2026, 3, 5), discount_percent=Decimal('10'))
    rates = line_rates(lines, ('20', TAXABLE_KEY, '5'), TaxRule(), UK)
    assert rates == [Decimal('20'), Decimal('20'), Decimal('5')]
    expected = expected_totals(invoice, lines, rates)
    assert expected.net == Decimal('129.00')  # 143.33 - 14.33
    assert expected.tax == Decimal('18.00') + Decimal('6.00') + Decimal('0.45')
    assert check_totals(expected, {'TotalAmt': '153.48', 'TxnTaxDetail': {'TotalTax': '24.48'}}) is None  # 3 lines
    off = check_totals(expected, {'TotalAmt': '153.52', 'TxnTaxDetail': {'TotalTax': '24.52'}})
    assert off is not None and off.message == (
        "QuickBooks' totals differ from the app's by more than a cent per line: QuickBooks has 24.52 of tax where "
        'the app has 24.45 (total 153.52).')
    net_off = check_totals(expected, {'TotalAmt': '160.00', 'TxnTaxDetail': {'TotalTax': '24.45'}})
    assert net_off is not None and '135.55 before tax where the app has 129.00' in net_off.message


def test_a_us_company_checks_the_amount_before_tax_only() -> None:
    lines = _lines(('100.00', '8.25'))
    invoice = Invoice(doc_number='1', customer_id=1, txn_date=date(2026, 3, 5), discount_amount=Decimal('15'))
    expected = expected_totals(invoice, lines, line_rates(lines, ('8.25',), TaxRule(), TaxSetup()))
    assert expected.tax is None and expected.net == Decimal('85')
    assert check_totals(expected, {'TotalAmt': '92.01', 'TxnTaxDetail': {'TotalTax': '7.01'}}) is None


def _refs() -> Refs:
    return Refs(links={('customer', 1): '58', ('item', 3): '21'}, taxable_items={3})


def test_lines_go_tax_or_non_by_their_rate_else_the_item_and_a_discount_goes_as_its_line() -> None:
    lines = [CreditMemoLine(line_num=1, item_id=3, quantity=Decimal('1'), unit_price=Decimal('80'),
                            amount=Decimal('80'), tax_rate=Decimal('0')),
             CreditMemoLine(line_num=2, item_id=3, quantity=Decimal('2'), unit_price=Decimal('10'),
                            amount=Decimal('20'))]
    memo = LocalRecord(CreditMemo(id=6, doc_number='CM-1', customer_id=1, txn_date=date(2026, 3, 6),
                                  discount_percent=Decimal('12.5')), lines)
    wire = to_qbo('credit_memo', memo, _refs())
    assert [line['SalesItemLineDetail']['TaxCodeRef']['value'] for line in wire['Line'][:2]] == ['NON', 'TAX']
    assert wire['Line'][2] == {'Amount': Decimal('12.50'), 'DetailType': 'DiscountLineDetail',
                               'DiscountLineDetail': {'PercentBased': True, 'DiscountPercent': Decimal('12.5')}}
    back = from_qbo('credit_memo', wire, _refs()).record
    assert (back.discount_percent, back.discount_amount) == (Decimal('12.5'), Decimal('0'))
    memo.record.discount_percent, memo.record.discount_amount = Decimal('0'), Decimal('7.25')
    wire = to_qbo('credit_memo', memo, _refs())
    assert wire['Line'][2]['DiscountLineDetail'] == {'PercentBased': False} and wire['Line'][2]['Amount'] == \
        Decimal('7.25')
    assert from_qbo('credit_memo', wire, _refs()).record.discount_amount == Decimal('7.25')


def test_outside_the_us_each_line_gets_its_code_and_the_form_tax_excluded() -> None:
    invoice = Invoice(id=5, doc_number='1', customer_id=1, txn_date=date(2026, 3, 5))
    obj = {'Line': [{'DetailType': 'SalesItemLineDetail', 'Amount': 10, 'SalesItemLineDetail': {'TaxCodeRef': {
        'value': 'TAX'}}}, {'DetailType': 'SalesItemLineDetail', 'Amount': 5, 'SalesItemLineDetail': {}}]}
    ctx = FieldContext(rules=FieldRules(tax=TaxRule({NOT_TAXABLE_KEY: '4'})), tax=UK,
                       facts={('invoice', 5): TrackingFacts(line_tax_keys=('5', NOT_TAXABLE_KEY))})
    apply_field_mapping('invoice', invoice, obj, ctx)
    assert obj['GlobalTaxCalculation'] == 'TaxExcluded'
    assert [line['SalesItemLineDetail']['TaxCodeRef'] for line in obj['Line']] == [{'value': '3'}, {'value': '4'}]
    us = {'Line': [{'DetailType': 'SalesItemLineDetail', 'Amount': 10, 'SalesItemLineDetail': {'TaxCodeRef': {
        'value': 'TAX'}}}]}
    apply_field_mapping('invoice', invoice, us, FieldContext())
    assert 'GlobalTaxCalculation' not in us and us['Line'][0]['SalesItemLineDetail']['TaxCodeRef'] == {'value': 'TAX'}


def test_tax_rules_are_checked_and_change_the_sales_fingerprint_only() -> None:
    assert FieldRules(tax=TaxRule({'20': '2', 'taxable': '3'})).problems() == {}
    assert FieldRules(tax=TaxRule({'abc': '2', '120': '2', '5': ' '})).problems() == {
        'tax.abc': "'abc' is neither a tax rate nor taxable / not taxable.",
        'tax.120': "'120' is not a rate between 0 and 100 %.", 'tax.5': 'Choose a QuickBooks tax code.'}
    before, after = FieldRules(), FieldRules(tax=TaxRule({'20': '3'}))
    assert before.fingerprint('invoice') != after.fingerprint('invoice')
    assert before.fingerprint('payment') == after.fingerprint('payment')
    assert FieldRules.from_json(after.to_json()) == after
