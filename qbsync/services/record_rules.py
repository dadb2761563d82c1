"""Per record type: validate a form's input against the model limits and QuickBooks' rules, and turn it into the
values to store (a Draft). Nothing is written here; every problem is reported at once, per field.
"""
from __future__ import annotations

import re
from types import SimpleNamespace
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import (CreditMemo, CreditMemoLine, Customer, Expense, ExpenseLine, Invoice, InvoiceLine, Item, Payment,
                      PaymentApplication)
from .record_inputs import (EXPENSE_PAYMENT_TYPES, ITEM_KINDS, PAYMENT_METHODS, TERMS_DAYS, CreditMemoInput,
                            CustomerInput, ExpenseInput, InvoiceInput, ItemInput, PaymentInput, SalesLineInput)
from .validation import LAST_DATE, MAX_AMOUNT, Checker, cents
from ..mapping.tax import discount_total

__all__ = ['Draft', 'draft_customer', 'draft_item', 'draft_invoice', 'draft_payment', 'draft_expense',
           'draft_credit_memo', 'invoice_balances', 'next_doc_number', 'DOC_NUMBER_PREFIX']

ZERO = Decimal('0.00')
# the free-text fields the Field Mapping tab can send to QuickBooks (class, location, custom fields), per table
_SALES_FIELDS = ('service_area', 'job_number', 'technician', 'po_number')
MAPPED_FIELDS: dict[type[SQLModel], tuple[str, ...]] = {
    Customer: ('class_name', 'location_name', 'customer_type'), Item: ('class_name',), Invoice: _SALES_FIELDS,
    CreditMemo: _SALES_FIELDS, Payment: ('service_area',), Expense: ('service_area',)}
DOC_NUMBER_PREFIX = {Invoice: ('', 1001), CreditMemo: ('CM-', 1001)}


@dataclass
class Draft:
    """Validated column values for the record, and for its lines (None for types without lines)."""
    fields: dict[str, Any]
    lines: list[dict[str, Any]] | None = None


def _mapped(check: Checker, model: type[SQLModel], data: Any) -> dict[str, str]:
    return {name: check.text(name, getattr(data, name), model=model) for name in MAPPED_FIELDS[model]}


async def draft_customer(session: AsyncSession, data: CustomerInput, current: Customer | None) -> Draft:
    check = Checker()
    given = check.text('given_name', data.given_name, model=Customer, name=True)
    family = check.text('family_name', data.family_name, model=Customer, name=True)
    company = check.text('company_name', data.company_name, model=Customer)
    # QuickBooks builds DisplayName from the name parts when none is given; so do we
    display = (data.display_name or '').strip() or ' '.join(part for part in (given, family) if part) or company
    display = check.text('display_name', display, model=Customer, required=True, name=True)
    fields: dict[str, Any] = {'display_name': display, 'company_name': company, 'given_name': given,
                              'family_name': family, 'active': bool(data.active),
                              'email': check.email('email', data.email, model=Customer)}
    for name in ('phone', 'mobile', 'bill_line1', 'bill_line2', 'bill_city', 'bill_state', 'bill_postal_code',
                 'bill_country', 'terms', 'notes', *MAPPED_FIELDS[Customer]):
        fields[name] = check.text(name, getattr(data, name), model=Customer)
    await _check_unique(check, 'display_name', session, Customer.display_name, display, current,
                        'Another customer already has this name')
    check.done()
    return Draft(fields)


