"""Invoice and CreditMemo: sales lines, computed SubTotal/tax/TotalAmt, and the Balance that payments reduce.

Outside the US a discount line comes off before tax: each line's net is reduced in proportion to its amount, and
tax is figured on what is left (VAT is due on the price actually charged). A ``SalesItemLineDetail`` line without an
ItemRef gets the company's "Services" item, as QuickBooks does (the
UNCONFIRMED alternative, a bare description line, loses the amount's income account). Qty or UnitPrice of 0 count as
"not given" (python-quickbooks sends both as 0 by default and Intuit accepts that), so the 6070 check only applies
when both are non-zero.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import faults
from .base import Context, RefRule
from .ledger import PAYERS, Posting, account_of_subtype, applied_to, derived_balance, refresh_linked
from .links import check_source_links, refresh_sources, source_keys
from .lists import term_due_date
from .tax import global_tax, is_global, tax_account
from .tracking import sales_custom_fields
from .txn import TXN_FIELDS, ZERO, TransactionType, assign_line_ids
from .values import money, ref_id, to_bool, to_date, to_decimal

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['InvoiceType', 'CreditMemoType', 'compute_item_line', 'with_invoice_link']

DEFAULT_ITEM_ID = '1'   # the seeded "Services" item
LINE_TYPES = ('SalesItemLineDetail', 'DescriptionOnly', 'DiscountLineDetail', 'SubTotalLineDetail')
NON_TAXABLE = 'NON'


class SalesType(TransactionType):
    """Sales forms: Invoice, CreditMemo, SalesReceipt, RefundReceipt, Estimate.

    ``sign`` is how the form moves money (+1 owed to or received by the company, -1 owed or paid back to the
    customer) and ``money_account`` where: A/R for invoices and credit memos, the deposit account for receipts.
    """

    operations = TransactionType.operations | {'send', 'pdf'}
    auto_number = True
    taxed = True
    posts = True
    sign = 1
    fields = TXN_FIELDS | {'CustomerRef', 'CustomerMemo', 'BillAddr', 'ShipAddr', 'BillEmail', 'BillEmailCc',
                           'BillEmailBcc', 'EmailStatus', 'PrintStatus', 'TxnTaxDetail', 'ApplyTaxAfterDiscount',
                           'ClassRef', 'ShipDate', 'TrackingNum', 'ShipMethodRef', 'GlobalTaxCalculation',
                           'SalesTermRef', 'DepositToAccountRef'}
    computed = frozenset({'TotalAmt', 'Balance', 'LinkedTxn', 'DeliveryInfo'})   # DeliveryInfo: set by /send
    lengths = {**TransactionType.lengths, 'BillEmail.Address': 100, 'CustomerMemo.value': 1000,
               'TrackingNum': 31}
    enums = {'EmailStatus': ('NotSet', 'NeedToSend', 'EmailSent'),
             'PrintStatus': ('NotSet', 'NeedToPrint', 'PrintComplete'),
             'Line[].DetailType': LINE_TYPES}
    refs = (RefRule('CustomerRef', ('Customer',), required=True, inactive='customer'),
            RefRule('Line[].SalesItemLineDetail.ItemRef', ('Item',)),
            RefRule('Line[].SalesItemLineDetail.TaxCodeRef', ('TaxCode',), named=False),
            RefRule('Line[].SalesItemLineDetail.ClassRef', ('Class',)),
            RefRule('Line[].DiscountLineDetail.DiscountAccountRef', ('Account',)),
            RefRule('TxnTaxDetail.TxnTaxCodeRef', ('TaxCode',), named=False),
            RefRule('SalesTermRef', ('Term',)), RefRule('ClassRef', ('Class',)),
            RefRule('DepartmentRef', ('Department',)), RefRule('DepositToAccountRef', ('Account',)))
    defaults = {'EmailStatus': 'NotSet', 'PrintStatus': 'NotSet', 'ApplyTaxAfterDiscount': False}
    filterable = TransactionType.filterable | {'CustomerRef', 'Balance', 'EmailStatus', 'PrintStatus',
                                               'ClassRef', 'DepartmentRef'}

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        lines = []
        for line in obj['Line']:
            kind = line.get('DetailType') or next((t for t in LINE_TYPES if t in line), 'DescriptionOnly')
            if kind == 'SubTotalLineDetail':
                continue          # always recomputed
            line['DetailType'] = kind
            if kind == 'SalesItemLineDetail':
                detail = line.setdefault('SalesItemLineDetail', {})
                if not ref_id(detail.get('ItemRef')):
                    detail['ItemRef'] = {'value': DEFAULT_ITEM_ID}
                if ctx.company.get_object('TaxCode', NON_TAXABLE) is not None:
                    detail.setdefault('TaxCodeRef', {'value': NON_TAXABLE})   # US companies' pseudo code
            lines.append(line)
        if not lines:
            raise faults.required_param('Line', 'Required parameter Line is missing in the request: at least one '
                                                'line is needed')
        assign_line_ids(ctx, lines)
        obj['Line'] = lines
        sales_custom_fields(ctx.company, obj)

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        subtotal, taxable = ZERO, ZERO
        body, discounts = [], []
        for line in obj['Line']:
            kind = line['DetailType']
            if kind == 'SalesItemLineDetail':
                compute_item_line(line, 'SalesItemLineDetail')
                subtotal += line['Amount']
                if ref_id(line['SalesItemLineDetail'].get('TaxCodeRef')) != NON_TAXABLE:
                    taxable += line['Amount']
                body.append(line)
            elif kind == 'DiscountLineDetail':
                discounts.append(line)
            else:
                line['Amount'] = to_decimal(line.get('Amount', ZERO), 'Line.Amount')
                line.setdefault('DescriptionLineDetail', {}) if kind == 'DescriptionOnly' else None
                body.append(line)
        discount = sum((self._discount(line, subtotal) for line in discounts), ZERO)
        obj['Line'] = body + [{'Amount': money(subtotal), 'DetailType': 'SubTotalLineDetail',
                               'SubTotalLineDetail': {}}] + discounts
        if is_global(ctx.company):   # the discount comes off before tax, over the lines by their amounts
            share = (subtotal - discount) / subtotal if subtotal else Decimal(1)
            tax, net = global_tax(ctx.company, obj, [(line['Amount'] * share,
                                                      line['SalesItemLineDetail'].get('TaxCodeRef'))
                                                     for line in body if 'SalesItemLineDetail' in line])
            obj['TotalAmt'] = money(net + tax)
        else:
            tax = self._tax(ctx, obj, taxable - (discount if to_bool(obj.get('ApplyTaxAfterDiscount')) and subtotal
                                                 and taxable == subtotal else ZERO))
            obj['TotalAmt'] = money(subtotal - discount + tax)
        self.compute_balance(ctx, obj)

    def compute_balance(self, ctx: Context, obj: dict[str, Any]) -> None:
        applied = applied_to(ctx.company, self.name, obj['Id'])[0] if obj.get('Id') else ZERO
        balance, links = derived_balance(ctx.company, self.name, obj)
        if balance < 0:
            raise faults.business_validation(f'The {self.name} total is less than the {applied} already applied '
                                             f'by payments.', 'TotalAmt')
        obj['Balance'], obj['LinkedTxn'] = balance, links
        if not links:
            obj.pop('LinkedTxn')

    @staticmethod
    def _discount(line: dict[str, Any], subtotal: Decimal) -> Decimal:
        detail = line.setdefault('DiscountLineDetail', {})
        if to_bool(detail.get('PercentBased')) and 'DiscountPercent' in detail:
            percent = to_decimal(detail['DiscountPercent'], 'DiscountPercent')
            detail['DiscountPercent'] = percent
            line['Amount'] = money(subtotal * percent / 100)
        else:
            line['Amount'] = money(to_decimal(line.get('Amount', ZERO), 'Line.Amount'))
        return line['Amount']

    @staticmethod
    def _tax(ctx: Context, obj: dict[str, Any], base: Decimal) -> Decimal:
        """Sales tax from TxnTaxCodeRef's rates on the taxable lines; a manual TotalTax is kept without a code."""
        detail = obj.setdefault('TxnTaxDetail', {})
        code = ctx.company.get_object('TaxCode', ref_id(detail.get('TxnTaxCodeRef')) or '') or {}
        rates = [ctx.company.get_object('TaxRate', ref_id(d.get('TaxRateRef')) or '') or {}
                 for d in code.get('SalesTaxRateList', {}).get('TaxRateDetail', [])]
        if not rates:
            detail['TotalTax'] = money(to_decimal(detail.get('TotalTax', ZERO), 'TxnTaxDetail.TotalTax'))
            return detail['TotalTax']
        lines, total = [], ZERO
        for rate in rates:
            percent = Decimal(rate.get('RateValue', ZERO))
            amount = money(base * percent / 100)
            total += amount
            lines.append({'Amount': amount, 'DetailType': 'TaxLineDetail', 'TaxLineDetail': {
                'TaxRateRef': {'value': rate['Id']}, 'PercentBased': True, 'TaxPercent': percent,
                'NetAmountTaxable': money(base)}})
        detail.update({'TotalTax': total, 'TaxLine': lines})
        return total

    def apply_void(self, obj: dict[str, Any]) -> None:
        for line in obj.get('Line', []):
            line['Amount'] = ZERO
            if 'SalesItemLineDetail' in line:
                line['SalesItemLineDetail']['Qty'] = ZERO
        obj['TxnTaxDetail'] = {'TotalTax': ZERO}
        obj['TotalAmt'] = obj['Balance'] = ZERO
        obj.pop('LinkedTxn', None)

    def money_account(self, company: Company, obj: dict[str, Any]) -> str | None:
        return account_of_subtype(company, 'AccountsReceivable')

    def postings(self, company: Company, obj: dict[str, Any]) -> list[Posting]:
        tax = Decimal(obj.get('TxnTaxDetail', {}).get('TotalTax', ZERO))
        return [(self.money_account(company, obj), self.sign * Decimal(obj.get('TotalAmt', ZERO))),
                (tax_account(company), -self.sign * tax)]

    def before_delete(self, company: Company, existing: dict[str, Any]) -> None:
        """Voiding or deleting releases the payments applied to it: they become unapplied credit (as in QBO)."""
        if self.name not in PAYERS:
            return
        _, payments = applied_to(company, self.name, existing['Id'])
        for payment_id in payments:
            payment = {k: v for k, v in company.get_object('Payment', payment_id).items()
                       if k not in ('SyncToken', 'MetaData')}
            kept = [line for line in payment.get('Line', [])
                    if not any(link.get('TxnType') == self.name and str(link.get('TxnId')) == existing['Id']
                               for link in line.get('LinkedTxn', []))]
            payment['Line'] = kept
            payment['UnappliedAmt'] = money(Decimal(payment['TotalAmt']) - _net_applied(kept))
            company.commit('Payment', payment, 'Update')
        refresh_linked(company, [(self.name, existing['Id'])])

    def customer_defaults(self, ctx: Context, obj: dict[str, Any]) -> dict[str, Any]:
        customer = ctx.company.get_object('Customer', ref_id(obj['CustomerRef']) or '') or {}
        if ctx.existing is None:
            for field, source in (('BillAddr', 'BillAddr'), ('ShipAddr', 'ShipAddr'), ('BillEmail',
                                                                                        'PrimaryEmailAddr')):
                if field not in obj and source in customer:
                    obj[field] = dict(customer[source])
        return customer


