"""``POST /taxservice/taxcode``: a new tax code, with new tax rates made on the way or existing ones reused.

Intuit's body: ``{"TaxCode": "name", "TaxRateDetails": [{"TaxRateName", "RateValue", "TaxAgencyId",
"TaxApplicableOn": "Sales"|"Purchase"} | {"TaxRateId", "TaxApplicableOn"}]}``; the answer repeats it with
``TaxCodeId`` and every rate's ``TaxRateId``. The code's ``SalesTaxRateList``/``PurchaseTaxRateList`` point at the
rates; agencies are referenced by Id only (Intuit cannot create them here). Tax codes and rates are not announced
by webhooks or CDC (Intuit's CDC refuses them).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import faults
from .entities.names import check_name_characters
from .entities.values import is_unset, to_decimal

if TYPE_CHECKING:
    from .store import Company

__all__ = ['create_tax_code']

_SIDES = ('Sales', 'Purchase')


def create_tax_code(company: Company, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise faults.request_body_error('the TaxService body must be a JSON object')
    name = '' if is_unset(body.get('TaxCode')) else str(body['TaxCode']).strip()
    if not name:
        raise faults.required_param('TaxCode')
    check_name_characters({'TaxCode': name}, ('TaxCode',))
    if any(str(c.get('Name', '')).casefold() == name.casefold() for c in company.iter_objects('TaxCode')):
        raise faults.duplicate_name('tax code')
    details = body.get('TaxRateDetails')
    if not isinstance(details, list) or not details:
        raise faults.required_param('TaxRateDetails')
    planned = [_plan(company, detail) for detail in details]
    lists: dict[str, list[dict[str, Any]]] = {side: [] for side in _SIDES}
    answered = []
    for detail, side in planned:
        rate = detail if 'Id' in detail else company.commit('TaxRate', detail, 'Create', emit=False)
        lists[side].append({'TaxRateRef': {'value': rate['Id'], 'name': rate['Name']},
                            'TaxTypeApplicable': 'TaxOnAmount', 'TaxOrder': len(lists[side])})
        answered.append({'TaxRateName': rate['Name'], 'TaxRateId': rate['Id'], 'RateValue': rate['RateValue'],
                         'TaxAgencyId': rate['AgencyRef']['value'], 'TaxApplicableOn': side})
    code = company.commit('TaxCode', {'Name': name, 'Description': name, 'Active': True, 'Hidden': False,
                                      'Taxable': True, 'TaxGroup': len(planned) > 1,
                                      'SalesTaxRateList': {'TaxRateDetail': lists['Sales']},
                                      'PurchaseTaxRateList': {'TaxRateDetail': lists['Purchase']}},
                          'Create', emit=False)
    return {'TaxCode': name, 'TaxCodeId': code['Id'], 'TaxRateDetails': answered}


def _plan(company: Company, detail: Any) -> tuple[dict[str, Any], str]:
    """An existing rate (by TaxRateId) or a new one to create, and the side it applies on; validates first so a
    bad detail creates nothing."""
    if not isinstance(detail, dict):
        raise faults.request_body_error('each TaxRateDetails entry must be an object')
    side = 'Sales' if is_unset(detail.get('TaxApplicableOn')) else str(detail['TaxApplicableOn'])
    if side not in _SIDES:
        raise faults.invalid_enum('TaxApplicableOn', side)
    if not is_unset(detail.get('TaxRateId')):
        rate = company.get_object('TaxRate', str(detail['TaxRateId']).strip())
        if rate is None:
            raise faults.invalid_reference('TaxRateId', 'TaxRate', detail['TaxRateId'])
        return rate, side
    for field in ('TaxRateName', 'RateValue', 'TaxAgencyId'):
        if is_unset(detail.get(field)):
            raise faults.required_param(field)
    value = to_decimal(detail['RateValue'], 'RateValue')
    if not Decimal('0') <= value <= Decimal('100'):
        raise faults.invalid_number('RateValue', detail['RateValue'])
    agency = company.get_object('TaxAgency', str(detail['TaxAgencyId']).strip())
    if agency is None:
        raise faults.invalid_reference('TaxAgencyId', 'TaxAgency', detail['TaxAgencyId'])
    rate_name = str(detail['TaxRateName']).strip()
    if any(str(r.get('Name', '')).casefold() == rate_name.casefold() for r in company.iter_objects('TaxRate')):
        raise faults.duplicate_name('tax rate')
    return {'Name': rate_name, 'Description': rate_name, 'Active': True, 'RateValue': value,
            'AgencyRef': {'value': agency['Id'], 'name': agency['DisplayName']}, 'SpecialTaxType': 'NONE',
            'DisplayType': 'ReadOnly', 'EffectiveTaxRate': [{'RateValue': value,
                                                             'EffectiveDate': company.today().isoformat()}]}, side
