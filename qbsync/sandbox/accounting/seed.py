"""Seeding companies: which kind of company a realm starts as, and a fast copy of the seeded objects.

Profiles (``Company.profile``):

* ``us``: the sandbox company Intuit gives every developer (modelled on Craig's Design and Landscaping Services):
  lists, settings and a year of history (.seed_us, .seed_history). The first company of every sandbox.
* ``global``: a company outside the US (.seed_global: a UK company, GBP, VAT codes and rates on lines, no
  automated sales tax), for tax and currency code paths.
* ``new``: what a newly created QuickBooks company holds (``realm_id: "new"`` at consent): the chart of accounts,
  terms, payment methods, tax codes, settings and the Services and Hours items, nothing else.

Deterministic: the same objects and Ids for every realm of a profile. Seeding stores through ``Company.commit`` without
events, since nothing changed for a client. Building the ``us`` company's year of history takes most of a second, so
each profile is built once per process and day (per instant on a manual clock) and kept as a template; a company seeded
from it gets its own buckets holding the template's objects themselves, not copies. That is safe because a stored object
is never changed in place: every change commits a new object in its place (``Company.commit``; readers get copies),
which tests/sandbox/test_accounting_seed.py checks by changing one company and comparing a fresh one with the template.
Only the settings (CompanyInfo, Preferences) are copied per company, because tests tweak those in place. Seeding a
company so costs well under a millisecond (``make bench`` prints both figures).
"""
from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from .wire import copy_json, intuit_datetime

if TYPE_CHECKING:
    from .store import Company

__all__ = ['seed_company', 'CLASSIFICATION', 'HOME_CURRENCY', 'FIRST_SALES_DOC_NUMBER', 'SALES_DOC_COUNTER',
           'PROFILES', 'PROFILE_ZONES', 'Put', 'seed_ref', 'home_currency', 'company_info', 'preferences']

HOME_CURRENCY = {'value': 'USD', 'name': 'United States Dollar'}
FIRST_SALES_DOC_NUMBER = 1001
SALES_DOC_COUNTER = 'SalesDocNumber'   # counters key: invoices and credit memos share one numbering sequence

CLASSIFICATION = {
    'Bank': 'Asset', 'Accounts Receivable': 'Asset', 'Other Current Asset': 'Asset', 'Fixed Asset': 'Asset',
    'Other Asset': 'Asset', 'Accounts Payable': 'Liability', 'Credit Card': 'Liability',
    'Other Current Liability': 'Liability', 'Long Term Liability': 'Liability', 'Equity': 'Equity',
    'Income': 'Revenue', 'Other Income': 'Revenue', 'Cost of Goods Sold': 'Expense', 'Expense': 'Expense',
    'Other Expense': 'Expense', 'Non-Posting': 'Asset',
}
PROFILES = ('us', 'global', 'new')
PROFILE_ZONES = {'us': 'America/Los_Angeles', 'new': 'America/Los_Angeles', 'global': 'Europe/London'}
_CACHE_SIZE = 6
_OWN_COPY = ('CompanyInfo', 'Preferences')   # copied per company, never shared (see seed_company)

Put = Callable[..., None]
_Template = tuple[dict[str, dict[str, dict[str, Any]]], dict[str, int]]
_templates: OrderedDict[tuple[str, datetime, str], _Template] = OrderedDict()


def seed_company(company: Company) -> None:
    """Fill an emptied company with its profile's seed (copied from the process-wide template when there is one)."""
    key = (company.profile, _template_instant(company), str(company.zone))
    template = _templates.get(key)
    if template is None:
        _build(company)
        template = _templates[key] = (copy_json(company.objects), dict(company.counters))
        while len(_templates) > _CACHE_SIZE:
            _templates.popitem(last=False)
    objects, counters = template
    company.objects.clear()
    company.objects.update({entity: dict(bucket) for entity, bucket in objects.items()})
    company.counters.clear()
    company.counters.update(counters)
    for entity in _OWN_COPY:           # settings are what tests tweak in place: each company gets its own
        company.objects[entity] = {key: copy_json(obj) for key, obj in objects.get(entity, {}).items()}
    info = company.objects['CompanyInfo']['1']
    info['CompanyName'] = info['LegalName'] = company.name


