"""Tax on invoice and credit memo lines, and the check of QuickBooks' totals against the app's own.

US companies (automated sales tax) carry the pseudo codes TAX and NON: each item line goes with one of them
(``sales.item_lines``) and QuickBooks computes the tax. Companies with tax codes (UK VAT, Canadian GST/HST,
Australian GST) have no TAX/NON: every line needs a real TaxCode and the form ``GlobalTaxCalculation``. A line's
app tax key is its own rate ('20'), else its item's taxable flag; it goes as the code the Field Mapping tab chose for
that key, else as the default picked by rate (``default_code``).

After QuickBooks answers, ``check_totals`` compares its TotalAmt and TxnTaxDetail.TotalTax with the app's own figures
(``expected_totals``: each line's amount after the document's discount, and its tax at the app's rate, rounded per
line); a difference of more than a cent per line is a failure of that record, with both figures in plain words.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..money import CENT, cents, document_discount
from .rules import NOT_TAXABLE_KEY, TAXABLE_KEY, TaxRule
from .tracking import FieldMappingError
from .values import ref_id

__all__ = ['TaxCode', 'TaxSetup', 'ExpectedTotals', 'TotalsMismatch', 'rate_key', 'line_key', 'key_label',
           'default_code', 'chosen_code', 'apply_tax', 'line_rates', 'expected_totals', 'check_totals',
           'discount_total', 'cents', 'TAX_EXCLUDED']

ZERO = Decimal('0')
US_TAXABLE = 'TAX'  # only US companies have this code
TAX_EXCLUDED = 'TaxExcluded'  # the app's amounts are before tax: QuickBooks adds it on top
DETAIL = 'SalesItemLineDetail'
FIX_TAX = "Check the QuickBooks tax codes chosen for the app's tax rates on the Field Mapping tab, then sync again."


@dataclass(frozen=True)
class TaxCode:
    id: str
    name: str
    rate: Decimal | None  # the sum of its sales rates in percent; None: no rate at all (exempt, outside the scope)

    @property
    def label(self) -> str:
        return f'{self.name} ({rate_key(self.rate)} %)' if self.rate is not None else f'{self.name} (no tax)'


@dataclass
class TaxSetup:
    """The company's sales tax codes, read once per run; empty for a US company (TAX/NON, QuickBooks computes)."""
    codes: list[TaxCode] = field(default_factory=list)

    @property
    def global_tax(self) -> bool:
        return bool(self.codes)

    def code(self, code_id: str) -> TaxCode | None:
        return next((code for code in self.codes if code.id == code_id), None)

    @classmethod
    def from_wire(cls, codes: list[dict[str, Any]], rates: list[dict[str, Any]]) -> TaxSetup:
        """From ``SELECT * FROM TaxCode`` and ``SELECT * FROM TaxRate``; active codes usable on sales forms only."""
        if any(str(code.get('Id')) == US_TAXABLE for code in codes):
            return cls()
        rate_of = {str(rate.get('Id')): Decimal(str(rate.get('RateValue') or 0)) for rate in rates}
        found = []
        for code in codes:
            if code.get('Active') is False or code.get('Hidden') is True:
                continue
            sales = (code.get('SalesTaxRateList') or {}).get('TaxRateDetail') or []
            purchase = (code.get('PurchaseTaxRateList') or {}).get('TaxRateDetail') or []
            if purchase and not sales:
                continue  # a purchase-only code (reverse charge, imports) is never offered on sales forms
            values = [rate_of[rate_id] for rate_id in (ref_id(detail.get('TaxRateRef')) for detail in sales)
                      if rate_id in rate_of]
            found.append(TaxCode(str(code['Id']), str(code.get('Name') or ''), sum(values, ZERO) if values else None))
        return cls(sorted(found, key=lambda code: (len(code.id), code.id)))


def rate_key(rate: Decimal) -> str:
    """'20' for 20.00, '17.5' for 17.50: the app key of a rate."""
    return format(Decimal(rate).normalize(), 'f')


def line_key(tax_rate: Decimal | None, item_taxable: bool) -> str:
    if tax_rate is not None:
        return rate_key(tax_rate)
    return TAXABLE_KEY if item_taxable else NOT_TAXABLE_KEY


def key_label(key: str) -> str:
    """An app tax key in words: 'the 20 % rate', 'taxable lines without a rate'."""
    return {TAXABLE_KEY: 'taxable lines without a rate of their own',
            NOT_TAXABLE_KEY: 'lines that are not taxable'}.get(key, f'the {key} % rate')