def _net_applied(lines: list[dict[str, Any]]) -> Decimal:
    total = ZERO
    for line in lines:
        sign = -1 if any(link.get('TxnType') == 'CreditMemo' for link in line.get('LinkedTxn', [])) else 1
        total += sign * Decimal(line.get('Amount', ZERO))
    return total


def compute_item_line(line: dict[str, Any], detail_key: str) -> None:
    """Amount = Qty x UnitPrice when both are given (6070 otherwise); Amount is required when it cannot be derived."""
    detail = line[detail_key]
    qty = to_decimal(detail['Qty'], 'Qty') if 'Qty' in detail else None
    price = to_decimal(detail['UnitPrice'], 'UnitPrice') if 'UnitPrice' in detail else None
    if qty is not None:
        detail['Qty'] = qty
    if price is not None:
        detail['UnitPrice'] = price
    if 'Amount' not in line:
        if not qty or price is None:
            raise faults.required_param('Line.Amount')
        line['Amount'] = money(qty * price)
    amount = to_decimal(line['Amount'], 'Line.Amount')
    if qty and price and money(qty * price) != money(amount):
        raise faults.amount_mismatch(line.get('LineNum', 0), amount, money(qty * price))
    line['Amount'] = money(amount)
    for date_field in ('ServiceDate',):
        if date_field in detail:
            detail[date_field] = to_date(detail[date_field], date_field).isoformat()


