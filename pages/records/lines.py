"""Editors for a document's parts: item or expense lines, and a payment's amounts applied to open invoices.

Rows are kept in a list in display order; a row's index at save time is the index the service uses in its error
keys (``lines.2.quantity``, ``applications.0.amount``), so each message is put next to the right input.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from nicegui import ui
from nicegui.elements.mixins.validation_element import ValidationElement

from qbsync.formats import LocalFormats
from qbsync.services.errors import NotFound
from qbsync.services.records import RecordView
from qbsync.services.validation import cents, to_decimal

from .inputs import FieldElement, as_text, field_input, read_field
from .specs import APPLICATION_INPUT, LineSpec

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['LineEditor', 'ApplicationEditor', 'decimal_or_none']


def decimal_or_none(text: Any) -> Decimal | None:
    """For the running totals only (the service validates on save): the number typed, or None."""
    try:
        return to_decimal(text)
    except (InvalidOperation, ValueError):
        return None


@dataclass
class _LineRow:
    container: ui.row
    inputs: dict[str, FieldElement]
    amount: ui.label | None = None  # item lines: the computed amount
    item_price: Decimal | None = None  # the chosen item's price, used while the rate is blank


@dataclass
class LineEditor:
    """Add, edit and remove lines; shows each line's amount and the running total."""
    services: Services
    spec: LineSpec
    choices: dict[str, dict[int, str]]  # field kind -> id -> name, for the item and customer pickers
    formats: LocalFormats = field(default_factory=LocalFormats)
    rows: list[_LineRow] = field(default_factory=list)
    added: int = 0
    discount: Callable[[Decimal], Decimal | None] | None = None  # the document's discount for a subtotal; None: unknown

    def build(self, lines: list[Any]) -> None:
        self.container = ui.column().classes('w-full gap-1')
        with ui.row().classes('w-full items-center'):
            ui.button('Add line', icon='add', on_click=lambda: self.add(None)).props('flat').mark('add-line')
            ui.space()
            self.total = ui.label().classes('text-lg font-bold').mark('lines-total')
        for line in lines or [None]:
            self.add(line)

    def add(self, line: Any) -> None:
        # markers count every line ever added (a removed line's number is not reused); error keys use positions
        serial, self.added = self.added, self.added + 1
        with self.container:
            with ui.row().classes('w-full items-start gap-2 wrap lg:flex-nowrap border-b pb-2 lg:border-0 lg:pb-0') \
                    as container:
                inputs = {spec.name: field_input(spec, getattr(line, spec.name) if line else _default(spec.name),
                                                 choices=self.choices.get(spec.kind), dense=True,
                                                 marker=f'line-{serial}-{spec.name}') for spec in self.spec.fields}
                row = _LineRow(container, inputs)
                if self.spec.amount_from_quantity:
                    row.amount = ui.label().classes('w-28 text-right pt-3').mark(f'line-{serial}-amount')
                ui.button(icon='delete', on_click=lambda r=row: self.remove(r)) \
                    .props('flat round dense aria-label="Remove this line"') \
                    .mark(f'line-{serial}-remove')
        self.rows.append(row)
        for name, element in inputs.items():
            if name == 'item_id':
                element.on_value_change(lambda e, r=row: self._item_chosen(r, e.value))
            else:
                element.on_value_change(self.update_total)
        self.update_total()

    def remove(self, row: _LineRow) -> None:
        self.rows.remove(row)
        row.container.delete()
        self.update_total()

    def values(self) -> list[Any]:
        return [self.spec.input_type(**{spec.name: read_field(spec, row.inputs[spec.name])
                                        for spec in self.spec.fields}) for row in self.rows]

    def error_targets(self) -> dict[str, ValidationElement]:
        return {f'lines.{index}.{name}': element for index, row in enumerate(self.rows)
                for name, element in row.inputs.items() if isinstance(element, ValidationElement)}

    def update_total(self) -> None:
        total = Decimal('0.00')
        complete = True
        for row in self.rows:
            amount = self._amount(row)
            if row.amount is not None:
                row.amount.set_text(self.formats.money(amount) if amount is not None else '—')
            if amount is None:
                complete = False
            else:
                total += amount
        off = self.discount(total) if self.discount is not None else Decimal('0')
        shown = self.formats.money(total - (off or 0))
        after = f' after a discount of {self.formats.money(off)}' if off else ''
        if not complete:
            self.total.set_text(f'Total so far {shown}{after} (some lines incomplete)')
        elif off is None:
            self.total.set_text(f'Total {shown} before the discount (not a number yet)')
        else:
            self.total.set_text(f'Total {shown}{after}')

    def _amount(self, row: _LineRow) -> Decimal | None:
        if not self.spec.amount_from_quantity:
            amount = decimal_or_none(row.inputs['amount'].value)
            return amount if amount is not None and amount >= 0 else None
        quantity = decimal_or_none(row.inputs['quantity'].value)
        rate_text = as_text(row.inputs['unit_price'].value).strip()
        rate = decimal_or_none(rate_text) if rate_text else row.item_price
        if quantity is None or rate is None or quantity < 0 or rate < 0:
            return None  # the service refuses it: the live total must not show what the saved invoice cannot have
        return cents(quantity * rate)

    async def _item_chosen(self, row: _LineRow, item_id: int | None) -> None:
        """Like QuickBooks: choosing an item fills in its description and price, unless already typed."""
        row.item_price = None
        if isinstance(item_id, int):
            try:
                item = (await self.services.records.get('item', item_id)).record
            except NotFound:
                item = None
            if item is not None:
                row.item_price = item.unit_price
                if not as_text(row.inputs['description'].value).strip():
                    row.inputs['description'].value = item.description
                if not as_text(row.inputs['unit_price'].value).strip():
                    row.inputs['unit_price'].value = as_text(item.unit_price)
        self.update_total()


