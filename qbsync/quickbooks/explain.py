"""Intuit's error codes in plain language, each with the fix a person can make: the one table the sync log, the
record pages and the CLI show.

Intuit's own ``Detail`` stays available next to the explanation (it often names the field or the other record),
so nothing is hidden; the explanation says what it means for the business and what to do next.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import (AuthenticationError, AuthorizationError, NetworkError, QuickBooksError, ServerError,
                     ThrottledError)

__all__ = ['Explanation', 'explain', 'is_transient', 'CODES']


@dataclass(frozen=True)
class Explanation:
    code: str
    reason: str  # what happened, in plain words
    suggestion: str  # what to do about it
    element: str = ''
    detail: str = ''  # Intuit's own words

    @property
    def message(self) -> str:
        return f'{self.reason} {self.suggestion}'.strip()


# code -> (reason, suggestion)
CODES: dict[str, tuple[str, str]] = {
    '6240': ('QuickBooks already has a customer, vendor, employee or item with this name.',
             'Rename the record here (or the other one in QuickBooks) so the names differ, then sync again.'),
    '6140': ('QuickBooks already has a document with this number.',
             'Give this record another number, or turn off duplicate number warnings in QuickBooks.'),
    '6000': ('QuickBooks refused the record for a business reason (see the details).',
             'Correct what the details describe, then sync again.'),
    '2500': ('The record points at something QuickBooks does not have (an account, item or customer).',
             'Check the Account Mapping tab and that the customer and items were sent, then sync again.'),
    '2050': ('A value is longer than QuickBooks allows.',
             'Shorten the field named in the details, then sync again.'),
    '6070': ('A line amount is not quantity times rate.',
             'Correct the line so amount = quantity x rate, then sync again.'),
    '610': ('QuickBooks cannot find a record this one refers to (deleted there, or inactive).',
            'Make the record active again in QuickBooks, or change this record to use another one.'),
    '5010': ('Someone changed this record in QuickBooks while it was being sent.',
             'The conflict policy in Sync Settings decides which version is kept; sync again if it is still pending.'),
    '6540': ('QuickBooks will not change this payment because it has been deposited.',
             'Remove the payment from its bank deposit in QuickBooks first, then sync again.'),
    '2020': ('A field QuickBooks requires is missing.',
             'Fill in the field named in the details, then sync again.'),
    '2170': ('A value is not one QuickBooks accepts for this field.',
             'Choose one of the values QuickBooks offers for the field named in the details.'),
    '6080': ('The record has no name.', 'Give it a name, then sync again.'),
    '6190': ("The QuickBooks company's subscription has ended.",
             'Renew the subscription in QuickBooks, then sync again.'),
    '6200': ('The books are closed for this date in QuickBooks.',
             'Change the date, or reopen the period in QuickBooks, then sync again.'),
    '6210': ('The books are closed for this date in QuickBooks (a password is required).',
             'Change the date, or reopen the period in QuickBooks, then sync again.'),
    '6220': ('QuickBooks will not deactivate a customer or item that still has a balance.',
             'Settle the balance first, then sync again.'),
    '6250': ('The customer is inactive in QuickBooks.',
             'Make the customer active again in QuickBooks, then sync again.'),
    '1040': ('Too many records were sent at once.', 'This is a bug in qbsync; please report it.'),
    '3001': ('QuickBooks asked us to slow down.', 'Nothing to do: qbsync waits and carries on.'),
    '3100': ('QuickBooks refused access to this company.', 'Reconnect QuickBooks on the Overview tab.'),
    '3200': ('QuickBooks did not accept the sign-in.', 'Reconnect QuickBooks on the Overview tab.'),
    '10000': ('QuickBooks had an internal error.', 'Nothing to fix here: sync again a little later.'),
}
_FALLBACK = ('QuickBooks refused the record.', 'Read the details, correct the record, then sync again.')


def explain(error: QuickBooksError | Exception) -> Explanation:
    """Plain words and a fix for any error the engine meets."""
    if not isinstance(error, QuickBooksError):
        return Explanation('', str(error) or type(error).__name__, '')
    code = error.code
    if isinstance(error, ThrottledError):
        code = '3001'
    elif isinstance(error, AuthorizationError) and not code:
        code = '3100'
    elif isinstance(error, AuthenticationError) and not code:
        code = '3200'
    if isinstance(error, NetworkError):
        return Explanation('', 'QuickBooks could not be reached.', 'Check the internet connection; sync again.',
                           detail=str(error))
    if isinstance(error, ServerError) and code not in CODES:
        reason, suggestion = CODES['10000']
    else:
        reason, suggestion = CODES.get(code, _FALLBACK)
    detail = error.detail or str(error)
    return Explanation(code, reason, suggestion, element=error.element, detail=detail)


def is_transient(error: Exception) -> bool:
    """Worth sending again unchanged: throttling, server trouble, no answer, and Intuit's "try again" 6000."""
    if isinstance(error, (ThrottledError, ServerError, NetworkError)):
        return True
    if isinstance(error, QuickBooksError) and error.code == '6000':
        return 'try again' in (error.detail or str(error)).lower()
    return False
