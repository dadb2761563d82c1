"""The sandbox's JSON writer: simplejson's fast path must write exactly what the sandbox's own exact encoder writes."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest

from qbsync.sandbox.accounting.wire import _encode, dumps, loads

TEXTS = ['', 'plain', 'Café Ünïcode ☕', 'quote " and \\ backslash', 'line\nbreak\ttab\r\x00\x1f', '😀 astral',
         '1E+5 looks like a number', 'NaN', '</script>']
AMOUNTS = [Decimal('0'), Decimal('0.00'), Decimal('-0.00'), Decimal('1234.5'), Decimal('9999999999.99999'),
           Decimal('1E+2'), Decimal('1E-7'), Decimal('0E-10'), Decimal('-12.3400'), Decimal('100')]


def _value(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice(TEXTS)
    if kind == 1:
        return rng.choice(AMOUNTS)
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.randint(-10**12, 10**12)
    if kind == 4:
        return rng.choice([0.5, 1e-05, 3.14, -2.0])
    if kind == 5:
        return rng.choice(TEXTS[:3])
    if kind in (6, 7):
        return {rng.choice(TEXTS) + str(n): _value(rng, depth + 1) for n in range(rng.randint(0, 4))}
    return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def test_fast_writer_matches_the_exact_encoder_byte_for_byte() -> None:
    rng = random.Random(11)
    for _ in range(2000):
        value = {'Invoice': _value(rng), 'time': '2026-01-01T00:00:00.000-08:00'}
        assert dumps(value) == _encode(value).encode('utf-8')


def test_amounts_stay_in_plain_notation_and_exact() -> None:
    text = dumps({'A': Decimal('1E+2'), 'B': Decimal('1E-7'), 'C': Decimal('12.50')})
    assert text == b'{"A":100,"B":0.0000001,"C":12.50}'
    assert loads(text) == {'A': 100, 'B': Decimal('1E-7'), 'C': Decimal('12.50')}


@pytest.mark.parametrize('bad', [Decimal('NaN'), Decimal('Infinity'), float('nan')])
def test_non_finite_numbers_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        dumps({'Amount': bad})


def test_walk_finds_fields_through_lists_in_document_order() -> None:
    from qbsync.sandbox.accounting.entities.values import walk
    invoice = {'CustomerRef': {'value': '1'}, 'Line': [
        {'Amount': 1, 'SalesItemLineDetail': {'ItemRef': {'value': '5'}}},
        {'Amount': 2, 'DetailType': 'SubTotalLineDetail'},
        {'Amount': 3, 'SalesItemLineDetail': {'ItemRef': {'value': '6'}}}], 'Note': None}
    refs = walk(invoice, 'Line[].SalesItemLineDetail.ItemRef')
    assert [container[key]['value'] for container, key in refs] == ['5', '6']
    assert [c[k] for c, k in walk(invoice, 'Line[].Amount')] == [1, 2, 3]
    assert walk(invoice, 'CustomerRef') == [(invoice, 'CustomerRef')]
    assert walk(invoice, 'Note') == [(invoice, 'Note')]  # present, even if null: the caller judges the value
    assert walk(invoice, 'Line[]') == [] and walk(invoice, 'Missing.Field') == [] and walk([], 'Line') == []
    assert walk({'Line': {'Amount': 1}}, 'Line[].Amount') == []  # not a list where a list is expected