def _template_instant(company: Company) -> datetime:
    """Which template a company may share. A manual clock (tests) keys on its exact instant, so seeded MetaData is
    what that clock says. On the system clock every call is a new instant, which would rebuild the year of history
    for every company: there the template is the day's (the company's local midnight), built at its first use, and a
    later company's seeded objects simply carry that earlier build time, as objects made before it would."""
    from ..clock import SystemClock
    now = company.now()
    if not isinstance(company.clock, SystemClock):
        return now
    local = now.astimezone(company.zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _build(company: Company) -> None:
    if company.profile == 'global':
        from .seed_global import seed_global
        seed_global(company, _put(company))
        return
    from .seed_us import seed_us_lists
    seed_us_lists(company, _put(company), full=company.profile == 'us')
    if company.profile == 'us':
        from .seed_history import seed_history
        seed_history(company)


def _put(company: Company) -> Put:
    def put(entity: str, obj: dict[str, Any], entity_id: str | None = None, stamp: datetime | None = None) -> None:
        """Store a seeded object; ``stamp`` backdates its MetaData (history made before the sandbox existed)."""
        obj['Id'] = entity_id or company.next_id(entity)
        stored = company.commit(entity, obj, 'Create', emit=False)
        if stamp is not None:
            when = intuit_datetime(stamp, company.zone)
            stored['MetaData'] = {'CreateTime': when, 'LastUpdatedTime': when}
    return put


def seed_ref(company: Company, entity: str, entity_id: str) -> dict[str, str]:
    obj = company.get_object(entity, entity_id)
    assert obj is not None, f'seed references missing {entity} {entity_id}'
    return {'value': entity_id, 'name': obj.get('DisplayName') or obj.get('FullyQualifiedName') or obj.get('Name')}


def home_currency(company: Company) -> dict[str, str]:
    """The company's home currency as a CurrencyRef (USD unless the company is set up otherwise)."""
    prefs = company.get_object('Preferences', '1') or {}
    code = prefs.get('CurrencyPrefs', {}).get('HomeCurrency', {}).get('value', 'USD')
    if code == HOME_CURRENCY['value']:
        return dict(HOME_CURRENCY)
    currency = next((c for c in company.iter_objects('CompanyCurrency') if c.get('Code') == code), {})
    return {'value': code, 'name': currency.get('Name', code)}


def company_info(name: str, country: str, address: dict[str, str], zone: str, start: str, phone: str,
                 email: str, extra: list[dict[str, str]]) -> dict[str, Any]:
    return {
        'CompanyName': name, 'LegalName': name, 'CompanyAddr': dict(address),
        'CustomerCommunicationAddr': dict(address), 'LegalAddr': dict(address),
        'CustomerCommunicationEmailAddr': {'Address': email}, 'PrimaryPhone': {'FreeFormNumber': phone},
        'CompanyStartDate': start, 'FiscalYearStartMonth': 'January', 'Country': country,
        'Email': {'Address': email}, 'WebAddr': {}, 'SupportedLanguages': 'en', 'DefaultTimeZone': zone,
        'NameValue': [{'Name': 'NeoEnabled', 'Value': 'true'}, *extra,
                      {'Name': 'ItemCategoriesFeature', 'Value': 'false'}],
    }


def preferences(currency: str, tax: dict[str, Any], default_terms: str | None, sku_us: bool) -> dict[str, Any]:
    """Every section Intuit's ``/preferences`` answers with, with the values of a sandbox company."""
    terms = {'DefaultTerms': {'value': default_terms}} if default_terms else {}
    return {
        'AccountingInfoPrefs': {'TrackDepartments': True, 'DepartmentTerminology': 'Location',
                                'ClassTrackingPerTxn': False, 'ClassTrackingPerTxnLine': True,
                                'CustomerTerminology': 'Customers', 'FirstMonthOfFiscalYear': 'January',
                                'TaxYearMonth': 'January', 'UseAccountNumbers': True},
        'ProductAndServicesPrefs': {'ForSales': True, 'ForPurchase': True, 'QuantityWithPriceAndRate': True,
                                    'QuantityOnHand': True, 'RevenueRecognitionEnabled': False,
                                    'RecognitionFrequencyType': 'Daily'},
        'SalesFormsPrefs': {'CustomField': [{'CustomField': [
                                {'Name': f'SalesFormsPrefs.UseSalesCustom{n}', 'Type': 'BooleanType',
                                 'BooleanValue': n == 1} for n in (1, 2, 3)]},
                            {'CustomField': [{'Name': 'SalesFormsPrefs.SalesCustomName1', 'Type': 'StringType',
                                              'StringValue': 'Crew #'}]}],
                            'CustomTxnNumbers': False, 'AllowDeposit': True, 'AllowDiscount': True,
                            'AllowShipping': False, 'AllowServiceDate': False, 'AllowEstimates': True,
                            'EstimateMessage': 'Please review the estimate below.', **terms,
                            'ETransactionEnabledStatus': 'NotApplicable', 'AutoApplyCredit': True,
                            'AutoApplyPayments': True, 'UsingPriceLevels': False, 'UsingProgressInvoicing': False,
                            'IPNSupportEnabled': False,
                            'DefaultCustomerMessage': 'Thank you for your business.',
                            'PrintItemWithZeroAmount': False},
        'EmailMessagesPrefs': {name: {'Subject': f'{kind} [Invoice No.] from Sandbox Company',
                                      'Message': f'Your {kind.lower()} is attached. We appreciate your business.'}
                               for name, kind in (('InvoiceMessage', 'Invoice'), ('EstimateMessage', 'Estimate'),
                                                  ('SalesReceiptMessage', 'Sales Receipt'),
                                                  ('StatementMessage', 'Statement'))},
        'VendorAndPurchasesPrefs': {'TrackingByCustomer': True, 'BillableExpenseTracking': True, **terms,
                                    'POCustomField': [{'CustomField': [
                                        {'Name': 'PurchasePrefs.UsePurchaseCustom1', 'Type': 'BooleanType',
                                         'BooleanValue': False}]}]},
        'TimeTrackingPrefs': {'UseServices': True, 'BillCustomers': True, 'ShowBillRateToAll': False,
                              'WorkWeekStartDate': 'Monday', 'MarkTimeEntriesBillable': True},
        'TaxPrefs': tax,
        'CurrencyPrefs': {'MultiCurrencyEnabled': False, 'HomeCurrency': {'value': currency}},
        'ReportPrefs': {'ReportBasis': 'Accrual', 'CalcAgingReportFromTxnDate': False},
        'OtherPrefs': {'NameValue': [{'Name': 'SalesFormsPrefs.DefaultCustomerMessage', 'Value': 'Thank you!'},
                                     {'Name': 'WarnDuplicateDocNum', 'Value': 'true'},
                                     {'Name': 'WarnDuplicateBillNum', 'Value': 'false'},
                                     {'Name': 'VendorAndPurchasesPrefs.UseAccountNumbers', 'Value': 'true'},
                                     {'Name': 'UseQuickBooksPayments' if sku_us else 'UsePaymentsGlobal',
                                      'Value': 'true'}]},
    }
