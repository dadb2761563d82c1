"""ExchangeRate, RecurringTransaction and the TaxService endpoint (issue 11 item 2), over HTTP and through
python-quickbooks."""
from __future__ import annotations

from decimal import Decimal

import pytest
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.base import Ref
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.exchangerate import ExchangeRate
from quickbooks.objects.recurringtransaction import RecurringInfo, RecurringInvoice, RecurringTransaction, \
    ScheduleInfo
from quickbooks.objects.taxservice import TaxRateDetails, TaxService

from test_third_party_client import qb  # noqa: F401


async def _multicurrency(qbo_api, on: bool = True) -> None:
    prefs = (await qbo_api.get('/preferences')).json()['Preferences']
    await qbo_api.post('/preferences', json={'Id': '1', 'SyncToken': prefs['SyncToken'], 'sparse': True,
                                             'CurrencyPrefs': {'MultiCurrencyEnabled': on}})


async def test_exchange_rates_need_multicurrency_and_follow_the_dates(qbo_api):
    refused = await qbo_api.get('/exchangerate', params={'sourcecurrencycode': 'EUR'})
    assert refused.status_code == 400 and refused.json()['Fault']['Error'][0]['code'] == '6000'
    await _multicurrency(qbo_api)
    market = (await qbo_api.get('/exchangerate', params={'sourcecurrencycode': 'EUR',
                                                         'asofdate': '2026-01-10'})).json()['ExchangeRate']
    assert (market['Rate'], market['TargetCurrencyCode'], market['AsOfDate']) == (1.08, 'USD', '2026-01-10')
    set_rate = await qbo_api.post('/exchangerate', json={'SourceCurrencyCode': 'EUR', 'Rate': '1.1',
                                                         'AsOfDate': '2026-01-05'})
    assert set_rate.json()['ExchangeRate']['Rate'] == 1.1 and 'Id' not in set_rate.json()['ExchangeRate']
    later = (await qbo_api.get('/exchangerate', params={'SourceCurrencyCode': 'EUR',
                                                        'AsOfDate': '2026-01-10'})).json()['ExchangeRate']
    assert later['Rate'] == 1.1 and later['AsOfDate'] == '2026-01-05'          # the latest set before the date
    stale = await qbo_api.post('/exchangerate', json={'SourceCurrencyCode': 'EUR', 'Rate': '1.2',
                                                      'AsOfDate': '2026-01-05', 'SyncToken': '7'})
    assert stale.json()['Fault']['Error'][0]['code'] == '5010'
    again = await qbo_api.post('/exchangerate', json={'SourceCurrencyCode': 'EUR', 'Rate': '1.2',
                                                      'AsOfDate': '2026-01-05', 'SyncToken': '0'})
    assert again.json()['ExchangeRate']['SyncToken'] == '1'
    unknown = await qbo_api.get('/exchangerate', params={'sourcecurrencycode': 'XYZ'})
    assert unknown.json()['Fault']['Error'][0]['code'] == '2500'
    listed = (await qbo_api.get('/query', params={'query': "select * from ExchangeRate where "
                                                           "SourceCurrencyCode = 'EUR'"})).json()['QueryResponse']
    assert [r['Rate'] for r in listed['ExchangeRate']] == [1.2]


async def test_tax_service_creates_codes_with_new_and_existing_rates(qbo_api):
    made = (await qbo_api.post('/taxservice/taxcode', json={'TaxCode': 'Tucson', 'TaxRateDetails': [
        {'TaxRateName': 'Tucson City', 'RateValue': '2.6', 'TaxAgencyId': '1', 'TaxApplicableOn': 'Sales'},
        {'TaxRateId': '1'}]})).json()
    assert made['TaxCode'] == 'Tucson' and made['TaxCodeId']
    new_rate, old_rate = made['TaxRateDetails']
    assert (new_rate['RateValue'], old_rate['TaxRateId'], old_rate['TaxApplicableOn']) == (2.6, '1', 'Sales')
    code = (await qbo_api.get(f"/taxcode/{made['TaxCodeId']}")).json()['TaxCode']
    assert [d['TaxRateRef']['value'] for d in code['SalesTaxRateList']['TaxRateDetail']] == [new_rate['TaxRateId'],
                                                                                              '1']
    invoice = (await qbo_api.post('/invoice', json={
        'CustomerRef': {'value': '1'}, 'TxnTaxDetail': {'TxnTaxCodeRef': {'value': made['TaxCodeId']}},
        'Line': [{'Amount': 100, 'SalesItemLineDetail': {'TaxCodeRef': {'value': 'TAX'}}}]})).json()['Invoice']
    assert invoice['TxnTaxDetail']['TotalTax'] == 10.6             # 2.6 % + California's 8 %
    for body, code_ in (({'TaxCode': 'tucson', 'TaxRateDetails': [{'TaxRateId': '1'}]}, '6240'),
                        ({'TaxCode': 'X', 'TaxRateDetails': []}, '2020'),
                        ({'TaxCode': 'Y', 'TaxRateDetails': [{'TaxRateName': 'Y', 'RateValue': 1}]}, '2020'),
                        ({'TaxCode': 'Z', 'TaxRateDetails': [{'TaxRateName': 'Z', 'RateValue': 1,
                                                              'TaxAgencyId': '99'}]}, '2500')):
        answer = await qbo_api.post('/taxservice/taxcode', json=body)
        assert answer.status_code == 400 and answer.json()['Fault']['Error'][0]['code'] == code_
    assert (await qbo_api.post('/taxcode', json={'Name': 'direct'})).json()['Fault']['Error'][0]['code'] == '500'


