"""The money entities of issue 11 item 2 through the Python API: fields, validation, references, ledger effects,
links, locks (6540), and that they reach webhooks (events), CDC, batch and query like every other entity."""
from __future__ import annotations

from decimal import Decimal


from qbsync.sandbox.accounting.batch import run_batch
from qbsync.sandbox.accounting.cdc import change_data_capture, parse_cdc_request
from sandbox_faults import expect_fault as _fault
from qbsync.sandbox.accounting.seed_us import ACCOUNT_IDS

CHECKING, SAVINGS, CARD = ACCOUNT_IDS['Checking'], ACCOUNT_IDS['Savings'], ACCOUNT_IDS['Mastercard']
FUNDS, AP, AR = ACCOUNT_IDS['Undeposited Funds'], ACCOUNT_IDS['Accounts Payable (A/P)'], \
    ACCOUNT_IDS['Accounts Receivable (A/R)']
RENT, UTILITIES = ACCOUNT_IDS['Rent or Lease'], ACCOUNT_IDS['Utilities']


def _balance(company, account_id) -> Decimal:
    return company.read('Account', account_id)['CurrentBalance']


def _expense(amount, account=RENT):
    return {'Amount': amount, 'DetailType': 'AccountBasedExpenseLineDetail',
            'AccountBasedExpenseLineDetail': {'AccountRef': {'value': account}}}


def _bill(company, vendor='1', amount='300.00', **extra):
    return company.create('Bill', {'VendorRef': {'value': vendor}, 'Line': [_expense(amount)], **extra})


def _sale(amount='100.00'):
    return [{'Amount': amount, 'DetailType': 'SalesItemLineDetail', 'SalesItemLineDetail': {'ItemRef': {'value': '3'}}}]


def test_bills_vendor_credits_and_bill_payments(company, events):
    ap_before, bank_before = _balance(company, AP), _balance(company, CHECKING)
    bill = _bill(company, TxnDate='2026-01-10', SalesTermRef={'value': '3'})
    assert (bill['TotalAmt'], bill['Balance'], bill['DueDate']) == (Decimal('300.00'), Decimal('300.00'), '2026-01-25')
    assert bill['APAccountRef']['value'] == AP and bill['VendorRef']['name'] == 'Books by Bessie'
    assert _bill(company, TxnDate='2026-01-10')['DueDate'] == '2026-02-09'      # the company's default Net 30
    credit = company.create('VendorCredit', {'VendorRef': {'value': '1'}, 'Line': [_expense('50.00')]})
    assert company.read('Vendor', '1')['Balance'] == Decimal('550.00')
    assert _balance(company, AP) == ap_before + Decimal('550.00')
    _fault('2020', company.create, 'Bill', {'Line': [_expense(1)]})
    _fault('2500', company.create, 'Bill', {'VendorRef': {'value': '99'}, 'Line': [_expense(1)]})
    _fault('6000', _bill, company, APAccountRef={'value': CHECKING})
    _fault('2020', company.create, 'Bill', {'VendorRef': {'value': '1'}, 'Line': []})
    check = {'BankAccountRef': {'value': CHECKING}}
    pay = {'VendorRef': {'value': '1'}, 'PayType': 'Check', 'CheckPayment': check, 'TotalAmt': '250.00',
           'Line': [{'Amount': '300.00', 'LinkedTxn': [{'TxnId': bill['Id'], 'TxnType': 'Bill'}]},
                    {'Amount': '50.00', 'LinkedTxn': [{'TxnId': credit['Id'], 'TxnType': 'VendorCredit'}]}]}
    _fault('6000', company.create, 'BillPayment', {**pay, 'TotalAmt': '200.00'})         # must apply exactly
    _fault('2020', company.create, 'BillPayment', {**pay, 'CheckPayment': {}})
    _fault('6000', company.create, 'BillPayment', {**pay, 'PayType': 'CreditCard',
                                                   'CreditCardPayment': {'CCAccountRef': {'value': CHECKING}}})
    _fault('6000', company.create, 'BillPayment', {**pay, 'VendorRef': {'value': '2'}})    # another vendor's bill
    payment = company.create('BillPayment', pay)
    assert company.read('Bill', bill['Id'])['Balance'] == 0
    assert company.read('Bill', bill['Id'])['LinkedTxn'] == [{'TxnId': payment['Id'], 'TxnType': 'BillPayment'}]
    assert company.read('VendorCredit', credit['Id'])['Balance'] == 0
    assert company.read('Vendor', '1')['Balance'] == Decimal('300.00')          # the second bill
    assert _balance(company, CHECKING) == bank_before - Decimal('250.00')
    _fault('6000', company.delete, 'Bill', {'Id': bill['Id'], 'SyncToken': '1'})      # payments applied
    voided = company.void('BillPayment', {'Id': payment['Id'], 'SyncToken': '0'})
    assert voided['TotalAmt'] == 0 and voided['PrivateNote'] == 'Voided'
    assert company.read('Bill', bill['Id'])['Balance'] == Decimal('300.00')
    assert _balance(company, CHECKING) == bank_before
    assert ('Bill', 'Create') in [(e.entity, e.operation) for e in events]
    assert (events[-1].entity, events[-1].operation) in {('Bill', 'Update'), ('VendorCredit', 'Update')}
    assert ('BillPayment', 'Void') in [(e.entity, e.operation) for e in events]


