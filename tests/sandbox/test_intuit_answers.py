"""Intuit's answers everywhere (issue 11 item 3): faults for unknown paths and methods, invoiceLink, Preferences
sections, error details that keep their values, the query language's `!=` and column lists, account numbers."""
from __future__ import annotations

import pytest

from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState
from qbsync.sandbox.accounting.faults import QBOFault


def _error(response) -> dict:
    body = response.json()
    assert 'detail' not in body and set(body) == {'Fault', 'time'}, body
    return body['Fault']['Error'][0]


@pytest.mark.parametrize('method, path', [
    ('GET', '/invoice'), ('DELETE', '/invoice/1'), ('PUT', '/customer'), ('PATCH', '/customer/1'),
    ('GET', '/invoice/1/history'), ('POST', '/customer/1'), ('GET', '/reports/nothing/here'), ('GET', '/batch'),
    ('POST', '/preferences/1'),
])
async def test_unknown_paths_and_methods_answer_unsupported_operation(qbo_api, method, path):
    response = await qbo_api.request(method, path)
    assert response.status_code == 400 and response.headers['content-type'].startswith('application/json')
    error = _error(response)
    assert (error['code'], error['Message']) == ('500', 'Unsupported Operation')
    assert error['Detail'] == f'Operation {method} {path} is not supported.'


async def test_unsupported_paths_still_check_the_bearer_first(sandbox_client, realm_id):
    response = await sandbox_client.delete(f'/v3/company/{realm_id}/invoice/1')
    assert response.status_code == 401 and response.json()['fault']['error'][0]['code'] == '3200'
    outside = await sandbox_client.get('/v3/nothing')
    assert outside.status_code == 400 and _error(outside)['code'] == '500'


async def test_invoice_link_only_when_payable_online_with_a_bill_email(qbo_api):
    line = [{'Amount': 25, 'DetailType': 'SalesItemLineDetail', 'SalesItemLineDetail': {'ItemRef': {'value': '1'}}}]
    payable = (await qbo_api.post('/invoice?include=invoiceLink', json={
        'CustomerRef': {'value': '1'}, 'Line': line, 'AllowOnlineCreditCardPayment': True,
        'BillEmail': {'Address': 'pay@example.com'}})).json()['Invoice']
    assert payable['InvoiceLink'].startswith('https://connect.intuit.com/portal/app/CommerceNetwork/view/scs-v1-')
    read = (await qbo_api.get(f"/invoice/{payable['Id']}?include=invoiceLink")).json()['Invoice']
    assert read['InvoiceLink'] == payable['InvoiceLink']
    assert 'InvoiceLink' not in (await qbo_api.get(f"/invoice/{payable['Id']}")).json()['Invoice']
    offline = (await qbo_api.post('/invoice?include=invoiceLink', json={
        'CustomerRef': {'value': '1'}, 'Line': line, 'BillEmail': {'Address': 'pay@example.com'}})).json()['Invoice']
    no_email = (await qbo_api.post('/invoice?include=invoiceLink', json={
        'CustomerRef': {'value': '4'}, 'Line': line, 'AllowOnlineACHPayment': True})).json()['Invoice']
    assert 'BillEmail' in no_email          # from the customer: so the link is there
    assert 'InvoiceLink' not in offline and 'InvoiceLink' in no_email


async def test_preferences_carry_every_section(qbo_api):
    prefs = (await qbo_api.get('/preferences')).json()['Preferences']
    assert {'AccountingInfoPrefs', 'ProductAndServicesPrefs', 'SalesFormsPrefs', 'EmailMessagesPrefs',
            'VendorAndPurchasesPrefs', 'TimeTrackingPrefs', 'TaxPrefs', 'CurrencyPrefs', 'ReportPrefs',
            'OtherPrefs'} <= set(prefs)
    assert prefs['AccountingInfoPrefs']['TaxYearMonth'] == 'January'
    assert prefs['TimeTrackingPrefs']['WorkWeekStartDate'] == 'Monday'
    assert prefs['EmailMessagesPrefs']['InvoiceMessage']['Subject'].startswith('Invoice')
    assert prefs['ReportPrefs']['ReportBasis'] == 'Accrual'
    custom = prefs['SalesFormsPrefs']['CustomField']
    assert custom[0]['CustomField'][0] == {'Name': 'SalesFormsPrefs.UseSalesCustom1', 'Type': 'BooleanType',
                                           'BooleanValue': True}
    switched = (await qbo_api.post('/preferences', json={
        'Id': '1', 'SyncToken': prefs['SyncToken'], 'sparse': True,
        'AccountingInfoPrefs': {'ClassTrackingPerTxn': True, 'ClassTrackingPerTxnLine': False}})).json()
    accounting = switched['Preferences']['AccountingInfoPrefs']
    assert accounting['ClassTrackingPerTxn'] is True and accounting['TrackDepartments'] is True


async def test_query_not_equal_and_column_lists(qbo_api):
    async def query(text):
        return (await qbo_api.get('/query', params={'query': text})).json()['QueryResponse']
    others = await query("select * from Customer where DisplayName != 'cool cars'")
    assert "Cool Cars" not in [c['DisplayName'] for c in others['Customer']] and len(others['Customer']) >= 5
    sparse = await query("select Id, DisplayName, MetaData.CreateTime from Customer where Id = '1'")
    [customer] = sparse['Customer']
    assert customer == {'Id': '1', 'DisplayName': "Amy's Bird Sanctuary",
                        'MetaData': {'CreateTime': customer['MetaData']['CreateTime']}, 'domain': 'QBO',
                        'sparse': True}
    full = await query("select *, Sku from Item where Id = '1'")
    assert full['Item'][0]['sparse'] is False and 'IncomeAccountRef' in full['Item'][0]


def test_account_numbers_follow_the_setting_and_are_unique():
    def company(limit=None):
        config = SandboxConfig(clock=ManualClock()) if limit is None else SandboxConfig(
            clock=ManualClock(), account_number_max_length=limit)
        state = SandboxState(config)
        return state.companies.get(state.default_realm_id)

    relaxed = company()
    account = relaxed.create('Account', {'Name': 'Petty cash', 'AccountType': 'Bank', 'AcctNum': '10100-00001'})
    assert account['AcctNum'] == '10100-00001'                  # 11 characters, as clients create at Intuit
    with pytest.raises(QBOFault) as duplicate:
        relaxed.create('Account', {'Name': 'Other cash', 'AccountType': 'Bank', 'AcctNum': '10100-00001'})
    assert duplicate.value.code == '6240'
    with pytest.raises(QBOFault) as too_long:
        relaxed.create('Account', {'Name': 'Long', 'AccountType': 'Bank', 'AcctNum': '1' * 21})
    assert too_long.value.code == '2050' and 'Max:20' in too_long.value.errors[0].detail
    strict = company(limit=7)
    with pytest.raises(QBOFault) as published:
        strict.create('Account', {'Name': 'Petty cash', 'AccountType': 'Bank', 'AcctNum': '10100-00001'})
    assert published.value.code == '2050' and 'Max:7 supported. Supplied length:11' in published.value.errors[0].detail
