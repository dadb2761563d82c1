"""Plain words for the codes the app stores: 'NonInventory' -> 'Non-inventory', 'needs_reconnect' -> 'Needs
reconnecting', 'AccountsReceivable' -> 'Accounts receivable'.

Stored values stay as QuickBooks and the engine spell them (they go over the wire and into queries); only what a
person reads goes through ``plain``. Known codes have a hand-picked wording; anything else (a new QuickBooks
account type, say) is split into words, so no screen ever shows a raw CamelCase or snake_case code.
"""
from __future__ import annotations

import re

__all__ = ['plain', 'plain_choices', 'WORDS']

# code -> what an owner reads; keys are exact stored values
WORDS: dict[str, str] = {
    # item types (QuickBooks Item.Type)
    'NonInventory': 'Non-inventory', 'Inventory': 'Inventory', 'Service': 'Service', 'Category': 'Category',
    'Group': 'Bundle',
    # payment methods and expense payment types (QuickBooks Purchase.PaymentType)
    'CreditCard': 'Credit card', 'Credit Card': 'Credit card', 'Check': 'Check', 'Cash': 'Cash',
    'ACH': 'Bank transfer (ACH)',
    # QuickBooks account types
    'AccountsReceivable': 'Accounts receivable (A/R)', 'AccountsPayable': 'Accounts payable (A/P)',
    'Accounts Receivable': 'Accounts receivable (A/R)', 'Accounts Payable': 'Accounts payable (A/P)',
    'OtherCurrentAsset': 'Other current asset', 'FixedAsset': 'Fixed asset', 'OtherAsset': 'Other asset',
    'OtherCurrentLiability': 'Other current liability', 'LongTermLiability': 'Long-term liability',
    'CostofGoodsSold': 'Cost of goods sold', 'Cost of Goods Sold': 'Cost of goods sold',
    'OtherIncome': 'Other income', 'OtherExpense': 'Other expense',
    # record types
    'credit_memo': 'Credit memo', 'customer': 'Customer', 'item': 'Item', 'invoice': 'Invoice', 'payment': 'Payment',
    'expense': 'Expense',
    # connection states
    'connected': 'Connected', 'needs_reconnect': 'Needs reconnecting', 'disconnected': 'Disconnected',
    'pending_switch': 'Waiting for you to confirm a company switch',
    # sync runs: status, trigger, direction
    'running': 'Running', 'succeeded': 'Succeeded', 'partial': 'Partly done', 'failed': 'Failed',
    'interrupted': 'Interrupted', 'manual': 'Started by hand', 'scheduled': 'Automatic',
    'webhook': 'Change in QuickBooks',
    'outbound': 'To QuickBooks', 'inbound': 'From QuickBooks', 'both': 'Both ways',
    # record QuickBooks states
    'synced': 'Synced', 'pending': 'Waiting to sync', 'not synced': 'Not sent yet',
    # log levels
    'info': 'Info', 'warning': 'Warning', 'error': 'Problem',
    # roles
    'owner': 'Owner', 'admin': 'Admin', 'viewer': 'Viewer (read-only)',
    # environments
    'sandbox': 'Intuit sandbox (test company)', 'production': 'Live QuickBooks company',
    'demo': 'Built-in demo sandbox',
}

_CAMEL = re.compile(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])')


def plain(code: str | None) -> str:
    """The plain-language label for a stored code ('' for None or '')."""
    if not code:
        return ''
    if code in WORDS:
        return WORDS[code]
    words = _CAMEL.sub(' ', code.replace('_', ' ').replace('-', ' ')).split()
    if not words:
        return ''
    # keep acronyms (ACH, A/R, SKU) as they are; lower-case the rest after the first word
    text = ' '.join([words[0]] + [w if w.isupper() else w.lower() for w in words[1:]])
    return text[0].upper() + text[1:]


def plain_choices(codes: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``{code: plain(code)}`` in the given order, for a select whose stored value stays the code."""
    return {code: plain(code) for code in codes}
