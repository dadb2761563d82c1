"""Customer <-> QuickBooks Customer: names, company, email, phones, billing address, terms, notes, active."""
from __future__ import annotations

from typing import Any

from ..models import Customer
from .refs import Refs
from .values import LocalRecord, put, ref, ref_id, text

__all__ = ['to_qbo', 'from_qbo']

_ADDRESS = (('bill_line1', 'Line1'), ('bill_line2', 'Line2'), ('bill_city', 'City'),
            ('bill_state', 'CountrySubDivisionCode'), ('bill_postal_code', 'PostalCode'), ('bill_country', 'Country'))


def to_qbo(local: LocalRecord, refs: Refs) -> dict[str, Any]:
    c: Customer = local.record  # type: ignore[assignment]
    obj: dict[str, Any] = {'DisplayName': c.display_name, 'Active': bool(c.active)}
    put(obj, 'CompanyName', c.company_name)
    put(obj, 'GivenName', c.given_name)
    put(obj, 'FamilyName', c.family_name)
    if c.email:
        obj['PrimaryEmailAddr'] = {'Address': c.email}
    if c.phone:
        obj['PrimaryPhone'] = {'FreeFormNumber': c.phone}
    if c.mobile:
        obj['Mobile'] = {'FreeFormNumber': c.mobile}
    address = {wire: getattr(c, name) for name, wire in _ADDRESS if getattr(c, name)}
    if address:
        obj['BillAddr'] = address
    term = refs.term(c.terms)
    if term:
        obj['SalesTermRef'] = ref(term)
    put(obj, 'Notes', c.notes)
    return obj


def from_qbo(obj: dict[str, Any], refs: Refs) -> LocalRecord:
    address = obj.get('BillAddr') or {}
    values = {
        'display_name': text(obj, 'DisplayName'), 'company_name': text(obj, 'CompanyName'),
        'given_name': text(obj, 'GivenName'), 'family_name': text(obj, 'FamilyName'),
        'email': text(obj, 'PrimaryEmailAddr', 'Address'), 'phone': text(obj, 'PrimaryPhone', 'FreeFormNumber'),
        'mobile': text(obj, 'Mobile', 'FreeFormNumber'),
        **{name: str(address.get(wire) or '') for name, wire in _ADDRESS},
        'terms': refs.list_name('Term', ref_id(obj.get('SalesTermRef'))), 'notes': text(obj, 'Notes'),
        'active': bool(obj.get('Active', True)),
    }
    return LocalRecord(Customer(**values))
