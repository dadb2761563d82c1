"""Sending invoices and credit memos by email (``/send``) and printing them (``/pdf``), through the real routes."""
from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import pytest

from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState
from qbsync.sandbox.accounting.faults import QBOFault
from qbsync.sandbox.accounting.wire import dumps, loads

OCTET = {'Content-Type': 'application/octet-stream'}
JSON = {'Content-Type': 'application/json'}
LINES = [{'Amount': 150, 'Description': 'March consulting', 'DetailType': 'SalesItemLineDetail',
          'SalesItemLineDetail': {'ItemRef': {'value': '3'}, 'Qty': 2, 'UnitPrice': 75}},
         {'Amount': 1234.5, 'DetailType': 'SalesItemLineDetail',
          'SalesItemLineDetail': {'ItemRef': {'value': '5'}}}]


async def _create(qbo_api, entity='invoice', **fields):
    response = await qbo_api.post(f'/{entity}', json={'CustomerRef': {'value': '1'}, 'Line': LINES, **fields})
    assert response.status_code == 200, response.text
    return next(iter(loads(response.content).values()))


def _fault(response, code, element=None):
    assert response.status_code == 400 and response.headers['content-type'].startswith('application/json')
    [error] = response.json()['Fault']['Error']
    assert error['code'] == code, error
    if element is not None:
        assert error['element'] == element
    return error


async def test_send_marks_the_invoice_sent_and_announces_emailed(qbo_api, sandbox_state, clock, events):
    invoice = await _create(qbo_api)
    assert invoice['EmailStatus'] == 'NotSet' and invoice['BillEmail'] == {'Address': 'Birds@Intuit.com'}
    clock.advance(minutes=5)
    response = await qbo_api.post(f"/invoice/{invoice['Id']}/send", content=b'', headers=OCTET)
    assert response.status_code == 200
    body = loads(response.content)
    sent = body['Invoice']
    assert body['time'] == '2026-01-15T09:05:00.000-08:00'
    assert sent['EmailStatus'] == 'EmailSent'
    assert sent['DeliveryInfo'] == {'DeliveryType': 'Email', 'DeliveryTime': '2026-01-15T09:05:00-08:00'}
    assert sent['BillEmail'] == {'Address': 'Birds@Intuit.com'}
    assert sent['SyncToken'] == '1' and sent['MetaData']['LastUpdatedTime'] == '2026-01-15T09:05:00-08:00'
    assert sent['TotalAmt'] == invoice['TotalAmt'] and sent['Line'] == invoice['Line']
    assert [(e.entity, e.entity_id, e.operation) for e in events[-1:]] == [('Invoice', invoice['Id'], 'Emailed')]
    assert 'Update' not in [e.operation for e in events if e.entity_id == invoice['Id'] and e.entity == 'Invoice']
    read = loads((await qbo_api.get(f"/invoice/{invoice['Id']}")).content)['Invoice']
    assert read['EmailStatus'] == 'EmailSent' and read['DeliveryInfo'] == sent['DeliveryInfo']
    # DeliveryInfo is read-only: a full update that leaves it out keeps it, one that sends another is ignored
    full = {k: v for k, v in read.items() if k not in ('DeliveryInfo', 'MetaData')}
    body = dumps({**full, 'DeliveryInfo': {'DeliveryType': 'Print'}, 'PrivateNote': 'edited'})
    updated = loads((await qbo_api.post('/invoice', content=body, headers=JSON)).content)['Invoice']
    assert updated['DeliveryInfo'] == sent['DeliveryInfo'] and updated['SyncToken'] == '2'


async def test_send_to_replaces_the_billing_address_after_checking_it(qbo_api, events):
    invoice = await _create(qbo_api)
    bad = await qbo_api.post(f"/invoice/{invoice['Id']}/send", params={'sendTo': 'not-an-address'}, headers=OCTET)
    error = _fault(bad, '2050', 'sendTo')
    assert 'not-an-address' in error['Detail']
    _fault(await qbo_api.post(f"/invoice/{invoice['Id']}/send", params={'sendTo': 'ap@nodot'}, headers=OCTET), '2050')
    _fault(await qbo_api.post(f"/invoice/{invoice['Id']}/send", params={'sendTo': f"{'a' * 95}@x.com"},
                              headers=OCTET), '2050', 'sendTo')   # longer than BillEmail.Address allows (100)
    unchanged = loads((await qbo_api.get(f"/invoice/{invoice['Id']}")).content)['Invoice']
    assert unchanged['SyncToken'] == '0' and unchanged['EmailStatus'] == 'NotSet' and events[-1].operation == 'Create'
    sent = await qbo_api.post(f"/invoice/{invoice['Id']}/send", params={'sendTo': 'ap@acme.example'}, headers=OCTET)
    assert loads(sent.content)['Invoice']['BillEmail'] == {'Address': 'ap@acme.example'}


