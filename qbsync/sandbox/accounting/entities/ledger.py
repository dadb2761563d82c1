"""How payments tie to the documents they settle, and the balances that follow from it.

Two pairs work alike: a customer Payment settles Invoices and CreditMemos, a BillPayment settles Bills and
VendorCredits (``PAYERS``). Applications live only in the payer's ``Line[].LinkedTxn`` (as at Intuit); a document's
``Balance`` and ``LinkedTxn`` (and a credit's ``RemainingCredit``) are derived from them and rewritten (a normal
Update, SyncToken bumped) whenever a payer that touches them is created, changed, voided or deleted. Customer,
vendor and account balances are derived on read: every transaction entity declares its ``postings`` (account,
debit-positive amount) and ``account_balances`` adds them up.
"""
from __future__ import annotations

from collections import defaultdict
from functools import cache
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .values import money, ref_id

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['LINKABLE', 'PAYERS', 'CREDITS', 'applications', 'applied_to', 'refresh_linked', 'customer_balances',
           'payment_targets', 'account_balances', 'vendor_balances', 'customer_balance', 'vendor_balance', 'ref_keys',
           'derived_balance', 'account_of_subtype', 'Posting', 'LINK_SOURCES']

PAYERS = {'Invoice': 'Payment', 'CreditMemo': 'Payment', 'Bill': 'BillPayment', 'VendorCredit': 'BillPayment'}
CREDITS = ('CreditMemo', 'VendorCredit')      # applied against the documents, so they count negative
LINKABLE = ('Invoice', 'CreditMemo')          # what a customer Payment settles
LINK_SOURCES = {'Invoice': 'Estimate', 'Bill': 'PurchaseOrder'}   # a document made from another (.links)
ZERO = Decimal('0')
Posting = tuple[str | None, Decimal]          # (account Id, amount: + debit, - credit)


def payment_targets(payment: dict[str, Any] | None) -> set[tuple[str, str]]:
    """(TxnType, TxnId) of every document a Payment or BillPayment is applied to."""
    return {key for key, _ in applications(payment)}


def applications(payment: dict[str, Any] | None) -> list[tuple[tuple[str, str], Decimal]]:
    found: list[tuple[tuple[str, str], Decimal]] = []
    for line in (payment or {}).get('Line', []):
        for link in line.get('LinkedTxn', []):
            if link.get('TxnType') in PAYERS:
                found.append(((link['TxnType'], str(link['TxnId'])), Decimal(line.get('Amount', ZERO))))
    return found


def applied_to(company: Company, txn_type: str, txn_id: str,
               exclude_payment: str | None = None) -> tuple[Decimal, list[str]]:
    """Total applied to one document by all its payers (optionally not counting one of them), and their Ids.

    The payers are found through the company's index of payment targets, not by reading every payment: this runs
    on every payment and invoice write, so a scan made a large sync quadratic."""
    total, payments = ZERO, []
    key = (txn_type, txn_id)
    for payment in company.lookup(PAYERS[txn_type], payment_targets, key):
        if payment['Id'] == exclude_payment:
            continue
        for target, amount in applications(payment):
            if target == key:
                total += amount
                if payment['Id'] not in payments:
                    payments.append(payment['Id'])
    return total, payments


def derived_balance(company: Company, txn_type: str, obj: dict[str, Any]) -> tuple[Decimal, list[dict[str, str]]]:
    """Open balance and the LinkedTxn Intuit shows: the payers, after links the document keeps (its estimate)."""
    applied, payments = applied_to(company, txn_type, obj['Id']) if obj.get('Id') else (ZERO, [])
    deposit = Decimal(obj.get('Deposit', ZERO)) if txn_type == 'Invoice' else ZERO
    balance = money(Decimal(obj.get('TotalAmt', ZERO)) - deposit - applied)
    kept = [link for link in obj.get('LinkedTxn', []) if link.get('TxnType') == LINK_SOURCES.get(txn_type)]
    return balance, kept + [{'TxnId': pid, 'TxnType': PAYERS[txn_type]} for pid in payments]


