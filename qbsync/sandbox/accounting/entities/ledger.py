"""How payments tie to invoices and credit memos, and the balances that follow from it.

Applications live only in ``Payment.Line[].LinkedTxn`` (as at Intuit); an invoice's ``Balance`` and ``LinkedTxn``
and a credit memo's ``RemainingCredit`` are derived from them and rewritten (a normal Update, SyncToken bumped)
whenever a payment that touches them is created, changed, voided or deleted. Customer and account balances are
derived on read.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable

from .values import money, ref_id

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['LINKABLE', 'applications', 'applied_to', 'refresh_linked', 'customer_balances', 'payment_targets',
           'account_balances', 'vendor_balances']

LINKABLE = ('Invoice', 'CreditMemo')
ZERO = Decimal('0')


def payment_targets(payment: dict[str, Any] | None) -> set[tuple[str, str]]:
    """(TxnType, TxnId) of every invoice or credit memo a payment is applied to."""
    return {key for key, _ in applications(payment)}


def applications(payment: dict[str, Any] | None) -> list[tuple[tuple[str, str], Decimal]]:
    found: list[tuple[tuple[str, str], Decimal]] = []
    for line in (payment or {}).get('Line', []):
        for link in line.get('LinkedTxn', []):
            if link.get('TxnType') in LINKABLE:
                found.append(((link['TxnType'], str(link['TxnId'])), Decimal(line.get('Amount', ZERO))))
    return found


def applied_to(company: Company, txn_type: str, txn_id: str,
               exclude_payment: str | None = None) -> tuple[Decimal, list[str]]:
    """Total applied to one invoice or credit memo by all payments (optionally not counting one of them)."""
    total, payments = ZERO, []
    for payment in company.iter_objects('Payment'):
        if payment['Id'] == exclude_payment:
            continue
        for key, amount in applications(payment):
            if key == (txn_type, txn_id):
                total += amount
                if payment['Id'] not in payments:
                    payments.append(payment['Id'])
    return total, payments


def derived_balance(company: Company, txn_type: str, obj: dict[str, Any]) -> tuple[Decimal, list[dict[str, str]]]:
    applied, payments = applied_to(company, txn_type, obj['Id']) if obj.get('Id') else (ZERO, [])
    deposit = Decimal(obj.get('Deposit', ZERO)) if txn_type == 'Invoice' else ZERO
    balance = money(Decimal(obj.get('TotalAmt', ZERO)) - deposit - applied)
    return balance, [{'TxnId': pid, 'TxnType': 'Payment'} for pid in payments]


def refresh_linked(company: Company, keys: Iterable[tuple[str, str]]) -> None:
    """Recompute Balance/LinkedTxn of the given invoices and credit memos; commit those that changed."""
    for txn_type, txn_id in sorted(set(keys)):
        obj = company.get_object(txn_type, txn_id)
        if obj is None:
            continue
        balance, links = derived_balance(company, txn_type, obj)
        if obj.get('Balance') == balance and obj.get('LinkedTxn', []) == links:
            continue
        updated = {k: v for k, v in obj.items() if k not in ('SyncToken', 'MetaData')}
        updated['Balance'] = balance
        if txn_type == 'CreditMemo':
            updated['RemainingCredit'] = balance
        updated['LinkedTxn'] = links
        company.commit(txn_type, updated, 'Update')


def customer_balances(company: Company) -> dict[str, Decimal]:
    """Open balance per customer: open invoices less unused credit memos and unapplied payments."""
    balances: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for invoice in company.iter_objects('Invoice'):
        balances[ref_id(invoice.get('CustomerRef')) or ''] += Decimal(invoice.get('Balance', ZERO))
    for memo in company.iter_objects('CreditMemo'):
        balances[ref_id(memo.get('CustomerRef')) or ''] -= Decimal(memo.get('Balance', ZERO))
    for payment in company.iter_objects('Payment'):
        balances[ref_id(payment.get('CustomerRef')) or ''] -= Decimal(payment.get('UnappliedAmt', ZERO))
    return balances


def vendor_balances(company: Company) -> dict[str, Decimal]:
    """Open balance per vendor: open bills less unused vendor credits (both derived from bill payments)."""
    balances: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entity, sign in (('Bill', 1), ('VendorCredit', -1)):
        for txn in company.iter_objects(entity):
            balances[ref_id(txn.get('VendorRef')) or ''] += sign * Decimal(txn.get('Balance', ZERO))
    return balances


def account_balances(company: Company) -> dict[str, Decimal]:
    """Balance-sheet movements per account from the transactions this sandbox keeps (debit-positive for assets,
    credit-positive for liabilities and equity, as QuickBooks shows CurrentBalance). Income and expense accounts
    are not balance-sheet accounts and keep a CurrentBalance of 0, as in QuickBooks."""
    accounts = {a['Id']: a for a in company.iter_objects('Account')}
    by_subtype = {a.get('AccountSubType'): a['Id'] for a in reversed(list(accounts.values()))}
    receivable, tax_payable = by_subtype.get('AccountsReceivable'), by_subtype.get('SalesTaxPayable')
    moves: dict[str, Decimal] = defaultdict(lambda: ZERO)

    def debit(account_id: str | None, amount: Any) -> None:
        account = accounts.get(account_id or '')
        if account is None or account.get('Classification') not in ('Asset', 'Liability', 'Equity'):
            return
        sign = 1 if account['Classification'] == 'Asset' else -1
        moves[account['Id']] += sign * Decimal(amount)

    for entity, sign in (('Invoice', 1), ('CreditMemo', -1)):
        for txn in company.iter_objects(entity):
            debit(receivable, sign * Decimal(txn.get('TotalAmt', ZERO)))
            debit(tax_payable, -sign * Decimal(txn.get('TxnTaxDetail', {}).get('TotalTax', ZERO)))
    for payment in company.iter_objects('Payment'):
        total = Decimal(payment.get('TotalAmt', ZERO))
        debit(ref_id(payment.get('ARAccountRef')) or receivable, -total)
        debit(ref_id(payment.get('DepositToAccountRef')), total)
    for purchase in company.iter_objects('Purchase'):
        sign = -1 if purchase.get('Credit') else 1
        debit(ref_id(purchase.get('AccountRef')), -sign * Decimal(purchase.get('TotalAmt', ZERO)))
        for line in purchase.get('Line', []):
            detail = line.get('AccountBasedExpenseLineDetail') or {}
            debit(ref_id(detail.get('AccountRef')), sign * Decimal(line.get('Amount', ZERO)))
    return moves
