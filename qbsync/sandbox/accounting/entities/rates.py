"""ExchangeRate: how many home-currency units one unit of a foreign currency is worth, per date.

Only companies with multicurrency on have exchange rates (6000 otherwise, as Intuit's reference says the resource
applies only to them). ``GET /exchangerate?sourcecurrencycode=EUR&asofdate=2026-01-15`` answers the rate set for
that date, else the latest set before it, else the sandbox's market rate (a fixed table, as a sandbox has no market
feed). ``POST /exchangerate`` sets a rate for a date (an update keyed by currency and date: SyncToken checked when
one was set already, 5010 when stale). Rates are kept per company and answered without an ``Id``, as Intuit's are.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import faults
from .base import EntityType
from .values import is_unset, to_date, to_decimal

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['ExchangeRateType', 'MARKET_RATES_TO_USD', 'exchange_rate']

MARKET_RATES_TO_USD = {   # US dollars per unit, the sandbox's stand-in for Intuit's market feed
    'USD': Decimal('1'), 'EUR': Decimal('1.08'), 'GBP': Decimal('1.27'), 'CAD': Decimal('0.74'),
    'AUD': Decimal('0.66'), 'NZD': Decimal('0.61'), 'JPY': Decimal('0.0067'), 'CHF': Decimal('1.13'),
    'INR': Decimal('0.012'), 'MXN': Decimal('0.058'), 'SEK': Decimal('0.096'), 'ZAR': Decimal('0.054'),
}


def _home(company: Company) -> str:
    prefs = company.get_object('Preferences', '1') or {}
    return prefs.get('CurrencyPrefs', {}).get('HomeCurrency', {}).get('value', 'USD')


def _check_multicurrency(company: Company) -> None:
    prefs = company.get_object('Preferences', '1') or {}
    if not prefs.get('CurrencyPrefs', {}).get('MultiCurrencyEnabled'):
        raise faults.business_validation('Exchange rates apply only to companies with multicurrency turned on.')


def _source(code: Any) -> str:
    if is_unset(code):
        raise faults.required_param('SourceCurrencyCode')
    text = str(code).strip().upper()
    if text not in MARKET_RATES_TO_USD:
        raise faults.invalid_reference('SourceCurrencyCode', 'Currency', text)
    return text


def exchange_rate(company: Company, source_code: Any, as_of: Any) -> dict[str, Any]:
    """The ``ExchangeRate`` a GET answers (see the module docstring for which rate)."""
    _check_multicurrency(company)
    source = _source(source_code)
    when = company.today() if is_unset(as_of) else to_date(as_of, 'asofdate')
    found = [o for o in company.iter_objects('ExchangeRate')
             if o['SourceCurrencyCode'] == source and date.fromisoformat(o['AsOfDate']) <= when]
    if found:
        return ExchangeRateType().render(company, max(found, key=lambda o: o['AsOfDate']))
    home = _home(company)
    rate = (MARKET_RATES_TO_USD[source] / MARKET_RATES_TO_USD.get(home, Decimal('1'))).quantize(Decimal('0.0000001'))
    return {'SourceCurrencyCode': source, 'TargetCurrencyCode': home, 'Rate': rate.normalize(),
            'AsOfDate': when.isoformat(), 'SyncToken': '0', 'domain': 'QBO', 'sparse': False}


class ExchangeRateType(EntityType):
    name, path = 'ExchangeRate', 'exchangerate'
    operations = frozenset({'create', 'update', 'read', 'query'})
    fields = frozenset({'SourceCurrencyCode', 'TargetCurrencyCode', 'Rate', 'AsOfDate', 'CustomField'})
    filterable = frozenset({'SourceCurrencyCode', 'AsOfDate', 'MetaData.LastUpdatedTime'})

    def create(self, company: Company, payload: Any, allow_duplicate_doc_num: bool = False) -> dict[str, Any]:
        """Setting a rate: stored under (currency, date); a second set for the same date is an update."""
        body = self._body(payload)
        _check_multicurrency(company)
        source = _source(body.get('SourceCurrencyCode'))
        if is_unset(body.get('AsOfDate')):
            raise faults.required_param('AsOfDate')
        as_of = to_date(body['AsOfDate'], 'AsOfDate').isoformat()
        if is_unset(body.get('Rate')):
            raise faults.required_param('Rate')
        rate = to_decimal(body['Rate'], 'Rate')
        if rate <= 0:
            raise faults.invalid_number('Rate', body['Rate'])
        if source == _home(company):
            raise faults.business_validation('The home currency has no exchange rate.', 'SourceCurrencyCode')
        key = f'{source}:{as_of}'
        obj = {'Id': key, 'SourceCurrencyCode': source, 'TargetCurrencyCode': _home(company), 'Rate': rate,
               'AsOfDate': as_of}
        existing = company.get_object(self.name, key)
        if existing is None:
            stored = company.commit(self.name, obj, 'Create')
        else:
            token = str(body.get('SyncToken', existing['SyncToken'])).strip()
            if token != existing['SyncToken']:
                raise faults.stale_object(self.name, key, token, existing['SyncToken'])
            stored = company.commit(self.name, obj, 'Update')
        return self.render(company, stored)

    def update(self, company: Company, payload: Any, allow_duplicate_doc_num: bool = False) -> dict[str, Any]:
        return self.create(company, payload)

    def view(self, company: Company, obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if k != 'Id'}