def refresh_linked(company: Company, keys: Iterable[tuple[str, str]]) -> None:
    """Recompute Balance/LinkedTxn of the given documents; commit those that changed."""
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
        if not links:
            updated.pop('LinkedTxn')
        company.commit(txn_type, updated, 'Update')


def _party_balances(company: Company, party: str, documents: tuple[str, str], payer: str) -> dict[str, Decimal]:
    balances: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entity, sign in zip(documents, (1, -1), strict=True):
        for txn in company.iter_objects(entity):
            balances[ref_id(txn.get(party)) or ''] += sign * Decimal(txn.get('Balance', ZERO))
    for payment in company.iter_objects(payer):
        balances[ref_id(payment.get(party)) or ''] -= Decimal(payment.get('UnappliedAmt', ZERO))
    return balances


@cache
def ref_keys(field: str) -> Callable[[dict[str, Any]], tuple[str]]:
    """``Company.lookup`` keys of an object by the Id a reference field points to (one function per field, so that
    every caller shares one index)."""
    def keys(obj: dict[str, Any]) -> tuple[str]:
        return (ref_id(obj.get(field)) or '',)
    return keys


def _party_balance(company: Company, party: str, documents: tuple[str, str], payer: str, party_id: str) -> Decimal:
    """One party's entry of ``_party_balances``, from the transactions that name it (an answer renders a customer
    or vendor with its balance: reading every transaction for each made a large company slow)."""
    keys, total = ref_keys(party), ZERO
    for entity, sign in zip(documents, (1, -1), strict=True):
        for txn in company.lookup(entity, keys, party_id):
            total += sign * Decimal(txn.get('Balance', ZERO))
    for payment in company.lookup(payer, keys, party_id):
        total -= Decimal(payment.get('UnappliedAmt', ZERO))
    return total


def customer_balance(company: Company, customer_id: str) -> Decimal:
    return _party_balance(company, 'CustomerRef', ('Invoice', 'CreditMemo'), 'Payment', customer_id)


def vendor_balance(company: Company, vendor_id: str) -> Decimal:
    return _party_balance(company, 'VendorRef', ('Bill', 'VendorCredit'), 'BillPayment', vendor_id)


def customer_balances(company: Company) -> dict[str, Decimal]:
    """Open balance per customer: open invoices less unused credit memos and unapplied payments."""
    return _party_balances(company, 'CustomerRef', ('Invoice', 'CreditMemo'), 'Payment')


def vendor_balances(company: Company) -> dict[str, Decimal]:
    """Open balance per vendor: open bills less unused vendor credits and unapplied bill payments."""
    return _party_balances(company, 'VendorRef', ('Bill', 'VendorCredit'), 'BillPayment')


def account_of_subtype(company: Company, subtype: str) -> str | None:
    """The first active account of a detail type (the company's A/R, A/P, Undeposited Funds, tax payable...)."""
    found = next((a['Id'] for a in company.iter_objects('Account')
                  if a.get('AccountSubType') == subtype and a.get('Active', True)), None)
    return found


def account_balances(company: Company) -> dict[str, Decimal]:
    """Balance-sheet movements per account from every transaction's ``postings`` (debit-positive for assets,
    credit-positive for liabilities and equity, as QuickBooks shows CurrentBalance). Income and expense accounts
    are not balance-sheet accounts and keep a CurrentBalance of 0, as in QuickBooks."""
    from . import ENTITY_TYPES
    accounts = {a['Id']: a for a in company.iter_objects('Account')}
    moves: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for kind in ENTITY_TYPES.values():
        for txn in company.iter_objects(kind.name) if kind.posts else ():
            for account_id, amount in kind.postings(company, txn):
                account = accounts.get(account_id or '')
                if account is None or account.get('Classification') not in ('Asset', 'Liability', 'Equity'):
                    continue
                moves[account['Id']] += (1 if account['Classification'] == 'Asset' else -1) * Decimal(amount)
    return moves