def test_purchase_order_closes_when_a_bill_is_made_from_it(company):
    order = company.create('PurchaseOrder', {'VendorRef': {'value': '6'}, 'Line': [{
        'Amount': '40.00', 'DetailType': 'ItemBasedExpenseLineDetail',
        'ItemBasedExpenseLineDetail': {'ItemRef': {'value': '8'}, 'Qty': 4, 'UnitPrice': 10}}]})
    assert order['POStatus'] == 'Open' and order['TotalAmt'] == Decimal('40.00')
    ap_before = _balance(company, AP)
    company.create('PurchaseOrder', {'VendorRef': {'value': '6'}, 'Line': [_expense(5)]})
    assert _balance(company, AP) == ap_before                                  # orders post nothing
    _fault('6000', _bill, company, vendor='1', LinkedTxn=[{'TxnId': order['Id'], 'TxnType': 'PurchaseOrder'}])
    bill = _bill(company, vendor='6', amount='40.00', LinkedTxn=[{'TxnId': order['Id'], 'TxnType': 'PurchaseOrder'}])
    assert bill['LinkedTxn'] == [{'TxnId': order['Id'], 'TxnType': 'PurchaseOrder'}]
    closed = company.read('PurchaseOrder', order['Id'])
    assert closed['POStatus'] == 'Closed' and closed['LinkedTxn'] == [{'TxnId': bill['Id'], 'TxnType': 'Bill'}]
    _fault('6000', company.delete, 'PurchaseOrder', {'Id': order['Id'], 'SyncToken': closed['SyncToken']})
    company.delete('Bill', {'Id': bill['Id'], 'SyncToken': bill['SyncToken']})
    reopened = company.read('PurchaseOrder', order['Id'])
    assert reopened['POStatus'] == 'Open' and 'LinkedTxn' not in reopened


