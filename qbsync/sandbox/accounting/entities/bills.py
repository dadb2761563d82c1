"""The vendor side: Bill (owed to a vendor, due by its terms), VendorCredit (owed by the vendor) and PurchaseOrder
(an order, which moves no money until a bill is made from it).

Bills and vendor credits credit and debit Accounts Payable and debit (credit) their expense lines; their
``Balance`` is what bill payments have not settled (.ledger). A bill or vendor credit with bill payments applied
cannot be deleted or voided (6000: delete or change the bill payments first, as QuickBooks asks). A bill made from a
purchase order names it in ``LinkedTxn`` and closes it (.links). Duplicate bill numbers are allowed (the company's
WarnDuplicateBillNum is off, as in a new QuickBooks company).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from .. import faults
from .base import Context, RefRule
from .ledger import Posting, account_of_subtype, applied_to, derived_balance
from .links import check_source_links, refresh_sources, source_keys
from .lists import term_due_date
from .purchase import EXPENSE_LINE_REFS, ExpenseLinesType, expense_postings
from .txn import TXN_FIELDS, ZERO, TransactionType
from .values import ref_id, to_date

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['BillType', 'VendorCreditType', 'PurchaseOrderType']

_VENDOR_FIELDS = TXN_FIELDS | {'VendorRef', 'APAccountRef', 'TxnTaxDetail', 'GlobalTaxCalculation', 'VendorAddr'}
_VENDOR_REFS = (RefRule('VendorRef', ('Vendor',), required=True), RefRule('APAccountRef', ('Account',)),
                *EXPENSE_LINE_REFS)


class VendorDocumentType(ExpenseLinesType):
    """Bill and VendorCredit: A/P documents that bill payments settle."""

    check_doc_number = False
    posts = True
    sign: ClassVar[int] = 1          # +1 the company owes the vendor (bill), -1 the vendor owes the company (credit)
    fields = _VENDOR_FIELDS
    computed = frozenset({'TotalAmt', 'Balance', 'LinkedTxn'})
    refs = _VENDOR_REFS
    filterable = TransactionType.filterable | {'VendorRef', 'Balance'}

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().derive_lines(ctx, obj)
        if 'APAccountRef' not in obj and (payable := account_of_subtype(ctx.company, 'AccountsPayable')):
            obj['APAccountRef'] = {'value': payable}

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        account = ctx.company.get_object('Account', ref_id(obj.get('APAccountRef')) or '') or {}
        if account.get('AccountType') != 'Accounts Payable':
            raise faults.business_validation('APAccountRef must be an Accounts Payable account.', 'APAccountRef')
        super().rules(ctx, obj)

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().compute(ctx, obj)
        balance, links = derived_balance(ctx.company, self.name, obj)
        if balance < 0:
            raise faults.business_validation(f'The {self.name} total is less than what bill payments already '
                                             f'applied to it.', 'TotalAmt')
        obj['Balance'] = balance
        if links:
            obj['LinkedTxn'] = links
        else:
            obj.pop('LinkedTxn', None)

    def postings(self, company: Company, obj: dict[str, Any]) -> list[Posting]:
        payable = ref_id(obj.get('APAccountRef')) or account_of_subtype(company, 'AccountsPayable')
        return [(payable, -self.sign * Decimal(obj.get('TotalAmt', ZERO))),
                *expense_postings(company, obj, self.sign)]

    def before_delete(self, company: Company, existing: dict[str, Any]) -> None:
        _, payments = applied_to(company, self.name, existing['Id'])
        if payments:
            raise faults.business_validation(f"{self.name} {existing['Id']} has bill payments applied "
                                             f"(BillPayment {', '.join(payments)}); delete or change them first.")

    def apply_void(self, obj: dict[str, Any]) -> None:
        super().apply_void(obj)
        obj['Balance'] = ZERO


class BillType(VendorDocumentType):
    name, path = 'Bill', 'bill'
    fields = _VENDOR_FIELDS | {'SalesTermRef', 'DueDate', 'LinkedTxn'}
    refs = (*_VENDOR_REFS, RefRule('SalesTermRef', ('Term',)))
    filterable = VendorDocumentType.filterable | {'DueDate'}

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().derive_lines(ctx, obj)
        check_source_links(ctx.company, self.name, obj)

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        if 'DueDate' in obj:
            obj['DueDate'] = to_date(obj['DueDate'], 'DueDate').isoformat()
        else:
            vendor = ctx.company.get_object('Vendor', ref_id(obj['VendorRef']) or '') or {}
            prefs = ctx.company.get_object('Preferences', '1') or {}
            term_id = (ref_id(obj.get('SalesTermRef')) or ref_id(vendor.get('TermRef'))
                       or ref_id(prefs.get('VendorAndPurchasesPrefs', {}).get('DefaultTerms')))
            term = ctx.company.get_object('Term', term_id or '')
            if term is not None:
                obj.setdefault('SalesTermRef', {'value': term['Id'], 'name': term['Name']})
            obj['DueDate'] = term_due_date(term or {}, self.txn_date(obj)).isoformat()
        super().compute(ctx, obj)

    def after_commit(self, company: Company, stored: dict[str, Any] | None, previous: dict[str, Any] | None) -> None:
        refresh_sources(company, self.name, source_keys(self.name, stored) | source_keys(self.name, previous))


class VendorCreditType(VendorDocumentType):
    name, path = 'VendorCredit', 'vendorcredit'
    operations = frozenset({'create', 'read', 'update', 'delete', 'query'})
    sign = -1


class PurchaseOrderType(ExpenseLinesType):
    """An order to a vendor: no ledger effect; Open until a bill is made from it (or closed by hand)."""

    name, path = 'PurchaseOrder', 'purchaseorder'
    operations = frozenset({'create', 'read', 'update', 'delete', 'query'})
    check_doc_number = False
    fields = _VENDOR_FIELDS | {'POStatus', 'POEmail', 'ShipAddr', 'ShipMethodRef', 'Memo', 'DueDate',
                               'SalesTermRef', 'ShipTo', 'EmailStatus'}
    computed = frozenset({'TotalAmt', 'LinkedTxn'})
    enums = {**ExpenseLinesType.enums, 'POStatus': ('Open', 'Closed'),
             'EmailStatus': ('NotSet', 'NeedToSend', 'EmailSent')}
    refs = (*_VENDOR_REFS, RefRule('SalesTermRef', ('Term',)), RefRule('ShipTo', ('Customer', 'Vendor')))
    defaults = {'POStatus': 'Open', 'EmailStatus': 'NotSet'}
    filterable = TransactionType.filterable | {'VendorRef', 'POStatus'}

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().derive_lines(ctx, obj)
        if 'APAccountRef' not in obj and (payable := account_of_subtype(ctx.company, 'AccountsPayable')):
            obj['APAccountRef'] = {'value': payable}
        if 'DueDate' in obj:
            obj['DueDate'] = to_date(obj['DueDate'], 'DueDate').isoformat()

    def before_delete(self, company: Company, existing: dict[str, Any]) -> None:
        if existing.get('LinkedTxn'):
            raise faults.business_validation(f"PurchaseOrder {existing['Id']} has bills made from it; delete them "
                                             f"first.")