def _default(name: str) -> Any:
    return '1' if name == 'quantity' else None


@dataclass
class _Application:
    invoice: RecordView
    amount: ui.input


@dataclass
class ApplicationEditor:
    """A payment's amounts applied to the customer's open invoices (blank = not applied)."""
    services: Services
    payment_id: int | None
    payment_amount: Callable[[], str]
    applied: dict[int, Decimal] = field(default_factory=dict)  # invoice id -> amount, when editing
    formats: LocalFormats = field(default_factory=LocalFormats)
    rows: list[_Application] = field(default_factory=list)

    def build(self) -> None:
        with ui.row().classes('w-full items-center'):
            ui.label('Apply to open invoices').classes('text-lg font-bold')
            ui.space()
            ui.button('Apply to the oldest first', icon='playlist_add_check', on_click=self.apply_oldest_first) \
                .props('flat').mark('apply-oldest')
        self.container = ui.column().classes('w-full gap-1')
        self.summary = ui.label().classes('font-bold').mark('applied-total')

    async def load(self, customer_id: int | None) -> None:
        """Show ``customer_id``'s open invoices (keeping amounts already typed for the same invoices)."""
        typed = {row.invoice.id: row.amount.value for row in self.rows}
        self.rows.clear()
        self.container.clear()
        invoices = await self.services.records.open_invoices(customer_id, payment_id=self.payment_id) \
            if isinstance(customer_id, int) else []
        with self.container:
            if not invoices:
                ui.label('Choose a customer to see their open invoices.' if customer_id is None
                         else 'This customer has no open invoices.').classes('text-grey-7').mark('no-open-invoices')
            for view in invoices:
                with ui.row().classes('w-full items-center gap-x-4 gap-y-1 wrap').mark(f'open-invoice-{view.id}'):
                    ui.label(f'Invoice {view.record.doc_number}').classes('w-40 font-bold')
                    ui.label(f'dated {self.formats.date(view.record.txn_date)}').classes('w-40')
                    ui.label(f'open {self.formats.money(view.balance)}').classes('w-40 qb-money')
                    value = typed.get(view.id, as_text(self.applied.get(view.id)))
                    amount = ui.input('Amount applied', value=value).props('dense outlined inputmode=decimal') \
                        .classes('w-40').mark(f'apply-{view.id}')
                    amount.on_value_change(self.update_summary)
                self.rows.append(_Application(view, amount))
        self.update_summary()

    def values(self) -> list[Any]:
        return [APPLICATION_INPUT(invoice_id=row.invoice.id, amount=as_text(row.amount.value).strip())
                for row in self._applied_rows()]

    def error_targets(self) -> dict[str, ValidationElement]:
        targets: dict[str, ValidationElement] = {}
        for index, row in enumerate(self._applied_rows()):
            targets[f'applications.{index}.amount'] = row.amount
            targets[f'applications.{index}.invoice_id'] = row.amount
        return targets

    def apply_oldest_first(self) -> None:
        """Spread the payment amount over the open invoices, oldest first, as QuickBooks suggests."""
        left = decimal_or_none(self.payment_amount())
        if left is None or left <= 0:
            ui.notify('Enter the amount received first.', type='warning')
            return
        for row in self.rows:
            share = min(left, row.invoice.balance or Decimal('0'))
            row.amount.value = as_text(share) if share > 0 else ''
            left -= max(share, Decimal('0'))
        self.update_summary()

    def update_summary(self) -> None:
        amounts = [decimal_or_none(row.amount.value) for row in self._applied_rows()]
        total = sum((a for a in amounts if a is not None), Decimal('0.00'))
        self.summary.set_text(f'Applied {self.formats.money(total)}' if self.rows else '')

    def _applied_rows(self) -> list[_Application]:
        return [row for row in self.rows if as_text(row.amount.value).strip()]
