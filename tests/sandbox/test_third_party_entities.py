"""The entities of issue 11 through python-quickbooks, unchanged, against the live sandbox (fidelity).

Each object is built with the library's own classes and saved, read, queried, updated or voided with its own
methods, so the sandbox has to speak exactly what the library sends and expects back.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.base import LinkedTxn, Ref
from quickbooks.objects.bill import Bill
from quickbooks.objects.billpayment import BillPayment, BillPaymentLine, CheckPayment
from quickbooks.objects.creditcardpayment_entity import CreditCardPayment
from quickbooks.objects.department import Department
from quickbooks.objects.deposit import Deposit, DepositLine, DepositLineDetail
from quickbooks.objects.detailline import (AccountBasedExpenseLine, AccountBasedExpenseLineDetail, SalesItemLine,
                                           SalesItemLineDetail)
from quickbooks.objects.employee import Employee
from quickbooks.objects.estimate import Estimate
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.journalentry import Entity, JournalEntry, JournalEntryLine, JournalEntryLineDetail
from quickbooks.objects.payment import Payment, PaymentLine
from quickbooks.objects.purchaseorder import PurchaseOrder
from quickbooks.objects.refundreceipt import RefundReceipt
from quickbooks.objects.salesreceipt import SalesReceipt
from quickbooks.objects.term import Term
from quickbooks.objects.timeactivity import TimeActivity
from quickbooks.objects.trackingclass import Class
from quickbooks.objects.transfer import Transfer
from quickbooks.objects.vendor import Vendor
from quickbooks.objects.vendorcredit import VendorCredit

from qbsync.sandbox.accounting.seed_us import ACCOUNT_IDS
from test_third_party_client import qb  # noqa: F401  (the fixture: a connected python-quickbooks client)

CHECKING, SAVINGS, CARD = ACCOUNT_IDS['Checking'], ACCOUNT_IDS['Savings'], ACCOUNT_IDS['Mastercard']


def _ref(value: str, name: str = '', kind: str | None = None) -> Ref:
    ref = Ref()
    ref.value, ref.name = value, name
    if kind:
        ref.type = kind
    return ref


def _expense_line(amount: str, account: str = ACCOUNT_IDS['Utilities']) -> AccountBasedExpenseLine:
    line = AccountBasedExpenseLine()
    line.Amount = Decimal(amount)
    line.DetailType = 'AccountBasedExpenseLineDetail'
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = _ref(account)
    return line


def _sales_line(amount: str) -> SalesItemLine:
    line = SalesItemLine()
    line.Amount = Decimal(amount)
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = _ref('3')
    return line


def _linked(txn_id: str, kind: str) -> LinkedTxn:
    link = LinkedTxn()
    link.TxnId, link.TxnType = txn_id, kind
    return link


def test_name_and_tracking_lists(qb):  # noqa: F811
    vendor = Vendor()
    vendor.DisplayName = 'Library Vendor'
    vendor.CompanyName = 'Library Vendor Inc'
    vendor = vendor.save(qb=qb)
    assert vendor.Id and vendor.Balance == 0 and vendor.CurrencyRef.value == 'USD'
    vendor.CompanyName = 'Library Vendor LLC'
    assert vendor.save(qb=qb).SyncToken == '1'
    employee = Employee()
    employee.GivenName, employee.FamilyName = 'Lib', 'Rarian'
    employee = employee.save(qb=qb)
    assert employee.DisplayName == 'Lib Rarian'
    clash = Vendor()
    clash.DisplayName = 'lib rarian'
    with pytest.raises(QuickbooksException) as caught:
        clash.save(qb=qb)
    assert caught.value.error_code == 6240
    parent = Class()
    parent.Name = 'Library'
    parent = parent.save(qb=qb)
    child = Class()
    child.Name, child.SubClass, child.ParentRef = 'Shelves', True, _ref(parent.Id)
    assert child.save(qb=qb).FullyQualifiedName == 'Library:Shelves'
    place = Department()
    place.Name = 'Reading Room'
    assert place.save(qb=qb).FullyQualifiedName == 'Reading Room'
    term = Term()
    term.Name, term.DueDays = 'Net 21', 21
    term = term.save(qb=qb)
    assert term.Type == 'STANDARD' and [t.Id for t in Term.filter(Name='Net 21', qb=qb)] == [term.Id]
    assert {v.Id for v in Vendor.all(max_results=1000, qb=qb)} >= {vendor.Id, '1'}


def test_vendor_money_bills_payments_and_credits(qb):  # noqa: F811
    bill = Bill()
    bill.VendorRef = _ref('3')
    bill.Line = [_expense_line('120.00')]
    bill = bill.save(qb=qb)
    assert bill.TotalAmt == 120 and bill.Balance == 120 and bill.DueDate
    credit = VendorCredit()
    credit.VendorRef = _ref('3')
    credit.Line = [_expense_line('20.00')]
    credit = credit.save(qb=qb)
    payment = BillPayment()
    payment.VendorRef, payment.PayType, payment.TotalAmt = _ref('3'), 'Check', Decimal('100.00')
    payment.CheckPayment = CheckPayment()
    payment.CheckPayment.BankAccountRef = _ref(CHECKING)
    lines = []
    for txn_id, kind, amount in ((bill.Id, 'Bill', '120.00'), (credit.Id, 'VendorCredit', '20.00')):
        line = BillPaymentLine()
        line.Amount = Decimal(amount)
        line.LinkedTxn = [_linked(txn_id, kind)]
        lines.append(line)
    payment.Line = lines
    payment = payment.save(qb=qb)
    assert Bill.get(bill.Id, qb=qb).Balance == 0 and Vendor.get('3', qb=qb).Balance == 0
    payment.void(qb=qb)
    assert BillPayment.get(payment.Id, qb=qb).TotalAmt == 0 and Bill.get(bill.Id, qb=qb).Balance == 120
    order = PurchaseOrder()
    order.VendorRef, order.APAccountRef = _ref('3'), _ref(ACCOUNT_IDS['Accounts Payable (A/P)'])
    order.Line = [_expense_line('15.00')]
    order = order.save(qb=qb)
    assert order.POStatus == 'Open' and order.TotalAmt == 15


def test_deposits_receipts_and_the_6540_lock(qb):  # noqa: F811
    invoice = Invoice()
    invoice.CustomerRef = _ref('2')
    invoice.Line = [_sales_line('70.00')]
    invoice = invoice.save(qb=qb)
    payment = Payment()
    payment.CustomerRef, payment.TotalAmt = _ref('2'), Decimal('70.00')
    line = PaymentLine()
    line.Amount = Decimal('70.00')
    line.LinkedTxn = [_linked(invoice.Id, 'Invoice')]
    payment.Line = [line]
    payment = payment.save(qb=qb)
    receipt = SalesReceipt()
    receipt.CustomerRef = _ref('2')
    receipt.Line = [_sales_line('30.00')]
    receipt = receipt.save(qb=qb)
    assert receipt.TotalAmt == 30 and receipt.DepositToAccountRef.name == 'Undeposited Funds'
    deposit = Deposit()
    deposit.DepositToAccountRef = _ref(CHECKING)
    lines = []
    for txn_id, kind, amount in ((payment.Id, 'Payment', '70.00'), (receipt.Id, 'SalesReceipt', '30.00')):
        line = DepositLine()
        line.Amount = Decimal(amount)
        line.LinkedTxn = [_linked(txn_id, kind)]
        lines.append(line)
    other = DepositLine()
    other.Amount = Decimal('5.00')
    other.DepositLineDetail = DepositLineDetail()
    other.DepositLineDetail.AccountRef = _ref(ACCOUNT_IDS['Opening Balance Equity'])
    deposit.Line = lines + [other]
    deposit = deposit.save(qb=qb)
    assert deposit.TotalAmt == 105
    with pytest.raises(QuickbooksException) as locked:
        payment.void(qb=qb)
    assert locked.value.error_code == 6540
    deposit.delete(qb=qb)
    payment.void(qb=qb)
    refund = RefundReceipt()
    refund.CustomerRef, refund.DepositToAccountRef = _ref('2'), _ref(CHECKING)
    refund.Line = [_sales_line('10.00')]
    assert refund.save(qb=qb).TotalAmt == 10


def test_estimates_journal_entries_transfers_card_payments_and_time(qb):  # noqa: F811
    estimate = Estimate()
    estimate.CustomerRef = _ref('4')
    estimate.Line = [_sales_line('250.00')]
    estimate = estimate.save(qb=qb)
    assert estimate.TxnStatus == 'Pending'
    invoice = Invoice()
    invoice.CustomerRef = _ref('4')
    invoice.Line = [_sales_line('250.00')]
    invoice.LinkedTxn = [_linked(estimate.Id, 'Estimate')]
    invoice = invoice.save(qb=qb)
    assert Estimate.get(estimate.Id, qb=qb).TxnStatus == 'Closed'
    entry = JournalEntry()
    entry.Line = []
    for kind, account, party in (('Debit', ACCOUNT_IDS['Accounts Receivable (A/R)'], '4'), ('Credit', SAVINGS, None)):
        line = JournalEntryLine()
        line.Amount = Decimal('12.50')
        line.JournalEntryLineDetail = JournalEntryLineDetail()
        line.JournalEntryLineDetail.PostingType = kind
        line.JournalEntryLineDetail.AccountRef = _ref(account)
        if party:
            line.JournalEntryLineDetail.Entity = Entity()
            line.JournalEntryLineDetail.Entity.Type = 'Customer'
            line.JournalEntryLineDetail.Entity.EntityRef = _ref(party)
        entry.Line.append(line)
    assert entry.save(qb=qb).TotalAmt == Decimal('12.50')
    transfer = Transfer()
    transfer.FromAccountRef, transfer.ToAccountRef, transfer.Amount = _ref(CHECKING), _ref(SAVINGS), Decimal('9')
    assert transfer.save(qb=qb).Amount == 9
    card = CreditCardPayment()
    card.CreditCardAccountRef, card.BankAccountRef, card.Amount = _ref(CARD), _ref(CHECKING), Decimal('4.00')
    card = card.save(qb=qb)
    assert card.Id and CreditCardPayment.get(card.Id, qb=qb).Amount == 4
    assert card.Id in [c.Id for c in CreditCardPayment.all(qb=qb)]
    time_entry = TimeActivity()
    time_entry.NameOf, time_entry.EmployeeRef = 'Employee', _ref('1')
    time_entry.Hours, time_entry.Minutes = 2, 15
    time_entry = time_entry.save(qb=qb)
    assert (time_entry.Hours, time_entry.Minutes) == (2, 15)
