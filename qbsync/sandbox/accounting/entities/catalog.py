"""Items, accounts, Preferences, and the lists the API only reads (tax codes and rates, currencies, CompanyInfo)."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import faults
from ..seed import CLASSIFICATION, home_currency
from .base import Context, EntityType, RefRule
from .ledger import account_balances
from .names import NameListType, check_name_characters, set_hierarchy
from .values import ref_id, to_bool, to_date, to_decimal

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['ItemType', 'AccountType', 'ReadOnlyList', 'PreferencesType', 'READ_ONLY_LISTS', 'ACCOUNT_TYPES']

ACCOUNT_TYPES = tuple(CLASSIFICATION)
SUBTYPE_TO_TYPE = {
    'CashOnHand': 'Bank', 'Checking': 'Bank', 'Savings': 'Bank', 'MoneyMarket': 'Bank',
    'AccountsReceivable': 'Accounts Receivable', 'UndepositedFunds': 'Other Current Asset',
    'Inventory': 'Other Current Asset', 'OtherCurrentAssets': 'Other Current Asset',
    'AccountsPayable': 'Accounts Payable', 'CreditCard': 'Credit Card', 'SalesTaxPayable': 'Other Current Liability',
    'OpeningBalanceEquity': 'Equity', 'RetainedEarnings': 'Equity', 'OwnersEquity': 'Equity',
    'ServiceFeeIncome': 'Income', 'SalesOfProductIncome': 'Income', 'OtherPrimaryIncome': 'Income',
    'SuppliesMaterialsCogs': 'Cost of Goods Sold', 'CostOfLabourCos': 'Cost of Goods Sold',
    'AdvertisingPromotional': 'Expense', 'OfficeGeneralAdministrativeExpenses': 'Expense', 'Utilities': 'Expense',
    'RentOrLeaseOfBuildings': 'Expense', 'SuppliesMaterials': 'Expense', 'EntertainmentMeals': 'Expense',
    'OtherMiscellaneousServiceCost': 'Expense', 'Travel': 'Expense', 'Insurance': 'Expense',
}
ITEM_TYPES = ('Inventory', 'Service', 'NonInventory')


class ItemType(NameListType):
    """Item. ``Type`` defaults to NonInventory when omitted (UNCONFIRMED default at Intuit)."""

    name, path = 'Item', 'item'
    operations = frozenset({'create', 'read', 'update', 'query'})
    unique_field, unique_kind = 'FullyQualifiedName', 'item'
    fields = frozenset({'Name', 'Sku', 'Description', 'PurchaseDesc', 'Active', 'Type', 'UnitPrice', 'PurchaseCost',
                        'Taxable', 'SalesTaxIncluded', 'PurchaseTaxIncluded', 'IncomeAccountRef', 'ExpenseAccountRef',
                        'AssetAccountRef', 'TrackQtyOnHand', 'QtyOnHand', 'InvStartDate', 'SubItem', 'ParentRef',
                        'SalesTaxCodeRef', 'PurchaseTaxCodeRef', 'ReorderPoint', 'PrefVendorRef', 'ClassRef'})
    required = ('Name',)
    lengths = {'Name': 100, 'Sku': 100, 'Description': 4000, 'PurchaseDesc': 1000}
    enums = {'Type': ITEM_TYPES}
    refs = (RefRule('IncomeAccountRef', ('Account',)), RefRule('ExpenseAccountRef', ('Account',)),
            RefRule('AssetAccountRef', ('Account',)), RefRule('SalesTaxCodeRef', ('TaxCode',), named=False),
            RefRule('PurchaseTaxCodeRef', ('TaxCode',), named=False), RefRule('PrefVendorRef', ('Vendor',)),
            RefRule('ClassRef', ('Class',)))
    defaults = {'Active': True, 'Type': 'NonInventory', 'Taxable': False, 'SalesTaxIncluded': False,
                'PurchaseTaxIncluded': False, 'TrackQtyOnHand': False}
    filterable = EntityType.filterable | {'Name', 'Type', 'Sku', 'Active', 'FullyQualifiedName', 'UnitPrice',
                                          'QtyOnHand', 'Taxable', 'Description', 'ParentRef', 'SubItem'}

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        if 'Name' in obj:
            obj['Name'] = str(obj['Name']).strip()
            check_name_characters(obj, ('Name',))
            set_hierarchy(ctx, 'Item', obj, obj['Name'], 'SubItem')
        for field in ('UnitPrice', 'PurchaseCost', 'QtyOnHand', 'ReorderPoint'):
            if field in obj:
                obj[field] = to_decimal(obj[field], field)
        obj.setdefault('UnitPrice', Decimal('0'))
        if obj.get('Type') == 'Inventory':
            obj['TrackQtyOnHand'] = True
        obj['TrackQtyOnHand'] = to_bool(obj.get('TrackQtyOnHand'))

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        kind = obj['Type']
        if kind in ('Service', 'Inventory') and 'IncomeAccountRef' not in obj:
            raise faults.required_param('IncomeAccountRef')
        if kind == 'Inventory':
            for field in ('AssetAccountRef', 'ExpenseAccountRef', 'QtyOnHand', 'InvStartDate'):
                if field not in obj:
                    raise faults.required_param(field)
            obj['InvStartDate'] = to_date(obj['InvStartDate'], 'InvStartDate').isoformat()
        if ctx.existing is not None and ctx.existing.get('TrackQtyOnHand') and not obj['TrackQtyOnHand']:
            raise faults.business_validation('Quantity on hand tracking cannot be turned off once it is on.',
                                             'TrackQtyOnHand')
        super().rules(ctx, obj)


class AccountType(NameListType):
    name, path = 'Account', 'account'
    operations = frozenset({'create', 'read', 'update', 'query'})
    unique_field, unique_kind = 'FullyQualifiedName', 'account'
    fields = frozenset({'Name', 'AcctNum', 'Description', 'Active', 'AccountType', 'AccountSubType', 'SubAccount',
                        'ParentRef', 'TaxCodeRef'})
    computed = frozenset({'CurrentBalance', 'CurrentBalanceWithSubAccounts', 'CurrencyRef'})
    required = ('Name',)
    lengths = {'Name': 100, 'Description': 100}   # AcctNum: CompanyPolicy.account_number_max_length
    enums = {'AccountType': ACCOUNT_TYPES}
    refs = (RefRule('TaxCodeRef', ('TaxCode',), named=False),)
    defaults = {'Active': True}
    filterable = EntityType.filterable | {'Name', 'AccountType', 'AccountSubType', 'Classification', 'Active',
                                          'FullyQualifiedName', 'AcctNum', 'CurrentBalance', 'SubAccount',
                                          'ParentRef', 'CurrentBalanceWithSubAccounts'}

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        if 'AccountType' not in obj and obj.get('AccountSubType') in SUBTYPE_TO_TYPE:
            obj['AccountType'] = SUBTYPE_TO_TYPE[obj['AccountSubType']]
        if 'Name' not in obj:
            return
        obj['Name'] = str(obj['Name']).strip()
        check_name_characters(obj, ('Name',), forbidden=':"')
        check_name_characters(obj, ('AcctNum',), forbidden=':')
        set_hierarchy(ctx, 'Account', obj, obj['Name'], 'SubAccount')

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        limit = ctx.company.policy.account_number_max_length
        if len(str(obj.get('AcctNum', ''))) > limit:
            raise faults.string_length('AcctNum', limit, len(str(obj['AcctNum'])))
        if obj.get('AcctNum'):                      # account numbers are unique like names (6240)
            for other in ctx.company.iter_objects('Account'):
                if other['Id'] != obj.get('Id') and str(other.get('AcctNum', '')) == str(obj['AcctNum']):
                    raise faults.duplicate_name('account')
        if 'AccountType' not in obj:
            raise faults.required_param('AccountType')
        obj['Classification'] = CLASSIFICATION[obj['AccountType']]
        obj.setdefault('CurrencyRef', home_currency(ctx.company))
        obj.setdefault('CurrentBalance', Decimal('0'))
        obj.setdefault('CurrentBalanceWithSubAccounts', obj['CurrentBalance'])
        if ref_id(obj.get('ParentRef')):
            parent = ctx.company.get_object('Account', ref_id(obj['ParentRef'])) or {}
            if parent.get('AccountType') != obj['AccountType']:
                raise faults.business_validation('A sub-account must have the same account type as its parent.',
                                                 'ParentRef')
        super().rules(ctx, obj)


    def view(self, company: Company, obj: dict[str, Any]) -> dict[str, Any]:
        return self._with_balance(company, obj, account_balances(company))

    def views(self, company: Company) -> list[dict[str, Any]]:
        moves = account_balances(company)
        return [self._with_balance(company, obj, moves) for obj in company.iter_objects(self.name)]

    @staticmethod
    def _with_balance(company: Company, obj: dict[str, Any], moves: dict[str, Decimal]) -> dict[str, Any]:
        """The stored (opening) balance plus what the transactions moved; sub-accounts roll up by name path."""
        out = dict(obj)
        out['CurrentBalance'] = Decimal(obj.get('CurrentBalance', 0)) + moves.get(obj['Id'], Decimal('0'))
        prefix = obj.get('FullyQualifiedName', '') + ':'
        below = sum((Decimal(a.get('CurrentBalance', 0)) + moves.get(a['Id'], Decimal('0'))
                     for a in company.iter_objects('Account') if a.get('FullyQualifiedName', '').startswith(prefix)),
                    Decimal('0'))
        out['CurrentBalanceWithSubAccounts'] = out['CurrentBalance'] + below
        return out


class ReadOnlyList(EntityType):
    """A list the API only reads and queries here (Vendor and Employee are in .names)."""

    def __init__(self, name: str, path: str, filterable: set[str], name_list: bool = True) -> None:
        self.name, self.path = name, path  # type: ignore[misc]
        self.filterable = EntityType.filterable | filterable  # type: ignore[misc]
        self.name_list = name_list  # type: ignore[misc]


class PreferencesType(EntityType):
    """Preferences: read, query and update; an update merges into the sections it names (others are kept)."""

    name, path = 'Preferences', 'preferences'
    operations = frozenset({'read', 'update', 'query'})
    fields = frozenset({'AccountingInfoPrefs', 'ProductAndServicesPrefs', 'SalesFormsPrefs', 'EmailMessagesPrefs',
                        'VendorAndPurchasesPrefs', 'TimeTrackingPrefs', 'TaxPrefs', 'CurrencyPrefs', 'ReportPrefs',
                        'OtherPrefs'})
    computed = fields

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        for section in self.fields:
            old, new = (ctx.existing or {}).get(section), obj.get(section)
            if isinstance(old, dict) and isinstance(new, dict) and new is not old:
                obj[section] = {**old, **new}


_NAMED = {'Name', 'Active'}
READ_ONLY_LISTS = (
    ReadOnlyList('TaxCode', 'taxcode', _NAMED | {'Taxable', 'TaxGroup', 'Hidden'}),
    ReadOnlyList('TaxRate', 'taxrate', _NAMED | {'RateValue', 'AgencyRef'}),
    ReadOnlyList('CompanyCurrency', 'companycurrency', _NAMED | {'Code'}),
    ReadOnlyList('CompanyInfo', 'companyinfo', {'CompanyName', 'Country'}, name_list=False),
)
