"""Merging name-list records as a QuickBooks user does: references move, the merged record goes, one Merge event."""
from __future__ import annotations

from decimal import Decimal

import pytest

from qbsync.sandbox.accounting.cdc import CdcRequest, change_data_capture
from qbsync.sandbox.accounting.faults import QBOFault
from qbsync.sandbox.accounting.seed_us import ACCOUNT_IDS
from qbsync.sandbox.accounting.wire import loads
from qbsync.sandbox.admin.companies import UserEdit, edit_as_user
from qbsync.sandbox.events import ChangeEvent

CHECKING, SAVINGS = ACCOUNT_IDS['Checking'], ACCOUNT_IDS['Savings']
OFFICE = ACCOUNT_IDS['Office Expenses']


def _invoice(company, customer_id, amount=100, item_id='3'):
    line = {'Amount': amount, 'DetailType': 'SalesItemLineDetail',
            'SalesItemLineDetail': {'ItemRef': {'value': item_id}}}
    return company.create('Invoice', {'CustomerRef': {'value': customer_id}, 'Line': [line]})


def _purchase(company, payee_id, payee_type='Vendor', customer_id='2', account_id=CHECKING):
    return company.create('Purchase', {
        'PaymentType': 'Cash', 'AccountRef': {'value': account_id},
        'EntityRef': {'value': payee_id, 'type': payee_type},
        'Line': [{'Amount': 20, 'DetailType': 'AccountBasedExpenseLineDetail', 'AccountBasedExpenseLineDetail': {
            'AccountRef': {'value': OFFICE}, 'CustomerRef': {'value': customer_id}}}]})


async def test_merging_a_customer_moves_everything_to_the_survivor(company, events, sandbox_client, realm_id, clock):
    kept_invoice = _invoice(company, '1', 10)
    moved = [_invoice(company, '2', 100), _invoice(company, '2', 40)]
    payment = company.create('Payment', {'CustomerRef': {'value': '2'}, 'TotalAmt': 60, 'Line': [
        {'Amount': 30, 'LinkedTxn': [{'TxnId': moved[0]['Id'], 'TxnType': 'Invoice'}]}]})
    job = company.create('Customer', {'DisplayName': 'Windsurf Rentals', 'Job': True, 'ParentRef': {'value': '2'}})
    job_invoice = _invoice(company, job['Id'], 5)
    purchase = _purchase(company, '1', customer_id='2')
    tokens = {invoice['Id']: company.read('Invoice', invoice['Id'])['SyncToken'] for invoice in moved}
    start = clock.now()
    clock.advance(minutes=1)
    del events[:]
    response = await sandbox_client.post(f'/_sandbox/companies/{realm_id}/edits', json={
        'entity': 'customer', 'operation': 'merge', 'id': '1', 'merge_id': '2'})
    assert response.status_code == 200, response.text
    survivor = loads(response.content)['Customer']
    assert survivor['Id'] == '1' and survivor['SyncToken'] == '1' and survivor['DisplayName'] == "Amy's Bird Sanctuary"
    # one event for the whole merge, carrying the merged-away Id
    assert events == [ChangeEvent(realm_id, 'Customer', '1', 'Merge', clock.now(), deleted_id='2')]
    amy = {'value': '1', 'name': "Amy's Bird Sanctuary"}
    for invoice in moved:
        now = company.read('Invoice', invoice['Id'])
        assert now['CustomerRef'] == amy and now['SyncToken'] == str(int(tokens[invoice['Id']]) + 1)
        assert now['BillEmail'] == invoice['BillEmail']     # the document itself is not rewritten
    assert company.read('Invoice', kept_invoice['Id'])['SyncToken'] == kept_invoice['SyncToken']
    assert company.read('Payment', payment['Id'])['CustomerRef'] == amy
    line = company.read('Purchase', purchase['Id'])['Line'][0]['AccountBasedExpenseLineDetail']
    assert line['CustomerRef'] == amy
    sub = company.read('Customer', job['Id'])
    assert sub['ParentRef'] == amy and sub['FullyQualifiedName'] == "Amy's Bird Sanctuary:Windsurf Rentals"
    assert sub['Level'] == 1 and company.read('Invoice', job_invoice['Id'])['CustomerRef']['value'] == job['Id']
    # balances follow the transactions: 10 + 100 + 40 - 60 paid; with the sub-customer's 5
    assert survivor['Balance'] == Decimal('90.00') and survivor['BalanceWithJobs'] == Decimal('95.00')
    # the merged record is gone: 610 on read, Deleted in CDC, its name free again
    gone = await sandbox_client.post(f'/_sandbox/companies/{realm_id}/edits', json={
        'entity': 'Customer', 'operation': 'update', 'id': '2', 'fields': {'Notes': 'x'}})
    assert gone.status_code == 400 and gone.json()['Fault']['Error'][0]['code'] == '610'
    with pytest.raises(QBOFault) as missing:
        company.read('Customer', '2')
    assert missing.value.code == '610'
    [cdc] = change_data_capture(company, CdcRequest(('Customer',), start))
    [customers] = cdc['QueryResponse']
    assert {'domain': 'QBO', 'status': 'Deleted', 'Id': '2',
            'MetaData': {'LastUpdatedTime': '2026-01-15T09:01:00-08:00'}} in customers['Customer']
    assert company.create('Customer', {'DisplayName': "Bill's Windsurf Shop"})['Id'] != '2'