async def draft_item(session: AsyncSession, data: ItemInput, current: Item | None) -> Draft:
    check = Checker()
    name = check.text('name', data.name, model=Item, required=True, name=True)
    kind = check.choice('kind', data.kind, ITEM_KINDS)
    fields: dict[str, Any] = {
        'name': name, 'kind': kind, 'taxable': bool(data.taxable), 'active': bool(data.active),
        'description': check.text('description', data.description, model=Item),
        'sku': check.text('sku', data.sku, model=Item),
        'unit_price': check.decimal('unit_price', data.unit_price, places=5, minimum=ZERO),
        'purchase_cost': check.decimal('purchase_cost', data.purchase_cost, places=5, minimum=ZERO),
        'quantity_on_hand': (check.decimal('quantity_on_hand', data.quantity_on_hand, places=5, min_places=0,
                                           minimum=ZERO) if kind == 'Inventory' else Decimal('0')),
        **_mapped(check, Item, data),
    }
    await _check_unique(check, 'name', session, Item.name, name, current, 'Another item already has this name')
    check.done()
    return Draft(fields)


async def draft_invoice(session: AsyncSession, data: InvoiceInput, current: Invoice | None) -> Draft:
    check = Checker()
    customer = await _customer(check, session, data.customer_id, current)
    txn_date = check.date('txn_date', data.txn_date)
    terms = check.text('terms', data.terms if data.terms is not None else (customer.terms if customer else ''),
                       model=Invoice)
    due_date = check.date('due_date', data.due_date, required=False)
    if due_date is None and txn_date is not None:
        due_date = txn_date + timedelta(days=TERMS_DAYS.get(terms, 0))
        if due_date > LAST_DATE:
            check.fail('txn_date', f'With {terms or "these terms"} the due date would fall after {LAST_DATE}')
    if due_date is not None and txn_date is not None and due_date < txn_date:
        check.fail('due_date', 'Must be on or after the invoice date')
    email = data.bill_email if data.bill_email is not None else (customer.email if customer else '')
    lines = await _sales_lines(check, session, data.lines, current_items=await _line_items(session, current))
    fields: dict[str, Any] = {
        'customer_id': customer.id if customer else None, 'txn_date': txn_date, 'due_date': due_date,
        'terms': terms, 'bill_email': check.email('bill_email', email, model=Invoice),
        'memo': check.text('memo', data.memo, model=Invoice),
        'private_note': check.text('private_note', data.private_note, model=Invoice),
        'voided': bool(data.voided), **_mapped(check, Invoice, data), **_discount(check, data, lines),
    }
    if current is not None:
        applied = (await invoice_balances(session, [current.id]))[current.id][1]  # type: ignore[list-item,index]
        if applied > 0 and data.voided:
            check.fail('voided', f'{applied} in payments is applied to this invoice; remove it from the payments first')
        elif applied > 0 and customer is not None and customer.id != current.customer_id:
            check.fail('customer_id', 'Payments are applied to this invoice; it must stay with its customer')
        elif lines and _net(fields, lines) < applied:
            check.fail('lines', f'The total cannot be less than the {applied} already paid')
    fields['doc_number'] = await _doc_number(check, session, Invoice, data.doc_number, current)
    check.done()
    return Draft(fields, lines)


async def draft_credit_memo(session: AsyncSession, data: CreditMemoInput, current: CreditMemo | None) -> Draft:
    check = Checker()
    customer = await _customer(check, session, data.customer_id, current)
    lines = await _sales_lines(check, session, data.lines, current_items=await _line_items(session, current),
                               with_service_date=False)
    fields: dict[str, Any] = {
        'customer_id': customer.id if customer else None, 'txn_date': check.date('txn_date', data.txn_date),
        'memo': check.text('memo', data.memo, model=CreditMemo),
        'private_note': check.text('private_note', data.private_note, model=CreditMemo),
        'voided': bool(data.voided), **_mapped(check, CreditMemo, data), **_discount(check, data, lines),
    }
    fields['doc_number'] = await _doc_number(check, session, CreditMemo, data.doc_number, current)
    check.done()
    return Draft(fields, lines)


