"""Deposit: money put into a bank account, from Undeposited Funds (linked payments and sales receipts) and from
other lines (``DepositLineDetail`` with the account the money comes from), less any cash back.

A payment or sales receipt on a deposit is locked: changing, voiding or deleting it answers 6540 until the deposit
is deleted or the line is taken off it, as at Intuit. A linked line must carry the full amount of a transaction
that sits in Undeposited Funds and is on no other deposit (6000 otherwise). Deposits are deleted, not voided.
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

__all__ = ['DepositType', 'check_not_deposited', 'DEPOSITABLE', 'deposit_of']

DEPOSITABLE = ('Payment', 'SalesReceipt')
DEPOSIT_ACCOUNT_TYPES = ('Bank', 'Other Current Asset')


def deposit_of(company: Company, entity: str, entity_id: str, exclude: str | None = None) -> str | None:
    """The Id of the deposit holding a transaction, if any."""
    for deposit in company.iter_objects('Deposit'):
        if deposit['Id'] == exclude:
            continue
        for line in deposit.get('Line', []):
            for link in line.get('LinkedTxn', []):
                if link.get('TxnType') == entity and str(link.get('TxnId')) == str(entity_id):
                    return deposit['Id']
    return None


def check_not_deposited(company: Company, entity: str, entity_id: str) -> None:
    deposit_id = deposit_of(company, entity, entity_id)
    if deposit_id is not None:
        raise faults.deposited_transaction(entity, entity_id, deposit_id)


class DepositType(TransactionType):
    name, path = 'Deposit', 'deposit'
    operations = frozenset({'create', 'read', 'update', 'delete', 'query'})
    posts = True
    taxed = True
    check_doc_number = False
    fields = TXN_FIELDS | {'DepositToAccountRef', 'CashBack', 'TxnTaxDetail', 'GlobalTaxCalculation'}
    computed = frozenset({'TotalAmt'})
    refs = (RefRule('DepositToAccountRef', ('Account',), required=True),
            RefRule('Line[].DepositLineDetail.AccountRef', ('Account',)),
            RefRule('Line[].DepositLineDetail.Entity', ('Customer', 'Vendor', 'Employee')),
            RefRule('Line[].DepositLineDetail.PaymentMethodRef', ('PaymentMethod',)),
            RefRule('Line[].DepositLineDetail.ClassRef', ('Class',)), RefRule('CashBack.AccountRef', ('Account',)),
            RefRule('DepartmentRef', ('Department',)))
    enums = {'Line[].LinkedTxn[].TxnType': DEPOSITABLE}
    filterable = TransactionType.filterable | {'DepositToAccountRef'}

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        lines = []
        for line in obj['Line']:
            amount = money(to_decimal(line.get('Amount', ZERO), 'Line.Amount'))
            links = [link for link in line.get('LinkedTxn', []) if isinstance(link, dict) and link.get('TxnId')]
            if links:
                lines.append({**{k: v for k, v in line.items() if k not in ('DetailType', 'DepositLineDetail')},
                              'Amount': amount, 'LinkedTxn': [{'TxnId': str(link['TxnId']).strip(),
                                                               'TxnType': link.get('TxnType'), 'TxnLineId': '0'}
                                                              for link in links]})
                continue
            detail = line.get('DepositLineDetail') or {}
            if not ref_id(detail.get('AccountRef')):
                raise faults.required_param('Line.DepositLineDetail.AccountRef')
            lines.append({**line, 'Amount': amount, 'DetailType': 'DepositLineDetail', 'DepositLineDetail': detail})
        if not lines:
            raise faults.required_param('Line')
        assign_line_ids(ctx, lines)
        obj['Line'] = lines

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        company = ctx.company
        target = company.get_object('Account', ref_id(obj['DepositToAccountRef']) or '') or {}
        if target.get('AccountType') not in DEPOSIT_ACCOUNT_TYPES or target.get('AccountSubType') == 'UndepositedFunds':
            raise faults.business_validation('A deposit goes into a bank or other current asset account other than '
                                             'Undeposited Funds.', 'DepositToAccountRef')
        seen: set[tuple[str, str]] = set()
        for line in obj['Line']:
            if line['Amount'] <= 0:
                raise faults.business_validation('A deposit line amount must be positive.', 'Line.Amount')
            for link in line.get('LinkedTxn', []):
                self._check_link(company, obj, line, link, seen)
        super().rules(ctx, obj)

    @staticmethod
    def _check_link(company: Company, obj: dict[str, Any], line: dict[str, Any], link: dict[str, str],
                    seen: set[tuple[str, str]]) -> None:
        key = (link['TxnType'], link['TxnId'])
        source = company.get_object(*key)
        if source is None:
            raise faults.object_not_found(*key)
        if key in seen or deposit_of(company, *key, exclude=obj.get('Id')) is not None:
            raise faults.business_validation(f'{key[0]} {key[1]} is already on a deposit.', 'LinkedTxn')
        seen.add(key)
        held = company.get_object('Account', ref_id(source.get('DepositToAccountRef')) or '') or {}
        if held.get('AccountSubType') != 'UndepositedFunds':
            raise faults.business_validation(f'{key[0]} {key[1]} was not put in Undeposited Funds, so it cannot be '
                                             f'deposited.', 'LinkedTxn')
        if money(Decimal(source.get('TotalAmt', ZERO))) != line['Amount']:
            raise faults.business_validation(f"The deposit line for {key[0]} {key[1]} must be its full amount "
                                             f"({source.get('TotalAmt')}).", 'Line.Amount')

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        total = sum((line['Amount'] for line in obj['Line']), ZERO)
        cash_back = obj.get('CashBack')
        if cash_back:
            if not ref_id(cash_back.get('AccountRef')):
                raise faults.required_param('CashBack.AccountRef')
            cash_back['Amount'] = money(to_decimal(cash_back.get('Amount', ZERO), 'CashBack.Amount'))
            total -= cash_back['Amount']
        if total < 0:
            raise faults.business_validation('The cash back is more than the deposit.', 'CashBack.Amount')
        obj['TotalAmt'] = money(total)

    def postings(self, company: Company, obj: dict[str, Any]) -> list[Posting]:
        found: list[Posting] = [(ref_id(obj.get('DepositToAccountRef')), Decimal(obj.get('TotalAmt', ZERO)))]
        for line in obj.get('Line', []):
            amount = Decimal(line.get('Amount', ZERO))
            links = line.get('LinkedTxn', [])
            if links:
                source = company.get_object(links[0]['TxnType'], links[0]['TxnId']) or {}
                found.append((ref_id(source.get('DepositToAccountRef')), -amount))
            else:
                found.append((ref_id(line.get('DepositLineDetail', {}).get('AccountRef')), -amount))
        if obj.get('CashBack'):
            found.append((ref_id(obj['CashBack'].get('AccountRef')), Decimal(obj['CashBack'].get('Amount', ZERO))))
        return found
