"""Tax on transaction lines, as companies outside the US figure it (global tax, no automated sales tax).

Each line carries its own ``TaxCodeRef``; the code's ``SalesTaxRateList`` (sales forms) or ``PurchaseTaxRateList``
(bills, expenses) gives the rates. ``TaxExcluded``: tax is added on top of the line amounts. ``TaxInclusive``: the
line amounts include the tax, which is taken out of them (``amount x rate / (100 + rate)``) and TotalAmt is the sum
of the lines (the sandbox reads a client's ``Amount`` as the gross amount then; Intuit's exact handling of
``TaxInclusiveAmt`` is UNCONFIRMED). ``NotApplicable``: no tax. ``TxnTaxDetail.TaxLine`` holds one line per rate
with the net amount taxed, which is what the VAT/GST return is made from.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .ledger import account_of_subtype
from .values import money, ref_id

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['is_global', 'global_tax', 'tax_account', 'US_COUNTRIES']

US_COUNTRIES = ('US', 'USA')
ZERO = Decimal('0')


def is_global(company: Company) -> bool:
    return (company.get_object('CompanyInfo', '1') or {}).get('Country', 'US') not in US_COUNTRIES


def global_tax(company: Company, obj: dict[str, Any], lines: list[tuple[Decimal, Any]], side: str = 'Sales'
               ) -> tuple[Decimal, Decimal]:
    """(total tax, total of the lines without tax) for ``lines`` of (amount, TaxCodeRef); fills ``TxnTaxDetail``."""
    mode = obj.get('GlobalTaxCalculation', 'TaxExcluded')
    gross = sum((amount for amount, _ in lines), ZERO)
    if mode == 'NotApplicable':
        obj.pop('TxnTaxDetail', None)
        return ZERO, gross
    per_rate: dict[str, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))   # rate Id -> (net, tax)
    percents: dict[str, Decimal] = {}
    for amount, code_ref in lines:
        code = company.get_object('TaxCode', ref_id(code_ref) or '') or {}
        for detail in code.get(f'{side}TaxRateList', {}).get('TaxRateDetail', []):
            rate = company.get_object('TaxRate', ref_id(detail.get('TaxRateRef')) or '') or {}
            if not rate:
                continue
            percent = Decimal(rate.get('RateValue', ZERO))
            net = amount * 100 / (100 + percent) if mode == 'TaxInclusive' else amount
            tax = net * percent / 100
            before = per_rate[rate['Id']]
            per_rate[rate['Id']] = (before[0] + net, before[1] + tax)
            percents[rate['Id']] = percent
    tax_lines, total = [], ZERO
    for rate_id in sorted(per_rate, key=lambda i: (len(i), i)):
        net, tax = per_rate[rate_id]
        total += money(tax)
        tax_lines.append({'Amount': money(tax), 'DetailType': 'TaxLineDetail', 'TaxLineDetail': {
            'TaxRateRef': {'value': rate_id}, 'PercentBased': True, 'TaxPercent': percents[rate_id],
            'NetAmountTaxable': money(net), 'TaxInclusiveAmount': money(net + tax)}})
    detail = obj.setdefault('TxnTaxDetail', {})
    detail.update({'TotalTax': total, 'TaxLine': tax_lines})
    net_total = gross - total if mode == 'TaxInclusive' else gross
    return total, net_total


def tax_account(company: Company) -> str | None:
    """Where collected tax is owed: the sales tax payable account (US) or the VAT/GST control account."""
    return account_of_subtype(company, 'SalesTaxPayable') or account_of_subtype(company, 'GlobalTaxPayable')
