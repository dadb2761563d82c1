"""Money arithmetic the app's records, mapping and pages share: one rounding rule, one discount rule.

Kept apart from services and mapping so both (and the pages' live totals) use the same figures the saved record has.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ['CENT', 'cents', 'document_discount']

CENT = Decimal('0.01')


def cents(value: Decimal) -> Decimal:
    """Round half up to the cent, as QuickBooks rounds line amounts."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def document_discount(subtotal: Decimal, *, percent: Decimal, amount: Decimal) -> Decimal:
    """A document's discount in money: a percent of the lines' total, or else the amount given."""
    if percent:
        return cents(subtotal * percent / 100)
    return amount
