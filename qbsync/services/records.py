"""The business's records for the pages: paged, searchable lists, a record with its lines, create and update.

Every row carries its QuickBooks status for the active company (see ``record_status``), read in the same query
as the rows. Every change bumps ``version`` and ``updated_at``, which is what makes a record pending again; an
update that changes nothing writes nothing.

Entity types: 'customer', 'item', 'invoice', 'payment', 'expense', 'credit_memo' (``qbsync.sync.entities``).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db import Database
from ..models import (CreditMemo, CreditMemoLine, Customer, Expense, ExpenseLine, Invoice, InvoiceLine, Item, Payment,
                      PaymentApplication)
from ..mapping.tax import discount_total
from ..models.versioning import write_if_version
from . import record_rules as rules
from .errors import NotFound, ValidationError
from .record_inputs import (CreditMemoInput, CustomerInput, ExpenseInput, ExpenseLineInput, InvoiceInput, ItemInput,
                            PaymentApplicationInput, PaymentInput, RecordInput, SalesLineInput)
from ..sync.record_status import QuickBooksStatus, SyncState, link_alias, link_condition, status_case

__all__ = ['RecordService', 'RecordView', 'RecordPage', 'SyncState', 'QuickBooksStatus', 'input_from_view',
           'ENTITY_TYPES', 'MAX_PAGE_SIZE']

MAX_PAGE_SIZE = 200
CHANGED_MEANWHILE = 'This record was changed meanwhile; reload it and try again (your input is kept)'
ZERO = Decimal('0.00')


@dataclass
class RecordView:
    """One record as the pages show it. ``lines`` holds invoice/expense/credit memo lines, or a payment's
    applications. ``total``: document total (payment: amount). ``balance``: what is still open (invoice: unpaid;
    payment: not applied to invoices; credit memo: the credit). ``None`` where not meaningful."""
    entity_type: str
    record: Any
    sync: SyncState
    customer_name: str = ''
    total: Decimal | None = None
    balance: Decimal | None = None
    lines: list[Any] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.record.id


@dataclass
class RecordPage:
    rows: list[RecordView]
    total: int  # rows matching the search and filters, over all pages
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class _Kind:
    entity_type: str
    model: type[SQLModel]
    input_type: type
    draft: Callable[[AsyncSession, Any, Any], Awaitable[rules.Draft]]
    search: tuple[Any, ...]  # columns matched by the search box
    order: tuple[Any, ...]  # default ordering (indexed)
    sortable: dict[str, Any]
    line_model: type[SQLModel] | None = None
    line_key: str = ''  # the lines' foreign key column
    line_input: type | None = None
    unique: str = ''  # the field a uniqueness race would hit


_KINDS: dict[str, _Kind] = {kind.entity_type: kind for kind in (
    _Kind('customer', Customer, CustomerInput, rules.draft_customer,
          search=(Customer.display_name, Customer.company_name, Customer.email, Customer.phone),
          order=(col(Customer.display_name),), unique='display_name',
          sortable={'display_name': Customer.display_name, 'email': Customer.email,
                    'updated_at': Customer.updated_at}),
    _Kind('item', Item, ItemInput, rules.draft_item, search=(Item.name, Item.sku, Item.description),
          order=(col(Item.name),), unique='name',
          sortable={'name': Item.name, 'updated_at': Item.updated_at}),
    _Kind('invoice', Invoice, InvoiceInput, rules.draft_invoice,
          search=(Invoice.doc_number, Customer.display_name, Invoice.memo),
          order=(col(Invoice.txn_date).desc(), col(Invoice.id).desc()), unique='doc_number',
          sortable={'txn_date': Invoice.txn_date, 'due_date': Invoice.due_date, 'doc_number': Invoice.doc_number,
                    'updated_at': Invoice.updated_at},
          line_model=InvoiceLine, line_key='invoice_id', line_input=SalesLineInput),
    _Kind('payment', Payment, PaymentInput, rules.draft_payment,
          search=(Payment.reference, Customer.display_name, Payment.memo),
          order=(col(Payment.txn_date).desc(), col(Payment.id).desc()),
          sortable={'txn_date': Payment.txn_date, 'updated_at': Payment.updated_at},
          line_model=PaymentApplication, line_key='payment_id', line_input=PaymentApplicationInput),
    _Kind('expense', Expense, ExpenseInput, rules.draft_expense,
          search=(Expense.payee, Expense.doc_number, Expense.memo),
          order=(col(Expense.txn_date).desc(), col(Expense.id).desc()),
          sortable={'txn_date': Expense.txn_date, 'updated_at': Expense.updated_at},
          line_model=ExpenseLine, line_key='expense_id', line_input=ExpenseLineInput),
    _Kind('credit_memo', CreditMemo, CreditMemoInput, rules.draft_credit_memo,
          search=(CreditMemo.doc_number, Customer.display_name, CreditMemo.memo),
          order=(col(CreditMemo.txn_date).desc(), col(CreditMemo.id).desc()), unique='doc_number',
          sortable={'txn_date': CreditMemo.txn_date, 'doc_number': CreditMemo.doc_number,
                    'updated_at': CreditMemo.updated_at},
          line_model=CreditMemoLine, line_key='credit_memo_id', line_input=SalesLineInput),
)}
ENTITY_TYPES = tuple(_KINDS)
_BY_INPUT = {kind.input_type: kind for kind in _KINDS.values()}


class RecordService:
    def __init__(self, db: Database, *, on_saved: Callable[[str, int], None] | None = None) -> None:
        """:param on_saved: told (entity type, id) after a record was created or changed, e.g. to push it soon"""
        self.db = db
        self.on_saved = on_saved

    async def list_records(self, entity_type: str, *, search: str = '', status: str | None = None,
                           customer_id: int | None = None, page: int = 1, page_size: int = 25,
                           sort: str | None = None, descending: bool = False) -> RecordPage:
        """One page of records, newest first for transactions and by name for lists.

        :param search: matched (case-insensitively, anywhere) against names, numbers, emails and memos
        :param status: only rows with this QuickBooks status (a ``QuickBooksStatus`` value)
        :param customer_id: only this customer's transactions (invoices, payments, credit memos)
        :param sort: a key of the type's sortable columns; unknown keys raise ValidationError
        """
        kind = _kind(entity_type)
        page, page_size = max(1, int(page)), max(1, min(int(page_size), MAX_PAGE_SIZE))
        query = _filtered(kind, *_rows_query(kind), search=search, status=status, customer_id=customer_id)
        if sort:
            if sort not in kind.sortable:
                raise ValidationError({'sort': f'Sort by one of: {", ".join(kind.sortable)}'})
            column = col(kind.sortable[sort])
            query = query.order_by(column.desc() if descending else column.asc(), _id(kind.model).desc())
        else:
            query = query.order_by(*kind.order)
        async with self.db.session() as session:
            count = (await session.exec(select(func.count()).select_from(query.order_by(None).subquery()))).one()
            found = (await session.exec(query.offset((page - 1) * page_size).limit(page_size))).all()
            rows = await _views(session, kind, found)
        return RecordPage(rows=rows, total=int(count), page=page, page_size=page_size)

    async def get(self, entity_type: str, record_id: int) -> RecordView:
        """The record with its lines (ordered) and status; NotFound if it does not exist."""
        kind = _kind(entity_type)
        async with self.db.session() as session:
            return await _get(session, kind, record_id)

    async def create(self, data: RecordInput) -> RecordView:
        kind = _kind_of(data)
        async with self.db.session() as session:
            draft = await kind.draft(session, data, None)
            record = kind.model(**draft.fields)
            session.add(record)
            await _commit(session, kind, lambda: _add_lines(session, kind, record, draft), record)
            self._saved(kind, record.id)  # type: ignore[attr-defined]
            return await _get(session, kind, record.id)  # type: ignore[attr-defined]

    async def update(self, record_id: int, data: RecordInput, *, expected_version: int | None = None) -> RecordView:
        """Replace the record's fields (and lines) with ``data``.

        :param expected_version: the version the form was loaded with; when the record changed since (another user,
            or a change pulled from QuickBooks), nothing is written and ValidationError names 'version'.
        """
        kind = _kind_of(data)
        async with self.db.session() as session:
            record = await session.get(kind.model, record_id)
            if record is None:
                raise NotFound(f'{kind.entity_type} {record_id} does not exist')
            expected = record.version if expected_version is None else expected_version  # type: ignore[attr-defined]
            if record.version != expected:  # type: ignore[attr-defined]
                raise ValidationError({'version': CHANGED_MEANWHILE})
            draft = await kind.draft(session, data, record)
            if not await _differs(session, kind, record, draft):
                return await _get(session, kind, record_id)

            async def write() -> None:  # the version check and the write are one statement: one of two wins
                if await write_if_version(session, kind.model, record_id, expected, draft.fields) is None:
                    raise ValidationError({'version': CHANGED_MEANWHILE})
                if kind.line_model is not None:
                    await session.exec(delete(kind.line_model).where(col(getattr(kind.line_model, kind.line_key))
                                                                     == record_id))  # type: ignore[arg-type]
                    await _add_lines(session, kind, record, draft)
            try:
                await _commit(session, kind, write, record)
            except ValidationError:
                await session.rollback()
                raise
            self._saved(kind, record_id)
            return await _get(session, kind, record_id)

    def _saved(self, kind: _Kind, record_id: int) -> None:
        if self.on_saved is not None:
            self.on_saved(kind.entity_type, record_id)

    async def customer_choices(self, *, active_only: bool = True) -> dict[int, str]:
        """id -> display name, by name: for the customer pickers."""
        query = select(Customer.id, Customer.display_name).order_by(col(Customer.display_name))
        if active_only:
            query = query.where(col(Customer.active))
        async with self.db.session() as session:
            return {i: name for i, name in (await session.exec(query)).all()}

    async def item_choices(self, *, active_only: bool = True) -> dict[int, str]:
        query = select(Item.id, Item.name).order_by(col(Item.name))
        if active_only:
            query = query.where(col(Item.active))
        async with self.db.session() as session:
            return {i: name for i, name in (await session.exec(query)).all()}

    async def open_invoices(self, customer_id: int, *, payment_id: int | None = None) -> list[RecordView]:
        """The customer's invoices with money still owed, oldest first: what a payment can be applied to.
        With ``payment_id`` that payment's own applications count as open (for editing it)."""
        kind = _KINDS['invoice']
        query = (_rows_query(kind)[0].where(Invoice.customer_id == customer_id, col(Invoice.voided).is_(False))
                 .order_by(col(Invoice.txn_date), col(Invoice.id)))
        async with self.db.session() as session:
            views = await _views(session, kind, (await session.exec(query)).all(), exclude_payment_id=payment_id)
        return [view for view in views if view.balance and view.balance > 0]


