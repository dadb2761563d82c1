"""python-quickbooks and intuit-oauth, unchanged, against the sandbox on a loopback port (fidelity, item 7).

Only the library's base URL class attributes are pointed at the sandbox; OAUTHLIB_INSECURE_TRANSPORT lets
requests-oauthlib talk plain http to 127.0.0.1 (a configuration switch of oauthlib, not a change to either library).
"""
from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from quickbooks import QuickBooks
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException, ValidationException
from quickbooks.objects.account import Account
from quickbooks.objects.base import EmailAddress, LinkedTxn
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.payment import Payment, PaymentLine

REDIRECT_URI = 'http://localhost:8765/callback'
CLIENT_ID = 'python-quickbooks-fidelity'
SECRET = 'python-quickbooks-secret-123456'


def _connect(live_sandbox) -> tuple[AuthClient, str]:
    """The whole OAuth dance as a user would do it: authorize URL, consent form, callback, code exchange."""
    # throttling off: the live sandbox's manual clock stands still, so 10 requests/second would be hit at once
    live_sandbox.state.apps.register(CLIENT_ID, SECRET, name='Fidelity App', redirect_uris=[REDIRECT_URI],
                                     throttling=False)
    auth_client = AuthClient(CLIENT_ID, SECRET, REDIRECT_URI,
                             environment=f'{live_sandbox.base_url}/.well-known/openid_sandbox_configuration/')
    page = auth_client.get(auth_client.get_authorization_url([Scopes.ACCOUNTING]))
    realm_id = live_sandbox.state.companies.realms()[0].realm_id
    ticket = re.search(r'name="consent_ticket" value="([^"]+)"', page.text).group(1)
    answer = auth_client.post(page.url.split('?')[0], data={'consent_ticket': ticket, 'decision': 'allow',
                                                            'realm_id': realm_id}, allow_redirects=False)
    callback = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers['Location']).query).items()}
    auth_client.get_bearer_token(callback['code'], realm_id=callback['realmId'])
    return auth_client, callback['realmId']


@pytest.fixture
def qb(live_sandbox, monkeypatch) -> QuickBooks:
    monkeypatch.setenv('OAUTHLIB_INSECURE_TRANSPORT', '1')
    monkeypatch.setattr(QuickBooks, 'sandbox_api_url_v3', f'{live_sandbox.base_url}/v3')
    monkeypatch.setattr(QuickBooks, 'api_url_v3', f'{live_sandbox.base_url}/v3')
    auth_client, realm_id = _connect(live_sandbox)
    live_sandbox.state.companies.reset(realm_id)
    return QuickBooks(auth_client=auth_client, company_id=realm_id, minorversion=75)


