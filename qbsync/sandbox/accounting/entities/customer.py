"""Customer: DisplayName derived from name parts, unique across customers, vendors and employees; balances derived."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import faults
from .base import Context, EntityType, RefRule
from .ledger import customer_balance, customer_balances, ref_keys
from .names import NAME_PARTS, PERSON_LENGTHS, PersonType, set_hierarchy
from .values import money, ref_id

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['CustomerType']

ZERO = Decimal('0')


class CustomerType(PersonType):
    name, path = 'Customer', 'customer'
    fields = frozenset({
        *NAME_PARTS, 'DisplayName', 'CompanyName', 'PrintOnCheckName', 'Active', 'PrimaryPhone', 'AlternatePhone',
        'Mobile', 'Fax', 'PrimaryEmailAddr', 'WebAddr', 'BillAddr', 'ShipAddr', 'Notes', 'Job', 'ParentRef',
        'BillWithParent', 'Taxable', 'DefaultTaxCodeRef', 'SalesTermRef', 'PaymentMethodRef',
        'PreferredDeliveryMethod', 'ResaleNum', 'CurrencyRef', 'TaxExemptionReasonId', 'PrimaryTaxIdentifier',
        'CustomerTypeRef', 'ARAccountRef', 'OtherAddr',
    })
    computed = frozenset({'IsProject'})
    lengths = {**PERSON_LENGTHS, 'Notes': 2000, 'ResaleNum': 16}
    enums = {'PreferredDeliveryMethod': ('Print', 'Email', 'None')}
    refs = (RefRule('SalesTermRef', ('Term',)), RefRule('PaymentMethodRef', ('PaymentMethod',)),
            RefRule('DefaultTaxCodeRef', ('TaxCode',), named=False), RefRule('ARAccountRef', ('Account',)))
    defaults = {'Active': True, 'Taxable': False, 'Job': False, 'BillWithParent': False, 'IsProject': False,
                'PreferredDeliveryMethod': 'Print'}
    filterable = EntityType.filterable | {'DisplayName', 'GivenName', 'MiddleName', 'FamilyName', 'CompanyName',
                                          'PrimaryEmailAddr', 'Active', 'Balance', 'FullyQualifiedName', 'Job',
                                          'ParentRef', 'PrintOnCheckName', 'Taxable', 'Notes', 'Level'}

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().derive(ctx, obj)
        set_hierarchy(ctx, 'Customer', obj, obj['DisplayName'], 'Job')

    def check_deactivate(self, company: Company, existing: dict[str, Any]) -> None:
        if customer_balances(company).get(existing['Id'], ZERO) != 0:
            raise faults.delete_has_balance('Customer')

    def view(self, company: Company, obj: dict[str, Any]) -> dict[str, Any]:
        """One customer: its own balance and its jobs', found through the indexes (``views`` does all at once)."""
        own = customer_balance(company, obj['Id'])
        with_jobs, seen, waiting = own, {obj['Id']}, [obj['Id']]
        while waiting:
            for job in company.lookup('Customer', ref_keys('ParentRef'), waiting.pop()):
                if job['Id'] not in seen:
                    seen.add(job['Id'])
                    waiting.append(job['Id'])
                    with_jobs += customer_balance(company, job['Id'])
        return self._with_balances(obj, {obj['Id']: own}, {obj['Id']: with_jobs})

    def views(self, company: Company) -> list[dict[str, Any]]:
        totals = _balances(company)
        return [self._with_balances(obj, *totals) for obj in company.iter_objects(self.name)]

    @staticmethod
    def _with_balances(obj: dict[str, Any], own: dict[str, Decimal], with_jobs: dict[str, Decimal]) -> dict[str, Any]:
        out = dict(obj)
        out['Balance'] = money(own.get(obj['Id'], ZERO))
        out['BalanceWithJobs'] = money(with_jobs.get(obj['Id'], ZERO))
        return out


def _balances(company: Company) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Own open balance per customer, and the same including every sub-customer (job) below it."""
    own = customer_balances(company)
    with_jobs: dict[str, Decimal] = {}
    for customer in company.iter_objects('Customer'):
        amount, cursor, seen = own.get(customer['Id'], ZERO), customer, set()
        while cursor is not None and cursor['Id'] not in seen:
            seen.add(cursor['Id'])
            with_jobs[cursor['Id']] = with_jobs.get(cursor['Id'], ZERO) + amount
            parent = ref_id(cursor.get('ParentRef'))
            cursor = company.get_object('Customer', parent) if parent else None
    return own, with_jobs