def input_from_view(view: RecordView) -> RecordInput:
    """The input that would recreate the record as it is: what an edit form starts from."""
    kind = _kind(view.entity_type)
    values = {f.name: getattr(view.record, f.name) for f in dataclasses.fields(kind.input_type)
              if hasattr(view.record, f.name) and f.name not in ('lines', 'applications')}
    if kind.line_input is not None:
        names = [f.name for f in dataclasses.fields(kind.line_input)]
        lines = [kind.line_input(**{n: getattr(line, n) for n in names if hasattr(line, n)}) for line in view.lines]
        values['applications' if kind.entity_type == 'payment' else 'lines'] = lines
    return kind.input_type(**values)


def _kind(entity_type: str) -> _Kind:
    try:
        return _KINDS[entity_type]
    except KeyError:
        raise NotFound(f'Unknown record type {entity_type!r}; one of {", ".join(_KINDS)}') from None


def _kind_of(data: RecordInput) -> _Kind:
    try:
        return _BY_INPUT[type(data)]
    except KeyError:
        raise TypeError(f'not a record input: {type(data).__name__}') from None


def _id(model: type[SQLModel]) -> Any:
    return col(model.id)  # type: ignore[attr-defined]


def _has_customer(kind: _Kind) -> bool:
    return 'customer_id' in kind.model.model_fields


