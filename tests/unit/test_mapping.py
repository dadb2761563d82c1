"""Record <-> QuickBooks JSON, per entity: every field the app holds goes out and comes back unchanged."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from qbsync.mapping import Blocked, LocalRecord, MappingError, Refs, from_qbo, to_qbo
from qbsync.models import (CreditMemo, CreditMemoLine, Customer, Expense, ExpenseLine, Invoice, InvoiceLine, Item,
                           MappingPurpose, Payment, PaymentApplication)

SKIP = {'id', 'version', 'created_at', 'updated_at', 'voided'}


def _refs() -> Refs:
    refs = Refs(links={('customer', 1): '58', ('customer', 2): '59', ('item', 3): '21', ('item', 4): '22',
                       ('invoice', 5): '239'},
                accounts={MappingPurpose.INCOME: '79', MappingPurpose.ACCOUNTS_RECEIVABLE: '84',
                          MappingPurpose.EXPENSE_PAYMENT: '35', MappingPurpose.EXPENSE_CATEGORY: '15',
                          MappingPurpose.DEPOSIT: '4'},
                item_income={4: '80'}, category_accounts={'travel': '16'}, inventory_asset='81',
                cost_of_goods_sold='82', taxable_items={3})
    for kind, qbo_id, name in (('Term', '3', 'Net 30'), ('PaymentMethod', '2', 'Check'),
                               ('Vendor', '12', 'Office Depot')):
        refs.add_list_entry(kind, qbo_id, name)
    return refs


def _same(original: LocalRecord, back: LocalRecord) -> None:
    for name in type(original.record).model_fields:
        if name not in SKIP:
            assert getattr(back.record, name) == getattr(original.record, name), name
    assert len(back.lines) == len(original.lines)
    for mine, theirs in zip(original.lines, back.lines, strict=True):
        for name in type(mine).model_fields:
            if name not in {'id', 'invoice_id', 'credit_memo_id', 'payment_id', 'expense_id'}:
                assert getattr(theirs, name) == getattr(mine, name), name


def test_customer_round_trip_and_wire_shape() -> None:
    customer = LocalRecord(Customer(id=1, display_name='Acme', company_name='Acme LLC', given_name='Dana',
                                    family_name='Ortiz', email='ap@acme.example', phone='555-0100', mobile='555-0101',
                                    bill_line1='12 Main St', bill_line2='Suite 4', bill_city='Reno', bill_state='NV',
                                    bill_postal_code='89501', bill_country='USA', terms='Net 30', notes='VIP',
                                    active=False))
    wire = to_qbo('customer', customer, _refs())
    assert wire['SalesTermRef'] == {'value': '3'} and wire['PrimaryEmailAddr'] == {'Address': 'ap@acme.example'}
    assert wire['BillAddr']['CountrySubDivisionCode'] == 'NV' and wire['Active'] is False
    _same(customer, from_qbo('customer', wire, _refs()))


@pytest.mark.parametrize('kind', ['Service', 'NonInventory', 'Inventory'])
def test_item_round_trip_per_type(kind: str) -> None:
    item = LocalRecord(Item(id=4, name='Copper Pipe', kind=kind, description='1/2 inch', sku='CP-12',
                            unit_price=Decimal('12.50'), purchase_cost=Decimal('7.25'),
                            quantity_on_hand=Decimal('40') if kind == 'Inventory' else Decimal('0'), taxable=True,
                            active=True, created_at=datetime(2026, 2, 1, tzinfo=timezone.utc)))
    wire = to_qbo('item', item, _refs())
    assert wire['IncomeAccountRef'] == {'value': '80'}  # the item's own income account wins over the default
    if kind == 'Inventory':
        assert wire['TrackQtyOnHand'] and wire['InvStartDate'] == '2026-02-01'
        assert (wire['AssetAccountRef'], wire['ExpenseAccountRef']) == ({'value': '81'}, {'value': '82'})
    _same(item, from_qbo('item', wire, _refs()))


def _lines(model, owner: str) -> list:  # type: ignore[no-untyped-def]
    extra = {'service_date': date(2026, 3, 1)} if model is InvoiceLine else {}
    return [model(**{owner: 5, 'line_num': 1, 'item_id': 3, 'description': 'March consulting',
                     'quantity': Decimal('2'), 'unit_price': Decimal('150'), 'amount': Decimal('300'), **extra}),
            model(**{owner: 5, 'line_num': 2, 'item_id': 4, 'description': '', 'quantity': Decimal('4'),
                     'unit_price': Decimal('12.50'), 'amount': Decimal('50'),
                     **({'service_date': None} if model is InvoiceLine else {})})]


def test_invoice_round_trip_with_lines_and_tax_codes() -> None:
    invoice = LocalRecord(Invoice(id=5, doc_number='1070', customer_id=1, txn_date=date(2026, 3, 5),
                                  due_date=date(2026, 4, 4), terms='Net 30', bill_email='ap@acme.example',
                                  memo='Thank you', private_note='internal'), _lines(InvoiceLine, 'invoice_id'))
    wire = to_qbo('invoice', invoice, _refs())
    details = [line['SalesItemLineDetail'] for line in wire['Line']]
    assert [d['TaxCodeRef']['value'] for d in details] == ['TAX', 'NON'] and details[0]['ServiceDate'] == '2026-03-01'
    assert wire['CustomerRef'] == {'value': '58'} and wire['CustomerMemo'] == {'value': 'Thank you'}
    _same(invoice, from_qbo('invoice', wire, _refs()))
    numbered_by_quickbooks = _refs()
    numbered_by_quickbooks.custom_txn_numbers = False
    assert 'DocNumber' not in to_qbo('invoice', invoice, numbered_by_quickbooks)


def test_credit_memo_round_trip() -> None:
    memo = LocalRecord(CreditMemo(id=6, doc_number='CM-1', customer_id=2, txn_date=date(2026, 3, 6), memo='Refund',
                                  private_note='returned'), _lines(CreditMemoLine, 'credit_memo_id'))
    _same(memo, from_qbo('credit_memo', to_qbo('credit_memo', memo, _refs()), _refs()))


def test_payment_round_trip_with_the_invoices_it_pays() -> None:
    payment = LocalRecord(Payment(id=7, customer_id=1, txn_date=date(2026, 3, 20), amount=Decimal('310'),
                                  method='Check', reference='4471', memo='March'),
                          [PaymentApplication(payment_id=7, invoice_id=5, amount=Decimal('300'))])
    wire = to_qbo('payment', payment, _refs())
    assert wire['Line'] == [{'Amount': Decimal('300'), 'LinkedTxn': [{'TxnId': '239', 'TxnType': 'Invoice'}]}]
    assert (wire['PaymentMethodRef'], wire['DepositToAccountRef']) == ({'value': '2'}, {'value': '4'})
    _same(payment, from_qbo('payment', wire, _refs()))


def test_expense_round_trip_with_category_accounts_and_billable_customer() -> None:
    expense = LocalRecord(Expense(id=8, txn_date=date(2026, 3, 12), payee='Office Depot', payment_type='Check',
                                  doc_number='E-1', memo='receipt 8812'),
                          [ExpenseLine(expense_id=8, line_num=1, category='Travel', description='Taxi',
                                       amount=Decimal('86.40'), customer_id=2),
                           ExpenseLine(expense_id=8, line_num=2, category='', description='Paper',
                                       amount=Decimal('10'), customer_id=None)])
    refs = _refs()
    wire = to_qbo('expense', expense, refs)
    details = [line['AccountBasedExpenseLineDetail'] for line in wire['Line']]
    assert [d['AccountRef']['value'] for d in details] == ['16', '15']  # the category's account, else the default
    assert details[0]['CustomerRef'] == {'value': '59'} and wire['EntityRef'] == {'value': '12', 'type': 'Vendor'}
    refs.category_accounts['uncategorised'] = '15'
    back = from_qbo('expense', wire, refs)
    assert [line.category for line in back.lines] == ['travel', 'uncategorised']  # accounts name categories back
    expense.lines[0].category, expense.lines[1].category = 'travel', 'uncategorised'
    _same(expense, back)


def test_what_cannot_be_expressed_says_what_to_do() -> None:
    refs = _refs()
    with pytest.raises(MappingError, match="no terms called 'Net 45'") as unknown_terms:
        to_qbo('customer', LocalRecord(Customer(display_name='X', terms='Net 45')), refs)
    assert 'Terms in QuickBooks' in unknown_terms.value.suggestion
    refs.blocked[('customer', 9)] = "Customer 'Gone'"
    with pytest.raises(Blocked, match="Blocked by Customer 'Gone'"):
        to_qbo('invoice', LocalRecord(Invoice(doc_number='1', customer_id=9, txn_date=date(2026, 1, 1))), refs)
    refs.accounts.pop(MappingPurpose.EXPENSE_PAYMENT)
    with pytest.raises(MappingError, match='No account is chosen for the account expenses are paid from'):
        to_qbo('expense', LocalRecord(Expense(txn_date=date(2026, 1, 1))), refs)