async def draft_payment(session: AsyncSession, data: PaymentInput, current: Payment | None) -> Draft:
    check = Checker()
    customer = await _customer(check, session, data.customer_id, current)
    amount = check.decimal('amount', data.amount, positive=True)
    fields: dict[str, Any] = {
        'customer_id': customer.id if customer else None, 'txn_date': check.date('txn_date', data.txn_date),
        'amount': amount, 'method': check.choice('method', data.method, PAYMENT_METHODS),
        'reference': check.text('reference', data.reference, model=Payment),
        'memo': check.text('memo', data.memo, model=Payment), 'voided': bool(data.voided),
        **_mapped(check, Payment, data),
    }
    ids = [a.invoice_id for a in data.applications if isinstance(a.invoice_id, int)]
    invoices = {row.id: row for row in (await session.exec(select(Invoice).where(col(Invoice.id).in_(ids)))).all()}
    balances = await invoice_balances(session, ids, exclude_payment_id=current.id if current else None)
    lines: list[dict[str, Any]] = []
    seen: set[int] = set()
    for index, application in enumerate(data.applications):
        key = f'applications.{index}'
        invoice = check.reference(f'{key}.invoice_id', application.invoice_id, invoices, label='invoice')
        applied = check.decimal(f'{key}.amount', application.amount, positive=True)
        if invoice is None:
            continue
        total, paid = balances[invoice.id]
        if invoice.id in seen:
            check.fail(f'{key}.invoice_id', 'This invoice is already listed')
        elif customer is not None and invoice.customer_id != customer.id:
            check.fail(f'{key}.invoice_id', 'This invoice belongs to another customer')
        elif invoice.voided:
            check.fail(f'{key}.invoice_id', 'This invoice is voided')
        elif not data.voided and applied > total - paid:
            check.fail(f'{key}.amount', f'More than the open balance of invoice {invoice.doc_number} ({total - paid})')
        seen.add(invoice.id)
        lines.append({'invoice_id': invoice.id, 'amount': applied})
    if sum((line['amount'] for line in lines), ZERO) > amount and 'amount' not in check.errors:
        check.fail('amount', 'Less than the total applied to invoices')
    check.done()
    return Draft(fields, lines)


async def draft_expense(session: AsyncSession, data: ExpenseInput, current: Expense | None) -> Draft:
    check = Checker()
    fields: dict[str, Any] = {
        'txn_date': check.date('txn_date', data.txn_date),
        'payee': check.text('payee', data.payee, model=Expense, name=True),
        'payment_type': check.choice('payment_type', data.payment_type, EXPENSE_PAYMENT_TYPES),
        'doc_number': check.text('doc_number', data.doc_number, model=Expense),
        'memo': check.text('memo', data.memo, model=Expense), 'voided': bool(data.voided),
        **_mapped(check, Expense, data),
    }
    ids = [line.customer_id for line in data.lines if isinstance(line.customer_id, int)]
    customers = await _by_id(session, Customer, ids)
    lines: list[dict[str, Any]] = []
    if not data.lines:
        check.fail('lines', 'Add at least one line')
    for index, line in enumerate(data.lines):
        key = f'lines.{index}'
        customer = check.reference(f'{key}.customer_id', line.customer_id, customers, label='customer',
                                   required=False)
        lines.append({
            'line_num': index + 1,
            'category': check.text(f'{key}.category', line.category, model=ExpenseLine, required=True),
            'description': check.text(f'{key}.description', line.description, model=ExpenseLine),
            'amount': check.decimal(f'{key}.amount', line.amount, positive=True),
            'customer_id': customer.id if customer else None,
        })
    if sum((line['amount'] for line in lines), ZERO) > MAX_AMOUNT:
        check.fail('lines', f'The total must not exceed {MAX_AMOUNT:,}')
    check.done()
    return Draft(fields, lines)