def test_deposit_takes_undeposited_payments_and_locks_them(company, events):
    invoice = company.create('Invoice', {'CustomerRef': {'value': '1'}, 'Line': _sale('100.00')})
    payment = company.create('Payment', {'CustomerRef': {'value': '1'}, 'TotalAmt': '100.00', 'Line': [
        {'Amount': '100.00', 'LinkedTxn': [{'TxnId': invoice['Id'], 'TxnType': 'Invoice'}]}]})
    receipt = company.create('SalesReceipt', {'CustomerRef': {'value': '2'}, 'Line': _sale('60.00')})
    assert receipt['DepositToAccountRef']['value'] == FUNDS and receipt['Balance'] == 0
    funds_before, bank_before, savings_before = (_balance(company, a) for a in (FUNDS, CHECKING, SAVINGS))
    assert funds_before == company.read('Account', FUNDS)['CurrentBalance']
    deposit = company.create('Deposit', {'DepositToAccountRef': {'value': CHECKING}, 'Line': [
        {'Amount': '100.00', 'LinkedTxn': [{'TxnId': payment['Id'], 'TxnType': 'Payment'}]},
        {'Amount': '60.00', 'LinkedTxn': [{'TxnId': receipt['Id'], 'TxnType': 'SalesReceipt'}]},
        {'Amount': '25.00', 'DetailType': 'DepositLineDetail',
         'DepositLineDetail': {'AccountRef': {'value': ACCOUNT_IDS['Opening Balance Equity']}}}],
        'CashBack': {'AccountRef': {'value': SAVINGS}, 'Amount': '5.00'}})
    assert deposit['TotalAmt'] == Decimal('180.00') and deposit['Line'][0]['LinkedTxn'][0]['TxnLineId'] == '0'
    assert _balance(company, FUNDS) == funds_before - Decimal('160.00')
    assert _balance(company, CHECKING) == bank_before + Decimal('180.00')
    assert _balance(company, SAVINGS) == savings_before + Decimal('5.00')
    fault = _fault('6540', company.update, 'Payment', {'Id': payment['Id'], 'SyncToken': '0', 'sparse': True,
                                                       'PrivateNote': 'changed'})
    assert f"is on Deposit {deposit['Id']}" in fault.errors[0].detail
    _fault('6540', company.void, 'Payment', {'Id': payment['Id'], 'SyncToken': '0'})
    _fault('6540', company.delete, 'SalesReceipt', {'Id': receipt['Id'], 'SyncToken': '0'})
    _fault('6000', company.create, 'Deposit', {'DepositToAccountRef': {'value': SAVINGS}, 'Line': [
        {'Amount': '100.00', 'LinkedTxn': [{'TxnId': payment['Id'], 'TxnType': 'Payment'}]}]})   # already deposited
    _fault('6000', company.create, 'Deposit', {'DepositToAccountRef': {'value': FUNDS}, 'Line': [
        {'Amount': '1.00', 'DepositLineDetail': {'AccountRef': {'value': SAVINGS}}}]})
    _fault('2020', company.create, 'Deposit', {'DepositToAccountRef': {'value': CHECKING}, 'Line': [
        {'Amount': '1.00', 'DetailType': 'DepositLineDetail', 'DepositLineDetail': {}}]})
    company.update('Deposit', {'Id': deposit['Id'], 'SyncToken': '0', 'sparse': True,
                               'Line': deposit['Line'][1:], 'CashBack': None})
    assert company.update('Payment', {'Id': payment['Id'], 'SyncToken': '0', 'sparse': True,
                                      'PrivateNote': 'changed'})['PrivateNote'] == 'changed'   # off the deposit
    company.delete('Deposit', {'Id': deposit['Id'], 'SyncToken': '1'})
    assert company.void('SalesReceipt', {'Id': receipt['Id'], 'SyncToken': '0'})['TotalAmt'] == 0
    assert _balance(company, FUNDS) == funds_before - Decimal('60.00')
    assert [e.operation for e in events if e.entity == 'Deposit'] == ['Create', 'Update', 'Delete']
    direct = company.create('Payment', {'CustomerRef': {'value': '3'}, 'TotalAmt': '10.00',
                                        'DepositToAccountRef': {'value': CHECKING}})
    _fault('6000', company.create, 'Deposit', {'DepositToAccountRef': {'value': SAVINGS}, 'Line': [
        {'Amount': '10.00', 'LinkedTxn': [{'TxnId': direct['Id'], 'TxnType': 'Payment'}]}]})


