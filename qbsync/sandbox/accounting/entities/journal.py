"""Money moved between accounts without a customer document: JournalEntry, Transfer and CreditCardPayment.

A journal entry's lines post debits and credits that must balance (6000 otherwise; Intuit's exact code is
UNCONFIRMED); a line on Accounts Receivable names a customer and one on Accounts Payable a vendor (6000), as
QuickBooks asks. A transfer moves an amount between two different balance-sheet accounts; a credit card payment
pays a card's balance from a bank account (answered as ``CreditCardPaymentTxn``, as Intuit answers it).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import faults
from .base import Context, RefRule
from .ledger import Posting
from .txn import TXN_FIELDS, ZERO, TransactionType, assign_line_ids
from .values import money, ref_id, to_decimal

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['JournalEntryType', 'TransferType', 'CreditCardPaymentType']

_DETAIL = 'JournalEntryLineDetail'
_BALANCE_SHEET = ('Asset', 'Liability', 'Equity')
_PARTY = {'Accounts Receivable': 'Customer', 'Accounts Payable': 'Vendor'}


class JournalEntryType(TransactionType):
    name, path = 'JournalEntry', 'journalentry'
    operations = frozenset({'create', 'read', 'update', 'delete', 'query'})
    posts = True
    taxed = True
    check_doc_number = False
    fields = TXN_FIELDS | {'Adjustment', 'TxnTaxDetail', 'GlobalTaxCalculation'}
    computed = frozenset({'TotalAmt'})
    enums = {'Line[].DetailType': (_DETAIL, 'DescriptionOnly'), f'Line[].{_DETAIL}.PostingType': ('Debit', 'Credit'),
             f'Line[].{_DETAIL}.Entity.Type': ('Customer', 'Vendor', 'Employee')}
    refs = (RefRule(f'Line[].{_DETAIL}.AccountRef', ('Account',)), RefRule(f'Line[].{_DETAIL}.ClassRef', ('Class',)),
            RefRule(f'Line[].{_DETAIL}.DepartmentRef', ('Department',)),
            RefRule(f'Line[].{_DETAIL}.TaxCodeRef', ('TaxCode',), named=False),
            RefRule('DepartmentRef', ('Department',)))
    defaults = {'Adjustment': False}

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        for line in obj['Line']:
            line['DetailType'] = line.get('DetailType') or (_DETAIL if _DETAIL in line else 'DescriptionOnly')
            if line['DetailType'] != _DETAIL:
                continue
            detail = line.setdefault(_DETAIL, {})
            for field in ('PostingType', 'AccountRef'):
                if not detail.get(field):
                    raise faults.required_param(f'Line.{_DETAIL}.{field}')
            line['Amount'] = money(to_decimal(line.get('Amount', ZERO), 'Line.Amount'))
            if line['Amount'] < 0:
                raise faults.business_validation('A journal line amount cannot be negative.', 'Line.Amount')
        if not any(line['DetailType'] == _DETAIL for line in obj['Line']):
            raise faults.required_param('Line', 'Required parameter Line is missing in the request: a journal entry '
                                                'needs debit and credit lines')
        assign_line_ids(ctx, obj['Line'])

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        totals = {'Debit': ZERO, 'Credit': ZERO}
        for line in obj['Line']:
            if line['DetailType'] != _DETAIL:
                continue
            detail = line[_DETAIL]
            totals[detail['PostingType']] += line['Amount']
            self._check_party(ctx, detail)
        if totals['Debit'] != totals['Credit']:
            raise faults.unbalanced(totals['Debit'], totals['Credit'])
        obj['TotalAmt'] = totals['Debit']

    @staticmethod
    def _check_party(ctx: Context, detail: dict[str, Any]) -> None:
        account = ctx.company.get_object('Account', ref_id(detail['AccountRef']) or '') or {}
        entity = detail.get('Entity') or {}
        wanted = _PARTY.get(account.get('AccountType', ''))
        kind, party_id = entity.get('Type'), ref_id(entity.get('EntityRef'))
        if wanted and (kind != wanted or not party_id):
            raise faults.business_validation(f"A line on {account.get('Name')} must name a {wanted.lower()} "
                                             f"(Entity.Type {wanted}).", f'Line.{_DETAIL}.Entity')
        if party_id:
            party = ctx.company.get_object(kind or '', party_id)
            if party is None:
                raise faults.invalid_reference(f'Line.{_DETAIL}.Entity.EntityRef', kind or 'Entity', party_id)
            entity['EntityRef'] = {'value': party_id, 'name': party.get('DisplayName', '')}

    def postings(self, company: Company, obj: dict[str, Any]) -> list[Posting]:
        return [(ref_id(line[_DETAIL].get('AccountRef')),
                 Decimal(line.get('Amount', ZERO)) * (1 if line[_DETAIL].get('PostingType') == 'Debit' else -1))
                for line in obj.get('Line', []) if _DETAIL in line]


class _TwoAccountType(TransactionType):
    """A single amount from one account to another (Transfer, CreditCardPayment): no lines."""

    operations = frozenset({'create', 'read', 'update', 'delete', 'query'})
    posts = True
    check_doc_number = False
    required = ('Amount',)
    accounts: tuple[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = (('', ()), ('', ()))   # from, to

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        obj.pop('Line', None)

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        obj['Amount'] = money(to_decimal(obj['Amount'], 'Amount'))
        if obj['Amount'] <= 0:
            raise faults.business_validation('The amount must be more than zero.', 'Amount')
        (source, source_types), (target, target_types) = self.accounts
        if ref_id(obj[source]) == ref_id(obj[target]):
            raise faults.business_validation('Money cannot move from an account to itself.', target)
        for field, allowed in ((source, source_types), (target, target_types)):
            account = ctx.company.get_object('Account', ref_id(obj[field]) or '') or {}
            ok = account.get('AccountType') in allowed if allowed else account.get('Classification') in _BALANCE_SHEET
            if not ok:
                kinds = ' or '.join(allowed) if allowed else 'balance sheet'
                raise faults.business_validation(f'{field} must be a {kinds} account.', field)

    def postings(self, company: Company, obj: dict[str, Any]) -> list[Posting]:
        (source, _), (target, _) = self.accounts
        amount = Decimal(obj.get('Amount', ZERO))
        return [(ref_id(obj.get(source)), -amount), (ref_id(obj.get(target)), amount)]


class TransferType(_TwoAccountType):
    name, path = 'Transfer', 'transfer'
    fields = TXN_FIELDS - {'Line', 'DocNumber'} | {'FromAccountRef', 'ToAccountRef', 'Amount',
                                                   'TransactionLocationType'}
    accounts = (('FromAccountRef', ()), ('ToAccountRef', ()))
    refs = (RefRule('FromAccountRef', ('Account',), required=True),
            RefRule('ToAccountRef', ('Account',), required=True))
    filterable = TransactionType.filterable - {'DocNumber', 'TotalAmt'} | {'Amount'}


class CreditCardPaymentType(_TwoAccountType):
    """Intuit names the object CreditCardPaymentTxn in answers (and queries) while the path is /creditcardpayment;
    both spellings find it here."""

    name, path = 'CreditCardPaymentTxn', 'creditcardpayment'
    fields = TXN_FIELDS - {'Line', 'DocNumber'} | {'CreditCardAccountRef', 'BankAccountRef', 'Amount', 'VendorRef',
                                                   'Memo', 'PrintStatus', 'CheckNum'}
    accounts = (('BankAccountRef', ('Bank',)), ('CreditCardAccountRef', ('Credit Card',)))
    enums = {'PrintStatus': ('NotSet', 'NeedToPrint', 'PrintComplete')}
    refs = (RefRule('CreditCardAccountRef', ('Account',), required=True),
            RefRule('BankAccountRef', ('Account',), required=True), RefRule('VendorRef', ('Vendor',)))
    filterable = TransactionType.filterable - {'DocNumber', 'TotalAmt'} | {'Amount'}