def _rows_query(kind: _Kind) -> tuple[Any, Any]:
    """SELECT record, status, link error, QuickBooks id [, customer name] with the active company's link;
    and the status expression, for filtering."""
    link = link_alias()
    status = status_case(link, kind.model)
    columns: list[Any] = [kind.model, status, link.last_error, link.qbo_id]
    if _has_customer(kind):
        columns.append(Customer.display_name)
    query = select(*columns).select_from(kind.model).outerjoin(link, link_condition(link, kind.model,
                                                                                    kind.entity_type))
    if _has_customer(kind):
        query = query.join(Customer, col(Customer.id) == kind.model.customer_id)  # type: ignore[attr-defined]
    return query, status


def _filtered(kind: _Kind, query: Any, status_column: Any, *, search: str, status: str | None,
              customer_id: int | None) -> Any:
    term = (search or '').replace('\x00', '').strip()  # no stored text holds a NUL, and PostgreSQL refuses one
    if term:
        pattern = '%' + term.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'
        query = query.where(or_(*(col(c).ilike(pattern, escape='\\') for c in kind.search)))
    if status:
        if status not in QuickBooksStatus.ALL:
            raise ValidationError({'status': f'One of: {", ".join(QuickBooksStatus.ALL)}'})
        query = query.where(status_column == status)
    if customer_id is not None:
        if not _has_customer(kind):
            raise ValidationError({'customer_id': f'{kind.entity_type} records have no customer'})
        query = query.where(kind.model.customer_id == customer_id)  # type: ignore[attr-defined]
    return query