def test_connect_create_read_update_query_pay_and_void(qb):
    services = Account.filter(Name='Services', qb=qb)[0]
    assert services.AccountType == 'Income'

    customer = Customer()
    customer.DisplayName = 'Fidelity Landscaping'
    customer.CompanyName = 'Fidelity Landscaping LLC'
    customer.PrimaryEmailAddr = EmailAddress()
    customer.PrimaryEmailAddr.Address = 'billing@fidelity.example'
    customer = customer.save(qb=qb)
    assert customer.Id and customer.SyncToken == '0' and customer.Balance == 0

    item = Item()
    item.Name = 'Hedge trimming'
    item.Type = 'Service'
    item.UnitPrice = 60
    item.IncomeAccountRef = services.to_ref()
    item = item.save(qb=qb)
    assert item.Type == 'Service' and item.IncomeAccountRef.value == services.Id

    invoice = Invoice()
    line = SalesItemLine()
    line.Amount = Decimal('180.00')
    line.Description = 'Three hours'
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = item.to_ref()
    line.SalesItemLineDetail.Qty = 3
    line.SalesItemLineDetail.UnitPrice = 60
    invoice.Line.append(line)
    invoice.CustomerRef = customer.to_ref()
    invoice = invoice.save(qb=qb)
    assert invoice.TotalAmt == 180 and invoice.Balance == 180 and invoice.DocNumber

    read_back = Invoice.get(invoice.Id, qb=qb)
    assert read_back.CustomerRef.value == customer.Id
    assert read_back.Line[0].SalesItemLineDetail.ItemRef.name == 'Hedge trimming'

    read_back.PrivateNote = 'Thanks for your business'
    read_back.Line[0].Description = 'Three hours of trimming'
    rewritten = read_back.save(qb=qb)                             # full update of a transaction as read
    assert rewritten.SyncToken == '1' and rewritten.TotalAmt == 180 and rewritten.DocNumber == invoice.DocNumber
    assert rewritten.Line[0].Id == read_back.Line[0].Id and rewritten.Line[0].Description == 'Three hours of trimming'
    assert [line.DetailType for line in rewritten.Line] == ['SalesItemLineDetail', 'SubTotalLineDetail']
    invoice = rewritten

    customer.sparse = True
    customer.Notes = 'Gate code 1234'
    customer = customer.save(qb=qb)                               # sparse update
    assert customer.SyncToken == '1' and customer.Notes == 'Gate code 1234'
    full = Customer.get(customer.Id, qb=qb)
    full.CompanyName = 'Fidelity Landscaping Inc'
    full = full.save(qb=qb)                                       # full update of what was read
    assert full.SyncToken == '2' and full.CompanyName == 'Fidelity Landscaping Inc' and full.Notes == 'Gate code 1234'

    stale = Customer.get(customer.Id, qb=qb)
    stale.SyncToken = '0'
    with pytest.raises(QuickbooksException) as caught:
        stale.save(qb=qb)
    assert caught.value.error_code == 5010

    assert [c.Id for c in Customer.filter(DisplayName='fidelity landscaping', qb=qb)] == [customer.Id]
    assert [i.Id for i in Invoice.query(f"SELECT * FROM Invoice WHERE CustomerRef = '{customer.Id}'", qb=qb)] \
        == [invoice.Id]
    assert Customer.count(qb=qb) == 31 and Customer.count("DisplayName LIKE 'Fidelity%'", qb=qb) == 1
    assert 'Hedge trimming' in [i.Name for i in Item.all(qb=qb)]     # python-quickbooks sends "SELECT *, Sku"

    payment = Payment()
    payment.TotalAmt = 100
    payment.CustomerRef = customer.to_ref()
    applied = PaymentLine()
    applied.Amount = 100
    link = LinkedTxn()
    link.TxnId, link.TxnType = invoice.Id, 'Invoice'
    applied.LinkedTxn.append(link)
    payment.Line.append(applied)
    payment = payment.save(qb=qb)
    assert payment.UnappliedAmt == 0
    assert Invoice.get(invoice.Id, qb=qb).Balance == 80
    assert Customer.get(customer.Id, qb=qb).Balance == 80

    current = Invoice.get(invoice.Id, qb=qb)                      # paying it bumped the invoice's SyncToken
    current.void(qb=qb)
    voided = Invoice.get(invoice.Id, qb=qb)
    assert voided.TotalAmt == 0 and voided.Balance == 0 and voided.PrivateNote.startswith('Voided')
    released = Payment.get(payment.Id, qb=qb)
    assert released.UnappliedAmt == 100 and released.Line == []
    assert Customer.get(customer.Id, qb=qb).Balance == -100       # the payment is now an unapplied credit

    released.void(qb=qb)
    assert Payment.get(payment.Id, qb=qb).TotalAmt == 0
    assert Customer.get(customer.Id, qb=qb).Balance == 0

    with pytest.raises(ObjectNotFoundException):
        Customer.get('99999', qb=qb)
    duplicate = Customer()
    duplicate.DisplayName = 'FIDELITY LANDSCAPING'
    with pytest.raises(QuickbooksException) as caught:
        duplicate.save(qb=qb)
    assert caught.value.error_code == 6240
    nameless = Item()
    nameless.Type = 'Service'
    with pytest.raises(ValidationException) as caught:
        nameless.save(qb=qb)
    assert caught.value.error_code == 2020


def test_send_and_download_pdf(qb):
    invoice = Invoice()
    line = SalesItemLine()
    line.Amount = Decimal('75.00')
    line.Description = 'Design consultation'
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = Item.get(3, qb=qb).to_ref()
    invoice.Line.append(line)
    invoice.CustomerRef = Customer.get(1, qb=qb).to_ref()
    invoice = invoice.save(qb=qb)

    answer = invoice.send(qb=qb, send_to='ap+design@fidelity.example')     # octet-stream POST, no body
    assert answer['Invoice']['EmailStatus'] == 'EmailSent'
    assert answer['Invoice']['BillEmail']['Address'] == 'ap+design@fidelity.example'
    sent = Invoice.get(invoice.Id, qb=qb)
    assert sent.EmailStatus == 'EmailSent' and sent.DeliveryInfo.DeliveryType == 'Email'

    pdf = invoice.download_pdf(qb=qb)
    assert pdf.startswith(b'%PDF-') and b'Design consultation' in pdf
    with pytest.raises(ObjectNotFoundException):
        qb.download_pdf('Invoice', '99999')