class InvoiceType(SalesType):
    name, path = 'Invoice', 'invoice'
    fields = SalesType.fields | {'DueDate', 'Deposit', 'AllowOnlineCreditCardPayment', 'AllowOnlineACHPayment',
                                 'AllowIPNPayment', 'LinkedTxn'}
    filterable = SalesType.filterable | {'DueDate'}

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().derive_lines(ctx, obj)
        check_source_links(ctx.company, self.name, obj)      # made from an estimate

    def after_commit(self, company: Company, stored: dict[str, Any] | None, previous: dict[str, Any] | None) -> None:
        refresh_sources(company, self.name, source_keys(self.name, stored) | source_keys(self.name, previous))

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        customer = self.customer_defaults(ctx, obj)
        obj['Deposit'] = money(to_decimal(obj.get('Deposit', ZERO), 'Deposit'))
        if 'DueDate' in obj:
            obj['DueDate'] = to_date(obj['DueDate'], 'DueDate').isoformat()
        else:
            prefs = ctx.company.get_object('Preferences', '1') or {}
            term_id = (ref_id(obj.get('SalesTermRef')) or ref_id(customer.get('SalesTermRef'))
                       or ref_id(prefs.get('SalesFormsPrefs', {}).get('DefaultTerms')))
            term = ctx.company.get_object('Term', term_id or '')
            if term is not None:
                obj.setdefault('SalesTermRef', {'value': term['Id'], 'name': term['Name']})
            obj['DueDate'] = term_due_date(term or {}, self.txn_date(obj)).isoformat()
        super().compute(ctx, obj)


