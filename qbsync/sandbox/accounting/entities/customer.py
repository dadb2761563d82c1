"""Customer: DisplayName derived from name parts, unique across customers, vendors and employees; balances derived."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import faults
from ..seed import HOME_CURRENCY
from .base import Context, EntityType, RefRule
from .ledger import customer_balances
from .names import PERSON_ENTITIES, NameListType, check_name_characters, set_hierarchy
from .values import is_email, money, ref_id

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['CustomerType', 'PERSON_LENGTHS', 'NAME_PARTS']

NAME_PARTS = ('Title', 'GivenName', 'MiddleName', 'FamilyName', 'Suffix')
PERSON_LENGTHS = {
    'DisplayName': 500, 'Title': 16, 'GivenName': 100, 'MiddleName': 100, 'FamilyName': 100, 'Suffix': 16,
    'CompanyName': 100, 'PrintOnCheckName': 110, 'PrimaryEmailAddr.Address': 100,
    'PrimaryPhone.FreeFormNumber': 30, 'AlternatePhone.FreeFormNumber': 30, 'Mobile.FreeFormNumber': 30,
    'Fax.FreeFormNumber': 30, 'WebAddr.URI': 1000,
    **{f'{addr}.{part}': 500 for addr in ('BillAddr', 'ShipAddr') for part in ('Line1', 'Line2', 'Line3', 'Line4',
                                                                                 'Line5')},
    **{f'{addr}.{part}': 255 for addr in ('BillAddr', 'ShipAddr') for part in ('City', 'Country',
                                                                                 'CountrySubDivisionCode')},
    'BillAddr.PostalCode': 30, 'ShipAddr.PostalCode': 30,
}
ZERO = Decimal('0')


class CustomerType(NameListType):
    name, path = 'Customer', 'customer'
    operations = frozenset({'create', 'read', 'update', 'query'})
    unique_field, unique_among, unique_kind = 'DisplayName', PERSON_ENTITIES, 'person'
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
                'PreferredDeliveryMethod': 'Print', 'CurrencyRef': HOME_CURRENCY}
    filterable = EntityType.filterable | {'DisplayName', 'GivenName', 'MiddleName', 'FamilyName', 'CompanyName',
                                          'PrimaryEmailAddr', 'Active', 'Balance', 'FullyQualifiedName', 'Job',
                                          'ParentRef', 'PrintOnCheckName', 'Taxable', 'Notes', 'Level'}

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        if not str(obj.get('DisplayName', '')).strip():
            parts = [str(obj[p]).strip() for p in NAME_PARTS if str(obj.get(p, '')).strip()]
            if not parts:
                raise faults.no_name()
            obj['DisplayName'] = ' '.join(parts)
        obj['DisplayName'] = str(obj['DisplayName']).strip()
        check_name_characters(obj, ('DisplayName', *NAME_PARTS, 'PrintOnCheckName'))
        obj.setdefault('PrintOnCheckName', obj.get('CompanyName') or obj['DisplayName'])
        email = (obj.get('PrimaryEmailAddr') or {}).get('Address')
        if email is not None and not is_email(str(email)):
            raise faults.business_validation('Email Address does not conform to the syntax rules of RFC 822',
                                             'PrimaryEmailAddr')
        set_hierarchy(ctx, 'Customer', obj, obj['DisplayName'], 'Job')
        if ctx.existing is not None:
            before, after = ref_id(ctx.existing.get('CurrencyRef')), ref_id(obj.get('CurrencyRef'))
            if before and after != before:
                raise faults.business_validation('You can\'t change the currency of a customer once it is set.',
                                                 'CurrencyRef')

    def check_deactivate(self, company: Company, existing: dict[str, Any]) -> None:
        if customer_balances(company).get(existing['Id'], ZERO) != 0:
            raise faults.delete_has_balance('Customer')

    def view(self, company: Company, obj: dict[str, Any]) -> dict[str, Any]:
        return self._with_balances(obj, *_balances(company))

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