async def test_send_without_any_address_is_refused(qbo_api):
    invoice = await _create(qbo_api)
    cleared = await qbo_api.post('/invoice', json={'Id': invoice['Id'], 'SyncToken': '0', 'sparse': True,
                                                   'BillEmail': None})
    assert 'BillEmail' not in loads(cleared.content)['Invoice']
    error = _fault(await qbo_api.post(f"/invoice/{invoice['Id']}/send", headers=OCTET), '2020', 'BillEmail.Address')
    assert 'sendTo' in error['Detail']


async def test_credit_memos_send_too_other_entities_and_ids_do_not(qbo_api, events):
    memo = await _create(qbo_api, 'creditmemo')
    sent = await qbo_api.post(f"/creditmemo/{memo['Id']}/send", params={'sendTo': 'refunds@acme.example'},
                              headers=OCTET)
    assert loads(sent.content)['CreditMemo']['EmailStatus'] == 'EmailSent'
    assert (events[-1].entity, events[-1].operation) == ('CreditMemo', 'Emailed')
    _fault(await qbo_api.post('/invoice/9999/send', headers=OCTET), '610')
    _fault(await qbo_api.post('/customer/1/send', headers=OCTET), '500')
    _fault(await qbo_api.post('/widget/1/send', headers=OCTET), '2000')


async def test_send_is_replayed_by_requestid(qbo_api, events):
    invoice = await _create(qbo_api)
    first = await qbo_api.post(f"/invoice/{invoice['Id']}/send?requestid=send-1", headers=OCTET)
    again = await qbo_api.post(f"/invoice/{invoice['Id']}/send?requestid=send-1", headers=OCTET)
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert [e.operation for e in events].count('Emailed') == 1
    other = await qbo_api.post(f"/invoice/{invoice['Id']}/send?requestid=send-2", headers=OCTET)
    assert loads(other.content)['Invoice']['SyncToken'] == '2'


async def test_send_needs_a_valid_token(sandbox_client, realm_id):
    response = await sandbox_client.post(f'/v3/company/{realm_id}/invoice/1/send', headers=OCTET)
    assert response.status_code == 401 and response.json()['fault']['error'][0]['code'] == '3200'


async def test_forty_emails_per_company_day(qbo_api, sandbox_state, realm_id, clock, test_app):
    company = sandbox_state.companies.get(realm_id)
    invoice = await _create(qbo_api)
    for _ in range(40):
        company.send('Invoice', invoice['Id'])
    refused = await qbo_api.post(f"/invoice/{invoice['Id']}/send", headers=OCTET)
    error = _fault(refused, '6000')
    assert '40 emails for 2026-01-15' in error['Detail']

    def fresh_token() -> None:        # access tokens live an hour; the clock jumps further
        tokens = sandbox_state.grants.connect(test_app.client_id, realm_id)
        qbo_api.headers['Authorization'] = f'Bearer {tokens.access_token}'

    clock.advance(hours=14)           # 07:00 UTC on the 16th is still the 15th in California
    fresh_token()
    _fault(await qbo_api.post(f"/invoice/{invoice['Id']}/send", headers=OCTET), '6000')
    clock.advance(hours=1)            # midnight in the company's zone: a new day
    fresh_token()
    assert (await qbo_api.post(f"/invoice/{invoice['Id']}/send", headers=OCTET)).status_code == 200


def test_the_email_limit_is_a_setting_and_a_reseed_clears_the_count():
    state = SandboxState(SandboxConfig(clock=ManualClock(), emails_per_day=2))
    company = state.companies.get(state.default_realm_id)
    invoice = company.create('Invoice', {'CustomerRef': {'value': '2'}, 'Line': LINES})
    company.send('Invoice', invoice['Id'])
    company.send('Invoice', invoice['Id'], 'second@acme.example, third@acme.example')
    with pytest.raises(QBOFault) as refused:
        company.send('Invoice', invoice['Id'])
    assert refused.value.code == '6000'
    state.companies.reset(state.default_realm_id)
    again = company.create('Invoice', {'CustomerRef': {'value': '2'}, 'Line': LINES})
    assert company.send('Invoice', again['Id'])['EmailStatus'] == 'EmailSent'


def _pdf_text(content: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(content), strict=True)
    return reader, '\n'.join(page.extract_text() for page in reader.pages)