class CreditMemoType(SalesType):
    name, path = 'CreditMemo', 'creditmemo'
    sign = -1
    fields = SalesType.fields | {'PaymentMethodRef'}
    computed = SalesType.computed | {'RemainingCredit'}
    refs = SalesType.refs + (RefRule('PaymentMethodRef', ('PaymentMethod',)),)

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        self.customer_defaults(ctx, obj)
        super().compute(ctx, obj)
        obj['RemainingCredit'] = obj['Balance']

    def apply_void(self, obj: dict[str, Any]) -> None:
        super().apply_void(obj)
        obj['RemainingCredit'] = ZERO


def with_invoice_link(company: Company, invoice: dict[str, Any]) -> dict[str, Any]:
    """``include=invoiceLink``: the customer's pay-online link, given only when the invoice can be paid online (card
    or ACH allowed) and has a billing email to send it to, as Intuit gives it; otherwise the invoice is unchanged."""
    online = to_bool(invoice.get('AllowOnlineCreditCardPayment')) or to_bool(invoice.get('AllowOnlineACHPayment'))
    if online and (invoice.get('BillEmail') or {}).get('Address'):
        token = hashlib.sha256(f"{company.realm_id}:{invoice['Id']}".encode()).hexdigest()
        invoice['InvoiceLink'] = (f'https://connect.intuit.com/portal/app/CommerceNetwork/view/scs-v1-'
                                  f'{token[:32]}{token[32:64]}?locale=en_US')
    return invoice
