"""Sales forms other than invoices and credit memos: SalesReceipt (paid on the spot), RefundReceipt (money paid back)
and Estimate (a quote, which moves no money and closes when an invoice is made from it, .links).

They share Invoice's lines, tax, numbering (one sequence for all sales forms, as when custom transaction numbers
are off) and customer defaults. A receipt's money goes to (or comes from) ``DepositToAccountRef``: Undeposited Funds
by default for a sales receipt (so a deposit can take it, after which it is locked: 6540); a refund must name the
bank or credit card account it is paid from. Receipts are voided with ``operation=update&include=void``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import faults
from .base import Context, RefRule
from .deposit import check_not_deposited
from .ledger import account_of_subtype
from .sales import SalesType
from .txn import ZERO
from .values import ref_id, to_date

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['SalesReceiptType', 'RefundReceiptType', 'EstimateType']

_RECEIPT_REFS = tuple(RefRule(r.path, r.targets, required=False, inactive=r.inactive, named=r.named)
                      if r.path == 'CustomerRef' else r for r in SalesType.refs) + (
    RefRule('PaymentMethodRef', ('PaymentMethod',)),)


class _ReceiptType(SalesType):
    fields = SalesType.fields | {'PaymentMethodRef', 'PaymentRefNum', 'CreditCardPayment'}
    computed = frozenset({'TotalAmt', 'Balance', 'DeliveryInfo'})
    refs = _RECEIPT_REFS
    lengths = {**SalesType.lengths, 'PaymentRefNum': 21}

    def money_account(self, company: Company, obj: dict[str, Any]) -> str | None:
        return ref_id(obj.get('DepositToAccountRef'))

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        if obj.get('CustomerRef'):
            self.customer_defaults(ctx, obj)
        super().compute(ctx, obj)

    def compute_balance(self, ctx: Context, obj: dict[str, Any]) -> None:
        obj['Balance'] = ZERO            # paid in full when made
        obj.pop('LinkedTxn', None)


class SalesReceiptType(_ReceiptType):
    name, path = 'SalesReceipt', 'salesreceipt'

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().derive_lines(ctx, obj)
        if 'DepositToAccountRef' not in obj and (funds := account_of_subtype(ctx.company, 'UndepositedFunds')):
            obj['DepositToAccountRef'] = {'value': funds}

    def check_locked(self, company: Company, existing: dict[str, Any], operation: str) -> None:
        check_not_deposited(company, self.name, existing['Id'])


class RefundReceiptType(_ReceiptType):
    name, path = 'RefundReceipt', 'refundreceipt'
    sign = -1
    operations = SalesType.operations

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        if 'DepositToAccountRef' not in obj:
            raise faults.required_param('DepositToAccountRef')
        account = ctx.company.get_object('Account', ref_id(obj['DepositToAccountRef']) or '') or {}
        if account.get('AccountType') not in ('Bank', 'Credit Card', 'Other Current Asset') or \
                account.get('AccountSubType') == 'UndepositedFunds':
            raise faults.business_validation('A refund is paid from a bank, credit card or other current asset '
                                             'account other than Undeposited Funds.', 'DepositToAccountRef')
        super().rules(ctx, obj)


class EstimateType(SalesType):
    """Estimate: ``TxnStatus`` Pending/Accepted/Closed/Rejected; Closed once an invoice names it in LinkedTxn."""

    name, path = 'Estimate', 'estimate'
    operations = SalesType.operations - {'void'}
    posts = False
    fields = SalesType.fields | {'TxnStatus', 'ExpirationDate', 'AcceptedBy', 'AcceptedDate', 'DueDate'}
    computed = frozenset({'TotalAmt', 'LinkedTxn', 'DeliveryInfo'})
    enums = {**SalesType.enums, 'TxnStatus': ('Pending', 'Accepted', 'Closed', 'Rejected')}
    defaults = {**SalesType.defaults, 'TxnStatus': 'Pending'}
    filterable = SalesType.filterable - {'Balance'} | {'TxnStatus', 'ExpirationDate'}

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        self.customer_defaults(ctx, obj)
        for field in ('ExpirationDate', 'AcceptedDate', 'DueDate'):
            if field in obj:
                obj[field] = to_date(obj[field], field).isoformat()
        super().compute(ctx, obj)

    def compute_balance(self, ctx: Context, obj: dict[str, Any]) -> None:
        obj.pop('Balance', None)
        if not obj.get('LinkedTxn'):
            obj.pop('LinkedTxn', None)

    def before_delete(self, company: Company, existing: dict[str, Any]) -> None:
        if existing.get('LinkedTxn'):
            raise faults.business_validation(f"Estimate {existing['Id']} has invoices made from it; delete them "
                                             f"first.")