async def invoice_balances(session: AsyncSession, invoice_ids: Iterable[int | None], *,
                           exclude_payment_id: int | None = None) -> dict[int, tuple[Decimal, Decimal]]:
    """invoice id -> (total after its discount, applied by payments that are not voided). Two queries for any
    number of invoices; sums are made in Decimal here because SQL would add the text amounts as floats."""
    ids = sorted({i for i in invoice_ids if i is not None})
    result = {i: (ZERO, ZERO) for i in ids}
    if not ids:
        return result
    totals = {i: ZERO for i in ids}
    discounts: dict[int, Any] = {}
    for row in (await session.exec(select(  # type: ignore[call-overload]
            InvoiceLine.invoice_id, InvoiceLine.amount, Invoice.discount_percent, Invoice.discount_amount)
            .join(Invoice, col(Invoice.id) == InvoiceLine.invoice_id)
            .where(col(InvoiceLine.invoice_id).in_(ids)))).all():
        totals[row.invoice_id] += row.amount
        discounts[row.invoice_id] = row
    for invoice_id, row in discounts.items():
        totals[invoice_id] -= discount_total(row, totals[invoice_id])  # what the customer owes: after the discount
    applied = {i: ZERO for i in ids}
    query = (select(PaymentApplication.invoice_id, PaymentApplication.amount)
             .join(Payment, col(Payment.id) == PaymentApplication.payment_id)
             .where(col(PaymentApplication.invoice_id).in_(ids), col(Payment.voided).is_(False)))
    if exclude_payment_id is not None:
        query = query.where(Payment.id != exclude_payment_id)
    for invoice_id, amount in (await session.exec(query)).all():
        applied[invoice_id] += amount
    return {i: (totals[i], applied[i]) for i in ids}


async def next_doc_number(session: AsyncSession, model: type[Invoice] | type[CreditMemo]) -> str:
    """The next free number after the highest one with this type's prefix ('1001', 'CM-1001'), keeping widths."""
    prefix, start = DOC_NUMBER_PREFIX[model]
    existing = {d.lower() for d in (await session.exec(select(model.doc_number))).all()}
    pattern = re.compile(rf'^{re.escape(prefix.lower())}(\d+)$')
    numbers = [(int(m.group(1)), len(m.group(1))) for m in map(pattern.match, existing) if m]
    number, width = max(numbers) if numbers else (start - 1, 0)
    while True:
        number += 1
        candidate = f'{prefix}{number:0{width}d}'
        if candidate.lower() not in existing:
            return candidate


async def _doc_number(check: Checker, session: AsyncSession, model: type[Invoice] | type[CreditMemo],
                      value: str, current: Any) -> str:
    doc_number = check.text('doc_number', value, model=model)
    if not doc_number:
        return current.doc_number if current is not None else await next_doc_number(session, model)
    await _check_unique(check, 'doc_number', session, model.doc_number, doc_number, current,
                        'This number is already used')
    return doc_number


async def _customer(check: Checker, session: AsyncSession, customer_id: int | None, current: Any) -> Customer | None:
    customers = await _by_id(session, Customer, [customer_id] if isinstance(customer_id, int) else [])
    customer = check.reference('customer_id', customer_id, customers, label='customer')
    newly_chosen = current is None or current.customer_id != customer_id
    if customer is not None and not customer.active and newly_chosen:
        check.fail('customer_id', 'This customer is inactive')
    return customer