def test_merging_an_inactive_record_away_is_allowed(company, events):
    company.update('Customer', {'Id': '3', 'SyncToken': '0', 'sparse': True, 'Active': False})
    merged = edit_as_user(company, UserEdit('Customer', 'merge', '4', merge_id='3'))
    assert merged['Id'] == '4' and events[-1].operation == 'Merge' and events[-1].deleted_id == '3'


@pytest.mark.parametrize(('edit', 'code', 'reason'), [
    (UserEdit('Customer', 'merge', '1', merge_id='1'), '6000', 'into itself'),
    (UserEdit('Customer', 'merge', '1', merge_id='2', merge_entity='Vendor'), '6000',
     'a Vendor can only be merged into another Vendor'),
    (UserEdit('Customer', 'merge', '5', merge_id='1'), '6000', 'inactive'),
    (UserEdit('Account', 'merge', CHECKING, merge_id=ACCOUNT_IDS['Services']), '6000', 'accounts of the same type'),
    (UserEdit('Item', 'merge', '1', merge_id='6'), '6000', 'items of the same type'),
    (UserEdit('Term', 'merge', '1', merge_id='2'), '500', 'Merge on Term'),
    (UserEdit('Invoice', 'merge', '1', merge_id='2'), '500', 'Merge on Invoice'),
    (UserEdit('Customer', 'merge', '1', merge_id='999'), '610', 'Customer Id 999'),
    (UserEdit('Customer', 'merge', '999', merge_id='1'), '610', 'Customer Id 999'),
])
def test_refused_merges_change_nothing(company, events, edit, code, reason):
    company.update('Customer', {'Id': '5', 'SyncToken': '0', 'sparse': True, 'Active': False})
    del events[:]
    before = {entity: {k: dict(v) for k, v in bucket.items()} for entity, bucket in company.objects.items()}
    with pytest.raises(QBOFault) as refused:
        edit_as_user(company, edit)
    assert refused.value.code == code and reason in refused.value.errors[0].detail
    assert events == [] and company.objects == before