async def test_recurring_templates_are_checked_stored_read_and_deleted(qbo_api):
    template = {'Invoice': {'CustomerRef': {'value': '2'}, 'Line': [
        {'Amount': 80, 'DetailType': 'SalesItemLineDetail', 'SalesItemLineDetail': {'ItemRef': {'value': '3'}}}],
        'RecurringInfo': {'Name': 'Monthly care', 'RecurType': 'Automated', 'Active': True,
                          'ScheduleInfo': {'IntervalType': 'Monthly', 'NumInterval': 1, 'DayOfMonth': 1,
                                           'StartDate': '2025-11-01'}}}}
    created = (await qbo_api.post('/recurringtransaction', json=template)).json()['RecurringTransaction']
    invoice = created['Invoice']
    assert invoice['TotalAmt'] == 80 and 'DocNumber' not in invoice and invoice['Id']
    assert invoice['RecurringInfo']['ScheduleInfo']['NextDate'] == '2026-02-01'
    read = (await qbo_api.get(f"/recurringtransaction/{invoice['Id']}")).json()['RecurringTransaction']
    assert read == created
    listed = (await qbo_api.get('/query', params={'query': 'select * from RecurringTransaction'})).json()
    assert [r['Invoice']['Id'] for r in listed['QueryResponse']['RecurringTransaction']] == [invoice['Id']]
    assert not (await qbo_api.get('/query', params={
        'query': "select * from Invoice where CustomerRef = '2'"})).json()['QueryResponse']   # nothing posted
    for body, code in (({'Invoice': {**template['Invoice'], 'CustomerRef': {'value': '999'}}}, '2500'),
                       (template, '6240'),
                       ({'Invoice': {**template['Invoice'], 'RecurringInfo': {'Name': 'No schedule'}}}, '2020'),
                       ({'Invoice': template['Invoice'], 'Bill': {}}, '2010')):
        answer = await qbo_api.post('/recurringtransaction', json=body)
        assert answer.status_code == 400 and answer.json()['Fault']['Error'][0]['code'] == code, answer.text
    deleted = await qbo_api.post('/recurringtransaction?operation=delete',
                                 json={'Invoice': {'Id': invoice['Id'], 'SyncToken': '0'}})
    assert deleted.json()['RecurringTransaction']['Invoice']['status'] == 'Deleted'
    assert (await qbo_api.get(f"/recurringtransaction/{invoice['Id']}")).status_code == 400


def test_python_quickbooks_rates_templates_and_tax_service(qb, live_sandbox):  # noqa: F811
    company = live_sandbox.state.companies.get(qb.company_id)
    prefs = company.get_object('Preferences', '1')
    company.update('Preferences', {'Id': '1', 'SyncToken': prefs['SyncToken'], 'sparse': True,
                                   'CurrencyPrefs': {'MultiCurrencyEnabled': True}})
    rate = ExchangeRate()
    rate.SourceCurrencyCode, rate.Rate, rate.AsOfDate = 'CAD', Decimal('0.75'), company.today().isoformat()
    assert rate.save(qb=qb).Rate == Decimal('0.75')
    assert [r.SourceCurrencyCode for r in ExchangeRate.all(qb=qb)] == ['CAD']
    company.update('Preferences', {'Id': '1', 'SyncToken': company.get_object('Preferences', '1')['SyncToken'],
                                   'sparse': True, 'CurrencyPrefs': {'MultiCurrencyEnabled': False}})
    service = TaxService()
    service.TaxCode = 'Pima County'
    detail = TaxRateDetails()
    detail.TaxRateName, detail.RateValue, detail.TaxAgencyId = 'Pima', '0.5', '1'
    service.TaxRateDetails = [detail]
    made = service.save(qb=qb)
    assert made.TaxCode == 'Pima County' and made.TaxRateDetails[0].TaxRateName == 'Pima'
    recurring = RecurringTransaction()
    invoice = RecurringInvoice()
    invoice.CustomerRef = Ref()
    invoice.CustomerRef.value = '3'
    line = SalesItemLine()
    line.Amount = Decimal('45')
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = Ref()
    line.SalesItemLineDetail.ItemRef.value = '3'
    invoice.Line = [line]
    invoice.RecurringInfo = RecurringInfo()
    invoice.RecurringInfo.Name, invoice.RecurringInfo.Active = 'Weekly visit', True
    invoice.RecurringInfo.ScheduleInfo = ScheduleInfo()
    invoice.RecurringInfo.ScheduleInfo.IntervalType = 'Weekly'
    invoice.RecurringInfo.ScheduleInfo.NumInterval = 1
    invoice.RecurringInfo.ScheduleInfo.StartDate = company.today().isoformat()
    recurring.Invoice = invoice
    saved = recurring.save(qb=qb)
    assert saved.Invoice.Id and saved.Invoice.RecurringInfo.Name == 'Weekly visit'
    fetched = RecurringTransaction.get(saved.Invoice.Id, qb=qb)
    assert fetched.Invoice.TotalAmt == 45
    fetched.delete(qb=qb)
    with pytest.raises(QuickbooksException) as caught:
        RecurringTransaction.get(saved.Invoice.Id, qb=qb)
    assert caught.value.error_code == 610