async def _views(session: AsyncSession, kind: _Kind, found: Any, *,
                 exclude_payment_id: int | None = None) -> list[RecordView]:
    views = [RecordView(kind.entity_type, row[0], SyncState(row[1], row[2] or '', row[3]),
                        customer_name=row[4] if len(row) > 4 else '') for row in found]
    if not views or kind.line_model is None:
        return views
    ids = [view.id for view in views]
    if kind.entity_type == 'invoice':
        balances = await rules.invoice_balances(session, ids, exclude_payment_id=exclude_payment_id)
        for view in views:
            total, applied = balances[view.id]
            view.total, view.balance = total, ZERO if view.record.voided else total - applied
        return views
    line_model = kind.line_model
    key = col(getattr(line_model, kind.line_key))
    sums = {i: ZERO for i in ids}
    for parent, amount in (await session.exec(select(key, line_model.amount)  # type: ignore[attr-defined]
                                              .where(key.in_(ids)))).all():
        sums[parent] += amount
    for view in views:
        if kind.entity_type == 'payment':
            view.total, view.balance = view.record.amount, view.record.amount - sums[view.id]
        else:
            view.total = sums[view.id] - (discount_total(view.record, sums[view.id])
                                          if kind.entity_type == 'credit_memo' else ZERO)
            view.balance = view.total if kind.entity_type == 'credit_memo' else None
    return views


async def _get(session: AsyncSession, kind: _Kind, record_id: int) -> RecordView:
    found = (await session.exec(_rows_query(kind)[0].where(_id(kind.model) == record_id))).all()
    if not found:
        raise NotFound(f'{kind.entity_type} {record_id} does not exist')
    view = (await _views(session, kind, found))[0]
    view.lines = await _lines(session, kind, record_id)
    return view


async def _lines(session: AsyncSession, kind: _Kind, record_id: int) -> list[Any]:
    if kind.line_model is None:
        return []
    model = kind.line_model
    order = [col(model.line_num)] if 'line_num' in model.model_fields else []  # type: ignore[attr-defined]
    query = select(model).where(getattr(model, kind.line_key) == record_id).order_by(*order, _id(model))
    return list((await session.exec(query)).all())


async def _add_lines(session: AsyncSession, kind: _Kind, record: Any, draft: rules.Draft) -> None:
    if kind.line_model is None or draft.lines is None:
        return
    await session.flush()  # gives a new record its id
    session.add_all([kind.line_model(**{kind.line_key: record.id, **values}) for values in draft.lines])


async def _differs(session: AsyncSession, kind: _Kind, record: Any, draft: rules.Draft) -> bool:
    if any(getattr(record, name) != value for name, value in draft.fields.items()):
        return True
    if draft.lines is None:
        return False
    current = await _lines(session, kind, record.id)
    if len(current) != len(draft.lines):
        return True
    stored = [{name: getattr(line, name) for name in values} for line, values in zip(current, draft.lines, strict=True)]
    return stored != draft.lines


async def _commit(session: AsyncSession, kind: _Kind, before: Callable[[], Awaitable[None]] | None,
                  record: Any) -> None:
    """Write everything in one transaction; a uniqueness race (two users, same name) becomes a field error."""
    try:
        if before is not None:
            await before()
        await session.commit()
    except IntegrityError as error:
        await session.rollback()
        if kind.unique and kind.unique in str(error.orig):
            raise ValidationError({kind.unique: 'Already used by another record'}) from error
        raise
    await session.refresh(record)