def test_refund_receipt_and_sales_receipt_tax_and_numbers(company):
    receipt = company.create('SalesReceipt', {'Line': _sale('80.00'), 'PaymentMethodRef': {'value': '1'},
                                              'TxnTaxDetail': {'TxnTaxCodeRef': {'value': '2'}}})
    assert 'CustomerRef' not in receipt and receipt['PaymentMethodRef']['name'] == 'Cash'
    invoice = company.create('Invoice', {'CustomerRef': {'value': '1'}, 'Line': _sale()})
    assert int(invoice['DocNumber']) == int(receipt['DocNumber']) + 1           # one sequence for sales forms
    _fault('2020', company.create, 'RefundReceipt', {'CustomerRef': {'value': '1'}, 'Line': _sale('20.00')})
    _fault('6000', company.create, 'RefundReceipt', {'CustomerRef': {'value': '1'}, 'Line': _sale('20.00'),
                                                     'DepositToAccountRef': {'value': FUNDS}})
    bank_before = _balance(company, CHECKING)
    refund = company.create('RefundReceipt', {'CustomerRef': {'value': '1'}, 'Line': _sale('20.00'),
                                              'DepositToAccountRef': {'value': CHECKING}})
    assert refund['TotalAmt'] == Decimal('20.00') and refund['Balance'] == 0
    assert _balance(company, CHECKING) == bank_before - Decimal('20.00')
    assert company.pdf('RefundReceipt', refund['Id']).startswith(b'%PDF')


def test_estimate_links_to_the_invoice_made_from_it(company):
    estimate = company.create('Estimate', {'CustomerRef': {'value': '2'}, 'Line': _sale('500.00'),
                                           'ExpirationDate': '2026-03-01'})
    assert estimate['TxnStatus'] == 'Pending' and 'Balance' not in estimate and estimate['BillEmail']
    ar_before = _balance(company, AR)
    assert _balance(company, AR) == ar_before                                 # estimates post nothing
    _fault('6000', company.create, 'Invoice', {'CustomerRef': {'value': '1'}, 'Line': _sale(),
                                               'LinkedTxn': [{'TxnId': estimate['Id'], 'TxnType': 'Estimate'}]})
    _fault('610', company.create, 'Invoice', {'CustomerRef': {'value': '2'}, 'Line': _sale(),
                                              'LinkedTxn': [{'TxnId': '999', 'TxnType': 'Estimate'}]})
    invoice = company.create('Invoice', {'CustomerRef': {'value': '2'}, 'Line': _sale('500.00'),
                                         'LinkedTxn': [{'TxnId': estimate['Id'], 'TxnType': 'Estimate'}]})
    assert invoice['LinkedTxn'] == [{'TxnId': estimate['Id'], 'TxnType': 'Estimate'}]
    closed = company.read('Estimate', estimate['Id'])
    assert closed['TxnStatus'] == 'Closed' and closed['LinkedTxn'] == [{'TxnId': invoice['Id'],
                                                                        'TxnType': 'Invoice'}]
    payment = company.create('Payment', {'CustomerRef': {'value': '2'}, 'TotalAmt': '200.00', 'Line': [
        {'Amount': '200.00', 'LinkedTxn': [{'TxnId': invoice['Id'], 'TxnType': 'Invoice'}]}]})
    paid = company.read('Invoice', invoice['Id'])
    assert paid['LinkedTxn'] == [{'TxnId': estimate['Id'], 'TxnType': 'Estimate'},
                                 {'TxnId': payment['Id'], 'TxnType': 'Payment'}]
    _fault('500', company.void, 'Estimate', {'Id': estimate['Id'], 'SyncToken': closed['SyncToken']})
    unlinked = company.update('Invoice', {'Id': invoice['Id'], 'SyncToken': paid['SyncToken'], 'sparse': True,
                                          'LinkedTxn': []})
    assert unlinked['LinkedTxn'] == [{'TxnId': payment['Id'], 'TxnType': 'Payment'}]
    assert company.read('Estimate', estimate['Id'])['TxnStatus'] == 'Pending'