async def test_invoice_pdf_shows_the_document(qbo_api, sandbox_state, realm_id):
    invoice = await _create(qbo_api, CustomerMemo={'value': 'Thank you (really) for your business!'})
    response = await qbo_api.get(f"/invoice/{invoice['Id']}/pdf", headers={'Accept': 'application/pdf'})
    assert response.status_code == 200 and response.headers['content-type'] == 'application/pdf'
    assert response.content.startswith(b'%PDF-1.4') and response.content.rstrip().endswith(b'%%EOF')
    reader, text = _pdf_text(response.content)
    assert len(reader.pages) == 1 and reader.metadata.title == f"Invoice {invoice['DocNumber']}"
    company_name = sandbox_state.companies.get(realm_id).name
    for expected in (company_name, 'INVOICE', invoice['DocNumber'], '01/15/2026', '02/14/2026', 'Net 30',
                     "Amy's Bird Sanctuary", 'Birds@Intuit.com', 'March consulting', '$75.00', '$150.00',
                     'Installation', '$1,234.50', 'TOTAL $1,384.50', 'BALANCE DUE $1,384.50',
                     'Thank you (really) for your business!', 'Page 1 of 1'):
        assert expected in text, expected
    again = await qbo_api.get(f"/invoice/{invoice['Id']}/pdf")
    assert again.content == response.content          # the same document prints the same bytes


async def test_long_credit_memo_runs_onto_more_pages(qbo_api):
    lines = [{'Amount': n, 'Description': f'Returned part {n} ' + 'with a long description ' * 3,
              'DetailType': 'SalesItemLineDetail', 'SalesItemLineDetail': {'ItemRef': {'value': '1'}}}
             for n in range(1, 61)]
    memo = await _create(qbo_api, 'creditmemo', Line=lines)
    response = await qbo_api.get(f"/creditmemo/{memo['Id']}/pdf")
    reader, text = _pdf_text(response.content)
    assert len(reader.pages) > 1 and f'Page 2 of {len(reader.pages)}' in text
    assert 'CREDIT MEMO' in text and 'Returned part 60' in text and 'REMAINING CREDIT $1,830.00' in text


async def test_pdf_faults_stay_json(qbo_api, sandbox_client, realm_id):
    _fault(await qbo_api.get('/invoice/9999/pdf', headers={'Accept': 'application/pdf'}), '610')
    _fault(await qbo_api.get('/payment/1/pdf'), '500')
    assert (await sandbox_client.get(f'/v3/company/{realm_id}/invoice/1/pdf')).status_code == 401


async def test_deleted_invoice_can_be_neither_sent_nor_printed(qbo_api):
    invoice = await _create(qbo_api)
    await qbo_api.post('/invoice', params={'operation': 'delete'}, json={'Id': invoice['Id'], 'SyncToken': '0'})
    _fault(await qbo_api.post(f"/invoice/{invoice['Id']}/send", headers=OCTET), '610')
    _fault(await qbo_api.get(f"/invoice/{invoice['Id']}/pdf"), '610')


def test_pdf_writes_what_winansi_cannot_hold_as_question_marks():
    state = SandboxState(SandboxConfig(clock=ManualClock()))
    company = state.companies.get(state.default_realm_id)
    invoice = company.create('Invoice', {'CustomerRef': {'value': '3'}, 'Line': [
        {'Amount': 10, 'Description': 'Café crème \\ (cup) 漢字', 'DetailType': 'SalesItemLineDetail',
         'SalesItemLineDetail': {}}]})
    _, text = _pdf_text(company.pdf('Invoice', invoice['Id']))
    assert 'Café crème \\ (cup) ??' in text


def test_delivery_time_is_in_the_companys_zone():
    clock = ManualClock()
    state = SandboxState(SandboxConfig(clock=clock))
    company = state.companies.get(state.default_realm_id)
    invoice = company.create('Invoice', {'CustomerRef': {'value': '4'}, 'Line': LINES})
    clock.advance(timedelta(hours=8))      # 01:00 UTC on the 16th = 17:00 on the 15th in California
    sent = company.send('Invoice', invoice['Id'])
    assert sent['DeliveryInfo']['DeliveryTime'] == '2026-01-15T17:00:00-08:00'


def test_the_days_email_count_and_a_merge_survive_a_restart(tmp_path):
    clock = ManualClock()
    path = tmp_path / 'sandbox.db'
    state = SandboxState(SandboxConfig(clock=clock, database_path=path, emails_per_day=2))
    company = state.companies.get(state.default_realm_id)
    invoice = company.create('Invoice', {'CustomerRef': {'value': '2'}, 'Line': LINES})
    company.send('Invoice', invoice['Id'])
    company.send('Invoice', invoice['Id'])
    company.merge('Customer', '1', '2')
    state.persistence.close()

    again = SandboxState(SandboxConfig(clock=clock, database_path=path, emails_per_day=2))
    restored = again.companies.get(state.default_realm_id)
    with pytest.raises(QBOFault) as refused:
        restored.send('Invoice', invoice['Id'])
    assert refused.value.code == '6000'
    assert restored.read('Invoice', invoice['Id'])['CustomerRef']['value'] == '1'
    assert restored.get_object('Customer', '2') is None and restored.tombstones['Customer']['2']['status'] == 'Deleted'
    again.persistence.close()