def default_code(key: str, codes: Sequence[TaxCode]) -> TaxCode | None:
    """The code a key goes as when the mapping chose none: the code of that rate; for taxable lines the highest
    (standard) rate; for lines that are not taxable a code without rates (exempt), else a 0 % one."""
    if key == NOT_TAXABLE_KEY:
        return next((c for c in codes if c.rate is None), None) or next((c for c in codes if c.rate == 0), None)
    if key == TAXABLE_KEY:
        rated = [c for c in codes if c.rate]
        return max(rated, key=lambda c: c.rate or ZERO) if rated else None
    rate = Decimal(key)
    same = next((c for c in codes if c.rate is not None and c.rate == rate), None)
    return same or (next((c for c in codes if c.rate is None), None) if rate == 0 else None)


def chosen_code(key: str, rule: TaxRule, setup: TaxSetup) -> TaxCode:
    chosen = rule.codes.get(key)
    if chosen:
        code = setup.code(chosen)
        if code is None:
            raise FieldMappingError(f'The QuickBooks tax code chosen for {key_label(key)} is no longer active.',
                                    'Choose another one on the Field Mapping tab (Tax).')
        return code
    code = default_code(key, setup.codes)
    if code is None:
        raise FieldMappingError(f'QuickBooks has no tax code for {key_label(key)}.',
                                'Choose one on the Field Mapping tab (Tax), or add a tax code with that rate in '
                                'QuickBooks.')
    return code


def apply_tax(obj: dict[str, Any], keys: Sequence[str], rule: TaxRule, setup: TaxSetup) -> None:
    """Companies with tax codes: each item line (app order) gets its key's code; the form adds tax on top."""
    if not setup.global_tax:
        return
    obj['GlobalTaxCalculation'] = TAX_EXCLUDED
    lines = [line for line in obj.get('Line') or [] if line.get('DetailType') == DETAIL]
    for index, line in enumerate(lines):
        key = keys[index] if index < len(keys) else NOT_TAXABLE_KEY
        line.setdefault(DETAIL, {})['TaxCodeRef'] = {'value': chosen_code(key, rule, setup).id}


def line_rates(lines: Sequence[Any], keys: Sequence[str], rule: TaxRule, setup: TaxSetup) -> list[Decimal] | None:
    """Each line's rate as the app figures its tax: its own rate, else its code's; None for a US company."""
    if not setup.global_tax:
        return None
    rates = []
    for index, line in enumerate(lines):
        own = getattr(line, 'tax_rate', None)
        if own is not None:
            rates.append(Decimal(own))
        else:
            key = keys[index] if index < len(keys) else NOT_TAXABLE_KEY
            rates.append(chosen_code(key, rule, setup).rate or ZERO)
    return rates


def discount_total(record: Any, subtotal: Decimal) -> Decimal:
    """The document's discount in money: a percent of the lines' total, or the amount given."""
    return document_discount(subtotal, percent=Decimal(getattr(record, 'discount_percent', None) or 0),
                             amount=Decimal(getattr(record, 'discount_amount', None) or 0))


@dataclass(frozen=True)
class ExpectedTotals:
    """The app's own figures for a sales form."""
    net: Decimal  # the lines after the discount, before tax
    tax: Decimal | None  # tax at the app's rates, rounded per line; None: QuickBooks figures it (US), not checked
    lines: int


def expected_totals(record: Any, lines: Sequence[Any], rates: Sequence[Decimal] | None) -> ExpectedTotals:
    """``lines`` in app order; ``rates`` per line (``line_rates``). Outside the US a discount comes off before
    tax, spread over the lines in proportion to their amounts."""
    subtotal = sum((Decimal(line.amount) for line in lines), ZERO)
    discount = discount_total(record, subtotal)
    tax = None
    if rates is not None:
        share = (subtotal - discount) / subtotal if subtotal else Decimal(1)
        tax = sum((cents(Decimal(line.amount) * share * rate / 100)
                   for line, rate in zip(lines, rates, strict=True)), ZERO)
    return ExpectedTotals(subtotal - discount, tax, len(lines))


@dataclass(frozen=True)
class TotalsMismatch:
    message: str
    suggestion: str = FIX_TAX


def check_totals(expected: ExpectedTotals, answer: dict[str, Any]) -> TotalsMismatch | None:
    """None when QuickBooks' TotalAmt and TotalTax agree with the app's within a cent per line."""
    total = Decimal(str(answer.get('TotalAmt') or 0))
    tax = Decimal(str((answer.get('TxnTaxDetail') or {}).get('TotalTax') or 0))
    tolerance = CENT * max(expected.lines, 1)
    differences = []
    if abs((total - tax) - expected.net) > tolerance:
        differences.append(f'{total - tax:.2f} before tax where the app has {expected.net:.2f}')
    if expected.tax is not None and abs(tax - expected.tax) > tolerance:
        differences.append(f'{tax:.2f} of tax where the app has {expected.tax:.2f}')
    if not differences:
        return None
    return TotalsMismatch(f"QuickBooks' totals differ from the app's by more than a cent per line: QuickBooks has "
                          f"{' and '.join(differences)} (total {total:.2f}).")