def test_journal_entries_transfers_and_credit_card_payments(company):
    def line(kind, amount, account, entity=None):
        detail = {'PostingType': kind, 'AccountRef': {'value': account}}
        if entity:
            detail['Entity'] = {'Type': entity[0], 'EntityRef': {'value': entity[1]}}
        return {'Amount': amount, 'DetailType': 'JournalEntryLineDetail', 'JournalEntryLineDetail': detail}

    equity = ACCOUNT_IDS['Opening Balance Equity']
    before = {account: _balance(company, account) for account in (SAVINGS, CHECKING, CARD, equity)}
    entry = company.create('JournalEntry', {'Line': [line('Debit', '75.00', SAVINGS),
                                                     line('Credit', '75.00', equity)]})
    assert entry['TotalAmt'] == Decimal('75.00') and entry['Adjustment'] is False
    assert _balance(company, SAVINGS) == before[SAVINGS] + Decimal('75.00')
    assert _balance(company, equity) == before[equity] + Decimal('75.00')
    fault = _fault('6000', company.create, 'JournalEntry', {'Line': [line('Debit', '10', SAVINGS),
                                                                      line('Credit', '9', CHECKING)]})
    assert 'not balanced' in fault.errors[0].detail
    _fault('6000', company.create, 'JournalEntry', {'Line': [line('Debit', '10', AR), line('Credit', '10', SAVINGS)]})
    _fault('2170', company.create, 'JournalEntry', {'Line': [line('Both', '10', AR), line('Credit', '10', SAVINGS)]})
    billed = company.create('JournalEntry', {'Line': [line('Debit', '10', AR, ('Customer', '1')),
                                                      line('Credit', '10', SAVINGS)]})
    assert billed['Line'][0]['JournalEntryLineDetail']['Entity']['EntityRef']['name'] == "Amy's Bird Sanctuary"
    assert company.read('Customer', '1')['Balance'] == 0         # a journal line is not an invoice
    transfer = company.create('Transfer', {'FromAccountRef': {'value': SAVINGS}, 'ToAccountRef': {'value': CHECKING},
                                           'Amount': '40'})
    assert transfer['Amount'] == Decimal('40.00') and 'Line' not in transfer
    assert _balance(company, CHECKING) == before[CHECKING] + Decimal('40.00')
    _fault('6000', company.create, 'Transfer', {'FromAccountRef': {'value': SAVINGS},
                                                'ToAccountRef': {'value': SAVINGS}, 'Amount': 1})
    _fault('6000', company.create, 'Transfer', {'FromAccountRef': {'value': SAVINGS},
                                                'ToAccountRef': {'value': RENT}, 'Amount': 1})
    _fault('2020', company.create, 'Transfer', {'FromAccountRef': {'value': SAVINGS},
                                                'ToAccountRef': {'value': CHECKING}})
    charge = company.create('Purchase', {'PaymentType': 'CreditCard', 'AccountRef': {'value': CARD},
                                         'Line': [_expense('30.00', UTILITIES)]})
    assert charge and _balance(company, CARD) == before[CARD] + Decimal('30.00')
    paid = company.create('CreditCardPayment', {'CreditCardAccountRef': {'value': CARD},
                                                'BankAccountRef': {'value': CHECKING}, 'Amount': '30.00'})
    assert paid['Amount'] == Decimal('30.00') and _balance(company, CARD) == before[CARD]
    assert _balance(company, CHECKING) == before[CHECKING] + Decimal('10.00')
    _fault('6000', company.create, 'CreditCardPayment', {'CreditCardAccountRef': {'value': CHECKING},
                                                         'BankAccountRef': {'value': SAVINGS}, 'Amount': 1})


