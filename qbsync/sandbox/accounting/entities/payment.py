"""Payment (receive payment): applied to invoices and credit memos through ``Line[].LinkedTxn``.

Applying more than an invoice's open balance, or more (net of credit memos) than TotalAmt, is refused with code
6000 (Intuit's exact code is UNCONFIRMED). Lines are replaced wholesale on every update, as at Intuit.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import faults
from .base import Context, RefRule
from .ledger import LINKABLE, applied_to, payment_targets, refresh_linked
from .txn import TXN_FIELDS, ZERO, TransactionType
from .values import money, ref_id, to_decimal

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['PaymentType']


class PaymentType(TransactionType):
    name, path = 'Payment', 'payment'
    check_doc_number = False   # DocNumber is not even filterable on Payment
    fields = TXN_FIELDS | {'CustomerRef', 'TotalAmt', 'PaymentRefNum', 'PaymentMethodRef', 'DepositToAccountRef',
                           'ARAccountRef', 'ProcessPayment', 'CreditCardPayment'}
    computed = frozenset({'UnappliedAmt'})
    required = ('TotalAmt',)
    lengths = {'PrivateNote': 4000, 'PaymentRefNum': 21}
    enums = {'Line[].LinkedTxn[].TxnType': (*LINKABLE, 'JournalEntry', 'Expense', 'Check', 'CreditCardCredit')}
    refs = (RefRule('CustomerRef', ('Customer',), required=True, inactive='customer'),
            RefRule('PaymentMethodRef', ('PaymentMethod',)), RefRule('DepositToAccountRef', ('Account',)),
            RefRule('ARAccountRef', ('Account',)), RefRule('DepartmentRef', ('Department',)))
    defaults = {'ProcessPayment': False}
    filterable = TransactionType.filterable - {'DocNumber'} | {'CustomerRef', 'PaymentRefNum', 'UnappliedAmt'}

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
        if 'DepositToAccountRef' not in obj:
            funds = next((a for a in ctx.company.iter_objects('Account')
                          if a.get('AccountSubType') == 'UndepositedFunds' and a.get('Active', True)), None)
            if funds is not None:
                obj['DepositToAccountRef'] = {'value': funds['Id'], 'name': funds['Name']}

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        if obj['TotalAmt'] < 0:
            raise faults.business_validation('The payment amount cannot be negative.', 'TotalAmt')
        customer_id = ref_id(obj['CustomerRef'])
        net = ZERO
        for line in obj['Line']:
            for link in line['LinkedTxn']:
                if link['TxnType'] not in LINKABLE:
                    raise faults.business_validation(f"This sandbox applies payments to invoices and credit memos, "
                                                     f"not {link['TxnType']}.", 'LinkedTxn')
                target = ctx.company.get_object(link['TxnType'], link['TxnId'])
                if target is None:
                    raise faults.object_not_found(link['TxnType'], link['TxnId'])
                if ref_id(target.get('CustomerRef')) != customer_id:
                    raise faults.business_validation(f"{link['TxnType']} {link['TxnId']} belongs to another "
                                                     f"customer.", 'LinkedTxn')
                other, _ = applied_to(ctx.company, link['TxnType'], link['TxnId'], exclude_payment=obj.get('Id'))
                deposit = Decimal(target.get('Deposit', ZERO))
                open_amount = Decimal(target.get('TotalAmt', ZERO)) - deposit - other
                if line['Amount'] > open_amount:
                    raise faults.business_validation(
                        f"The amount applied to {link['TxnType']} {link['TxnId']} ({line['Amount']}) is more than "
                        f"its open balance ({money(open_amount)}).", 'Line.Amount')
            net += -line['Amount'] if line['LinkedTxn'][0]['TxnType'] == 'CreditMemo' else line['Amount']
        if net > obj['TotalAmt']:
            raise faults.business_validation(f"The amount applied ({net}) is more than the payment's total "
                                             f"({obj['TotalAmt']}).", 'TotalAmt')
        obj['UnappliedAmt'] = money(obj['TotalAmt'] - net)

    def apply_void(self, obj: dict[str, Any]) -> None:
        obj['TotalAmt'] = obj['UnappliedAmt'] = ZERO
        obj['Line'] = []

    def after_commit(self, company: Company, stored: dict[str, Any] | None, previous: dict[str, Any] | None) -> None:
        refresh_linked(company, payment_targets(stored) | payment_targets(previous))