def test_a_parent_cannot_be_merged_into_its_sub_record(company, events):
    child = company.create('Customer', {'DisplayName': 'Amy Junior', 'Job': True, 'ParentRef': {'value': '1'}})
    grandchild = company.create('Customer', {'DisplayName': 'Amy III', 'Job': True,
                                             'ParentRef': {'value': child['Id']}})
    with pytest.raises(QBOFault) as refused:
        company.merge('Customer', grandchild['Id'], '1')
    assert refused.value.code == '6000' and 'own sub-record' in refused.value.errors[0].detail
    # the other way round is fine: the child's own sub-customer moves up under the parent
    company.merge('Customer', '1', child['Id'])
    moved = company.read('Customer', grandchild['Id'])
    assert moved['ParentRef']['value'] == '1' and moved['FullyQualifiedName'] == "Amy's Bird Sanctuary:Amy III"
    assert moved['Level'] == 1


def test_merging_items_and_accounts_repoints_lines_and_account_references(company):
    seeded = sum(company.read('Account', a)['CurrentBalance'] for a in (CHECKING, SAVINGS))   # the seeded history
    invoice = _invoice(company, '1', 75, item_id='4')
    company.merge('Item', '3', '4')             # Gardening into Design (both services)
    line = company.read('Invoice', invoice['Id'])['Line'][0]['SalesItemLineDetail']
    assert line['ItemRef'] == {'value': '3', 'name': 'Design'}
    payment = company.create('Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': 75,
                                         'DepositToAccountRef': {'value': SAVINGS}, 'Line': [
                                             {'Amount': 75, 'LinkedTxn': [{'TxnId': invoice['Id'],
                                                                           'TxnType': 'Invoice'}]}]})
    purchase = _purchase(company, '1', account_id=SAVINGS)
    company.merge('Account', CHECKING, SAVINGS)
    assert company.read('Payment', payment['Id'])['DepositToAccountRef'] == {'value': CHECKING, 'name': 'Checking'}
    assert company.read('Purchase', purchase['Id'])['AccountRef'] == {'value': CHECKING, 'name': 'Checking'}
    sales = ACCOUNT_IDS['Sales of Product Income']
    company.merge('Account', ACCOUNT_IDS['Services'], sales)    # both Income: inventory items now post to Services
    assert company.read('Item', '6')['IncomeAccountRef'] == {'value': ACCOUNT_IDS['Services'], 'name': 'Services'}
    assert company.read('Account', CHECKING)['CurrentBalance'] == seeded + Decimal('55')   # 75 in, 20 out


def test_typed_references_move_only_for_the_merged_entity(company, events):
    to_vendor = _purchase(company, '2', 'Vendor')
    to_customer = _purchase(company, '2', 'Customer', customer_id='3')
    merged = company.merge('Vendor', '1', '2')
    assert merged['Id'] == '1' and (events[-1].entity, events[-1].operation) == ('Vendor', 'Merge')
    assert company.read('Purchase', to_vendor['Id'])['EntityRef'] == {
        'value': '1', 'name': 'Books by Bessie', 'type': 'Vendor'}
    assert company.read('Purchase', to_customer['Id'])['EntityRef']['value'] == '2'
    assert company.read('Purchase', to_customer['Id'])['SyncToken'] == '0'


async def test_admin_merge_needs_both_records_and_answers_faults_in_intuits_envelope(sandbox_client, realm_id):
    url = f'/_sandbox/companies/{realm_id}/edits'
    missing = await sandbox_client.post(url, json={'entity': 'Customer', 'operation': 'merge', 'id': '1'})
    assert missing.status_code == 422 and 'merge_id' in missing.text
    itself = await sandbox_client.post(url, json={'entity': 'Customer', 'operation': 'merge', 'id': '1',
                                                  'merge_id': '1'})
    assert itself.status_code == 400 and itself.json()['Fault']['Error'][0]['code'] == '6000'
    unknown = await sandbox_client.post(url, json={'entity': 'Customer', 'operation': 'merge', 'id': '1',
                                                   'merge_id': '2', 'merge_entity': 'Widget'})
    assert unknown.status_code == 400 and unknown.json()['Fault']['Error'][0]['code'] == '2000'
