"""Per-sandbox choices where Intuit's behaviour is UNCONFIRMED or a limit applies, read by every company.

``SandboxConfig`` holds the same settings for callers; ``SandboxState`` turns them into one ``CompanyPolicy``
shared by all its companies, so the entity rules never need to reach for the sandbox's configuration.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ['CompanyPolicy', 'DeactivationOperation', 'SANDBOX_EMAILS_PER_DAY', 'ACCOUNT_NUMBER_MAX_LENGTH']

DeactivationOperation = Literal['Delete', 'Update']
SANDBOX_EMAILS_PER_DAY = 40    # Intuit's sandbox email limit per realm and day (qbo-api.md section 9)
ACCOUNT_NUMBER_MAX_LENGTH = 20  # what live QuickBooks accepts (see CompanyPolicy); Intuit's page says 7 for the US


@dataclass(frozen=True)
class CompanyPolicy:
    """``deactivation_operation``: the webhook operation announced when a name-list record is made inactive.

    UNCONFIRMED at Intuit (qbo-api.md 12 item 36). The default is ``Delete``: Intuit's own webhook matrix lists
    Delete for Account, Class, Customer, Employee, Item and Vendor, which neither the API nor the QuickBooks UI can
    hard-delete; making them inactive (the UI's "Delete"/"Make inactive") is the only change that can produce it.
    ``Update`` is what a client sees if Intuit treats it as an ordinary edit; tests run both. Either way the record
    itself is an ordinary update (Active false, SyncToken bumped, still readable, in CDC as a live object).

    ``emails_per_day``: sends (``/send``) allowed per realm per company-local calendar day.

    ``account_number_max_length``: the longest ``Account.AcctNum`` accepted (longer: 2050). Intuit's reference
    says 7 characters for US companies (20 for France), yet clients written against Intuit's sandbox create
    11-character account numbers there, so live QuickBooks evidently accepts more than the page says: the default
    is 20, and 7 reproduces the published limit.
    """

    deactivation_operation: DeactivationOperation = 'Delete'
    emails_per_day: int = SANDBOX_EMAILS_PER_DAY
    account_number_max_length: int = ACCOUNT_NUMBER_MAX_LENGTH

    def __post_init__(self) -> None:
        if self.deactivation_operation not in ('Delete', 'Update'):
            raise ValueError("deactivation_operation must be 'Delete' or 'Update'")
        if self.emails_per_day < 0:
            raise ValueError('emails_per_day cannot be negative')
        if self.account_number_max_length < 1:
            raise ValueError('account_number_max_length must be at least 1')
