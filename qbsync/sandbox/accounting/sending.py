"""``POST /{invoice|creditmemo}/{id}/send[?sendTo=addr]``: email a sales document, as Intuit does (qbo-api.md 10.16).

What a send changes: ``EmailStatus`` becomes ``EmailSent``, ``DeliveryInfo`` records ``{"DeliveryType":"Email",
"DeliveryTime":<company-offset time>}``, and ``sendTo`` (when given) replaces ``BillEmail.Address``. The document is
written like any update (SyncToken and LastUpdatedTime move on: UNCONFIRMED at Intuit, but the stored record did
change, so a client holding the old SyncToken must not overwrite it) and announced as ``Emailed``, not Update.

Refusals, each with a clear fault (codes UNCONFIRMED, see the builders in .faults): a ``sendTo`` that is not an
address (2050), no ``sendTo`` and no BillEmail (2020 on BillEmail.Address), and the sandbox's daily email limit
(``CompanyPolicy.emails_per_day``, counted per company-local day on the injectable clock; 6000). The day's count is
kept in the company's counters, so it survives a restart in demo mode and a reseed clears it.
"""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import faults
from .entities import entity_type
from .entities.base import SYSTEM_FIELDS
from .entities.values import is_email
from .wire import intuit_datetime

if TYPE_CHECKING:
    from .store import Company

__all__ = ['send_document', 'emails_sent_today', 'EMAIL_DAY_COUNTER', 'EMAIL_COUNT_COUNTER', 'MAX_EMAIL_LENGTH']

EMAIL_DAY_COUNTER = 'EmailDay'       # company counters: the ordinal of the day being counted...
EMAIL_COUNT_COUNTER = 'EmailsSent'   # ...and how many emails went out on it
MAX_EMAIL_LENGTH = 100               # BillEmail.Address (qbo-api.md 10.11)


def send_document(company: Company, entity: str, entity_id: str, send_to: str | None) -> dict[str, Any]:
    """Send one document; returns it as the API answers (rendered). Raises QBOFault. Call under ``company.lock``."""
    kind = entity_type(entity)
    if 'send' not in kind.operations:
        raise faults.unsupported_operation(f'Send on {kind.name}')
    existing = company.get_object(kind.name, str(entity_id).strip())
    if existing is None:
        raise faults.object_not_found(kind.name, str(entity_id).strip())
    address = _recipient(existing, send_to)
    if address is None:
        raise faults.no_email_address(kind.name, existing['Id'])
    sent_today = emails_sent_today(company)
    if sent_today >= company.policy.emails_per_day:
        raise faults.email_limit_reached(company.policy.emails_per_day, company.today().isoformat())
    obj = {k: copy.deepcopy(v) for k, v in existing.items() if k not in SYSTEM_FIELDS}
    obj['Id'] = existing['Id']
    if send_to is not None and send_to.strip():
        obj['BillEmail'] = {**obj.get('BillEmail', {}), 'Address': address}
    obj['EmailStatus'] = 'EmailSent'
    obj['DeliveryInfo'] = {'DeliveryType': 'Email', 'DeliveryTime': intuit_datetime(company.now(), company.zone)}
    company.counters[EMAIL_DAY_COUNTER] = company.today().toordinal()
    company.counters[EMAIL_COUNT_COUNTER] = sent_today + 1
    stored = company.commit(kind.name, obj, 'Update', announce='Emailed')
    return kind.render(company, stored)


def emails_sent_today(company: Company) -> int:
    """Emails this company has sent on its current local day (0 once the day has turned)."""
    if company.counters.get(EMAIL_DAY_COUNTER) != company.today().toordinal():
        return 0
    return company.counters.get(EMAIL_COUNT_COUNTER, 0)


def _recipient(existing: dict[str, Any], send_to: str | None) -> str | None:
    """``sendTo`` checked (one address, or several separated by commas), else the document's BillEmail."""
    if send_to is None or not send_to.strip():
        address = (existing.get('BillEmail') or {}).get('Address')
        return str(address).strip() if address and str(address).strip() else None
    address = send_to.strip()
    if len(address) > MAX_EMAIL_LENGTH:
        raise faults.string_length('sendTo', MAX_EMAIL_LENGTH, len(address))
    if not all(is_email(part) for part in address.split(',')):
        raise faults.invalid_email('sendTo', address)
    return address