async def _sales_lines(check: Checker, session: AsyncSession, lines: Sequence[SalesLineInput], *,
                       current_items: set[int], with_service_date: bool = True) -> list[dict[str, Any]]:
    """Invoice and credit memo lines: an active item, quantity > 0, price >= 0, amount = quantity x price."""
    if not lines:
        check.fail('lines', 'Add at least one line')
    items = await _by_id(session, Item, [line.item_id for line in lines if isinstance(line.item_id, int)])
    result: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        key = f'lines.{index}'
        item = check.reference(f'{key}.item_id', line.item_id, items, label='product or service')
        if item is not None and not item.active and item.id not in current_items:
            check.fail(f'{key}.item_id', 'This item is inactive')
        quantity = check.decimal(f'{key}.quantity', line.quantity, places=5, min_places=0, positive=True)
        price = line.unit_price if line.unit_price is not None else (item.unit_price if item else Decimal('0'))
        unit_price = check.decimal(f'{key}.unit_price', price, places=5, minimum=ZERO)
        amount = cents(quantity * unit_price)
        if amount > MAX_AMOUNT:
            check.fail(f'{key}.quantity', f'The line amount must not exceed {MAX_AMOUNT:,}')
        description = line.description if (line.description or '').strip() or item is None else item.description
        values: dict[str, Any] = {
            'line_num': index + 1, 'item_id': item.id if item else None, 'quantity': quantity,
            'unit_price': unit_price, 'amount': amount,
            'description': check.text(f'{key}.description', description, model=InvoiceLine),
        }
        if with_service_date:
            values['service_date'] = check.date(f'{key}.service_date', line.service_date, required=False)
        values['tax_rate'] = _tax_rate(check, f'{key}.tax_rate', line.tax_rate)
        result.append(values)
    if sum((line['amount'] for line in result), ZERO) > MAX_AMOUNT:
        check.fail('lines', f'The total must not exceed {MAX_AMOUNT:,}')
    return result


def _tax_rate(check: Checker, key: str, value: Any) -> Decimal | None:
    """A line's tax rate in percent (0 to 100, up to 4 decimals); blank: the item's taxable flag decides."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    rate = check.decimal(key, value, places=4, min_places=0, minimum=Decimal('0'))
    if rate > 100:
        check.fail(key, 'At most 100 %')
    return rate


def _discount(check: Checker, data: InvoiceInput | CreditMemoInput, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """A discount on the whole document: a percent (up to 100) or an amount (up to the lines' total), not both."""
    percent = check.decimal('discount_percent', data.discount_percent or '0', places=4, minimum=ZERO)
    amount = check.decimal('discount_amount', data.discount_amount or '0', minimum=ZERO)
    if percent > 100:
        check.fail('discount_percent', 'At most 100 %')
    if percent and amount:
        check.fail('discount_amount', 'Give the discount as a percent or as an amount, not both')
    elif amount > sum((line['amount'] for line in lines), ZERO):
        check.fail('discount_amount', 'More than the total of the lines')
    return {'discount_percent': percent, 'discount_amount': amount}


def _net(fields: dict[str, Any], lines: list[dict[str, Any]]) -> Decimal:
    """A document's total after its discount, from its drafted values."""
    subtotal = sum((line['amount'] for line in lines), ZERO)
    return subtotal - discount_total(SimpleNamespace(**fields), subtotal)


async def _line_items(session: AsyncSession, current: Invoice | CreditMemo | None) -> set[int]:
    """Items already on the record: they may stay even if deactivated since."""
    if current is None:
        return set()
    model, key = (InvoiceLine, InvoiceLine.invoice_id) if isinstance(current, Invoice) else (
        CreditMemoLine, CreditMemoLine.credit_memo_id)
    found = await session.exec(select(model.item_id).where(key == current.id))
    return {i for i in found.all() if i is not None}


async def _by_id(session: AsyncSession, model: type[SQLModel], ids: list[Any]) -> dict[int, Any]:
    if not ids:
        return {}
    found = await session.exec(select(model).where(col(model.id).in_(ids)))  # type: ignore[attr-defined]
    return {row.id: row for row in found.all()}


async def _check_unique(check: Checker, key: str, session: AsyncSession, column: Any, value: str, current: Any,
                        message: str) -> None:
    """Case-insensitive uniqueness, as QuickBooks compares names: ``message`` on the field when the value is taken.

    Only a value that passed its own checks is looked up: a refused one (say, with a NUL character, which
    PostgreSQL cannot even compare) already has its message."""
    if not value or key in check.errors:
        return
    model = column.class_
    query = select(model.id).where(func.lower(column) == value.lower())
    if current is not None:
        query = query.where(model.id != current.id)
    if (await session.exec(query)).first() is not None:
        check.fail(key, message)
