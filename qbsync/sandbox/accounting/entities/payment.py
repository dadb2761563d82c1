"""Payment (receive payment) and BillPayment (pay bills): settlements applied through ``Line[].LinkedTxn``.

Both share one machinery (``SettlementType``): each line settles documents of the party (a customer's invoices and
credit memos, a vendor's bills and vendor credits); applying more than a document's open balance, or more (net of
credits) than TotalAmt, is refused with code 6000 (Intuit's exact code is UNCONFIRMED). Lines are replaced
wholesale on every update, as at Intuit. A Payment may leave money unapplied (``UnappliedAmt``, a credit for the
customer); a BillPayment must apply exactly its TotalAmt (the sandbox has no vendor prepayments). A Payment on a
deposit is locked (6540, .deposit).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from .. import faults
from .base import Context, RefRule
from .deposit import check_not_deposited
from .ledger import CREDITS, Posting, account_of_subtype, applied_to, payment_targets, refresh_linked
from .txn import TXN_FIELDS, ZERO, TransactionType
from .values import money, ref_id, to_decimal

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['PaymentType', 'BillPaymentType', 'SettlementType']


class SettlementType(TransactionType):
    party: ClassVar[str] = 'CustomerRef'
    targets: ClassVar[tuple[str, ...]] = ()
    exact: ClassVar[bool] = False        # the lines must apply all of TotalAmt
    check_doc_number = False
    posts = True
    required = ('TotalAmt',)

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        lines = []
        for line in obj['Line']:
            links = [link for link in line.get('LinkedTxn', []) if isinstance(link, dict) and link.get('TxnId')]
            amount = to_decimal(line.get('Amount', ZERO), 'Line.Amount')
            if not links and amount == 0:
                continue       # an empty line, as python-quickbooks sends by default
            if not links:
                raise faults.required_param('Line.LinkedTxn')
            if amount <= 0:
                raise faults.business_validation('A payment line amount must be positive.', 'Line.Amount')
            lines.append({**line, 'Amount': money(amount),
                          'LinkedTxn': [{'TxnId': str(link['TxnId']).strip(), 'TxnType': link.get('TxnType')}
                                        for link in links]})
        obj['Line'] = lines
        if 'TotalAmt' in obj:
            obj['TotalAmt'] = money(to_decimal(obj['TotalAmt'], 'TotalAmt'))

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        if obj['TotalAmt'] < 0:
            raise faults.business_validation('The payment amount cannot be negative.', 'TotalAmt')
        party_id = ref_id(obj[self.party])
        net = ZERO
        for line in obj['Line']:
            for link in line['LinkedTxn']:
                if link['TxnType'] not in self.targets:
                    raise faults.business_validation(f"A {self.name} is applied to {' and '.join(self.targets)}, "
                                                     f"not {link['TxnType']}.", 'LinkedTxn')
                target = ctx.company.get_object(link['TxnType'], link['TxnId'])
                if target is None:
                    raise faults.object_not_found(link['TxnType'], link['TxnId'])
                if ref_id(target.get(self.party)) != party_id:
                    raise faults.business_validation(f"{link['TxnType']} {link['TxnId']} belongs to another "
                                                     f"{self.party[:-3].lower()}.", 'LinkedTxn')
                other, _ = applied_to(ctx.company, link['TxnType'], link['TxnId'], exclude_payment=obj.get('Id'))
                deposit = Decimal(target.get('Deposit', ZERO))
                open_amount = Decimal(target.get('TotalAmt', ZERO)) - deposit - other
                if line['Amount'] > open_amount:
                    raise faults.business_validation(
                        f"The amount applied to {link['TxnType']} {link['TxnId']} ({line['Amount']}) is more than "
                        f"its open balance ({money(open_amount)}).", 'Line.Amount')
            net += -line['Amount'] if line['LinkedTxn'][0]['TxnType'] in CREDITS else line['Amount']
        if net > obj['TotalAmt'] or (self.exact and net != obj['TotalAmt']):
            raise faults.business_validation(f"The amount applied ({net}) is {'not' if self.exact else 'more than'} "
                                             f"the payment's total ({obj['TotalAmt']}).", 'TotalAmt')
        self.settle(ctx, obj, net)

    def settle(self, ctx: Context, obj: dict[str, Any], net: Decimal) -> None:
        """Fields that follow from what was applied."""

    def after_commit(self, company: Company, stored: dict[str, Any] | None, previous: dict[str, Any] | None) -> None:
        refresh_linked(company, payment_targets(stored) | payment_targets(previous))


class PaymentType(SettlementType):
    name, path = 'Payment', 'payment'
    targets = ('Invoice', 'CreditMemo')
    fields = TXN_FIELDS | {'CustomerRef', 'TotalAmt', 'PaymentRefNum', 'PaymentMethodRef', 'DepositToAccountRef',
                           'ARAccountRef', 'ProcessPayment', 'CreditCardPayment'}
    computed = frozenset({'UnappliedAmt'})
    lengths = {'PrivateNote': 4000, 'PaymentRefNum': 21}
    enums = {'Line[].LinkedTxn[].TxnType': ('Invoice', 'CreditMemo', 'JournalEntry', 'Expense', 'Check',
                                            'CreditCardCredit')}
    refs = (RefRule('CustomerRef', ('Customer',), required=True, inactive='customer'),
            RefRule('PaymentMethodRef', ('PaymentMethod',)), RefRule('DepositToAccountRef', ('Account',)),
            RefRule('ARAccountRef', ('Account',)), RefRule('DepartmentRef', ('Department',)))
    defaults = {'ProcessPayment': False}
    filterable = TransactionType.filterable - {'DocNumber'} | {'CustomerRef', 'PaymentRefNum', 'UnappliedAmt'}

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().derive_lines(ctx, obj)
        if 'DepositToAccountRef' not in obj:
            funds = account_of_subtype(ctx.company, 'UndepositedFunds')
            if funds is not None:
                obj['DepositToAccountRef'] = {'value': funds}

    def settle(self, ctx: Context, obj: dict[str, Any], net: Decimal) -> None:
        obj['UnappliedAmt'] = money(obj['TotalAmt'] - net)

    def postings(self, company: Company, obj: dict[str, Any]) -> list[Posting]:
        total = Decimal(obj.get('TotalAmt', ZERO))
        receivable = ref_id(obj.get('ARAccountRef')) or account_of_subtype(company, 'AccountsReceivable')
        return [(receivable, -total), (ref_id(obj.get('DepositToAccountRef')), total)]

    def check_locked(self, company: Company, existing: dict[str, Any], operation: str) -> None:
        check_not_deposited(company, self.name, existing['Id'])

    def apply_void(self, obj: dict[str, Any]) -> None:
        obj['TotalAmt'] = obj['UnappliedAmt'] = ZERO
        obj['Line'] = []


PAY_ACCOUNTS = {'Check': ('CheckPayment', 'BankAccountRef', 'Bank'),
                'CreditCard': ('CreditCardPayment', 'CCAccountRef', 'Credit Card')}


class BillPaymentType(SettlementType):
    """BillPayment: paid by check (from a bank account) or credit card; void with ``operation=update&include=void``."""

    name, path = 'BillPayment', 'billpayment'
    party = 'VendorRef'
    targets = ('Bill', 'VendorCredit')
    exact = True
    fields = TXN_FIELDS | {'VendorRef', 'PayType', 'CheckPayment', 'CreditCardPayment', 'TotalAmt', 'APAccountRef',
                           'ProcessBillPayment'}
    required = ('TotalAmt', 'PayType')
    enums = {'PayType': tuple(PAY_ACCOUNTS), 'Line[].LinkedTxn[].TxnType': ('Bill', 'VendorCredit'),
             'CheckPayment.PrintStatus': ('NotSet', 'NeedToPrint', 'PrintComplete')}
    refs = (RefRule('VendorRef', ('Vendor',), required=True), RefRule('APAccountRef', ('Account',)),
            RefRule('CheckPayment.BankAccountRef', ('Account',)),
            RefRule('CreditCardPayment.CCAccountRef', ('Account',)), RefRule('DepartmentRef', ('Department',)))
    filterable = TransactionType.filterable | {'VendorRef', 'PayType'}

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().derive_lines(ctx, obj)
        if 'APAccountRef' not in obj and (payable := account_of_subtype(ctx.company, 'AccountsPayable')):
            obj['APAccountRef'] = {'value': payable}

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        section, field, account_type = PAY_ACCOUNTS[obj['PayType']]
        ref = (obj.get(section) or {}).get(field)
        if not ref_id(ref):
            raise faults.required_param(f'{section}.{field}')
        account = ctx.company.get_object('Account', ref_id(ref) or '') or {}
        if account.get('AccountType') != account_type:
            raise faults.business_validation(f'A {obj["PayType"]} bill payment is paid from a {account_type} '
                                             f'account.', f'{section}.{field}')
        obj.pop(next(s for s, _, _ in PAY_ACCOUNTS.values() if s != section), None)
        super().rules(ctx, obj)

    def postings(self, company: Company, obj: dict[str, Any]) -> list[Posting]:
        total = Decimal(obj.get('TotalAmt', ZERO))
        section, field, _ = PAY_ACCOUNTS[obj['PayType']]
        payable = ref_id(obj.get('APAccountRef')) or account_of_subtype(company, 'AccountsPayable')
        return [(payable, total), (ref_id((obj.get(section) or {}).get(field)), -total)]

    def apply_void(self, obj: dict[str, Any]) -> None:
        obj['TotalAmt'] = ZERO
        obj['Line'] = []