def test_time_activity(company):
    entry = company.create('TimeActivity', {'NameOf': 'Employee', 'EmployeeRef': {'value': '1'},
                                            'CustomerRef': {'value': '1'}, 'BillableStatus': 'Billable',
                                            'HourlyRate': '55', 'Hours': 3, 'Minutes': 30, 'TxnDate': '2026-01-12'})
    assert (entry['Hours'], entry['Minutes'], entry['EmployeeRef']['name']) == (3, 30, 'Emily Platt')
    assert 'CurrencyRef' not in entry and 'DocNumber' not in entry
    clocked = company.create('TimeActivity', {'NameOf': 'Vendor', 'VendorRef': {'value': '2'},
                                              'StartTime': '2026-01-12T08:00:00-08:00',
                                              'EndTime': '2026-01-12T12:00:00-08:00'})
    assert clocked['BillableStatus'] == 'NotBillable'
    _fault('2020', company.create, 'TimeActivity', {'NameOf': 'Employee', 'Hours': 1})
    _fault('2020', company.create, 'TimeActivity', {'NameOf': 'Employee', 'EmployeeRef': {'value': '1'}})
    _fault('2020', company.create, 'TimeActivity', {'NameOf': 'Employee', 'EmployeeRef': {'value': '1'},
                                                    'Hours': 1, 'BillableStatus': 'Billable'})
    _fault('6000', company.create, 'TimeActivity', {'NameOf': 'Employee', 'EmployeeRef': {'value': '1'},
                                                    'Hours': 1, 'StartTime': '2026-01-12T08:00:00-08:00'})
    _fault('6000', company.create, 'TimeActivity', {'NameOf': 'Vendor', 'VendorRef': {'value': '2'},
                                                    'StartTime': '2026-01-12T08:00:00-08:00',
                                                    'EndTime': '2026-01-12T07:00:00-08:00'})
    _fault('2090', company.create, 'TimeActivity', {'NameOf': 'Employee', 'EmployeeRef': {'value': '1'},
                                                    'Hours': 1, 'Minutes': 75})
    found = company.query("select * from TimeActivity where NameOf = 'Vendor'")
    assert [t['Id'] for t in found['TimeActivity']] == [clocked['Id']]


def test_new_entities_in_batch_cdc_and_query(company, clock):
    since = company.time_string()
    answers = run_batch(company, {'BatchItemRequest': [
        {'bId': '1', 'operation': 'create', 'Bill': {'VendorRef': {'value': '2'}, 'Line': [_expense('12.00')]}},
        {'bId': '2', 'operation': 'create', 'SalesReceipt': {'Line': _sale('9.00')}},
        {'bId': '3', 'operation': 'create', 'Transfer': {'FromAccountRef': {'value': SAVINGS},
                                                          'ToAccountRef': {'value': CHECKING}, 'Amount': 1}},
        {'bId': '4', 'operation': 'create', 'Estimate': {'CustomerRef': {'value': '1'}, 'Line': _sale()}},
        {'bId': '5', 'operation': 'create', 'Deposit': {'DepositToAccountRef': {'value': CHECKING}, 'Line': []}}]})
    assert answers[0]['Bill']['TotalAmt'] == Decimal('12.00') and answers[1]['SalesReceipt']['TotalAmt']
    assert answers[2]['Transfer']['Amount'] == Decimal('1.00') and answers[3]['Estimate']['TxnStatus'] == 'Pending'
    assert answers[4]['Fault']['Error'][0]['code'] == '2020'
    changed = change_data_capture(company, parse_cdc_request(company, 'Bill,SalesReceipt,Transfer,Estimate,Deposit',
                                                             since))
    elements = changed[0]['QueryResponse']
    assert [next(iter(e), None) for e in elements] == ['Bill', 'SalesReceipt', 'Transfer', 'Estimate', None]
    found = company.query("select * from Bill where VendorRef = '2' and Balance > '0'")
    assert any(b['Id'] == answers[0]['Bill']['Id'] for b in found['Bill'])
    deleted = company.delete('Transfer', {'Id': answers[2]['Transfer']['Id'], 'SyncToken': '0'})
    assert deleted['status'] == 'Deleted'
