"""The seeded US company's lists, modelled on Intuit's own US sandbox (Craig's Design and Landscaping Services).

``seed_us_lists(company, full)``: the chart of accounts, tax, terms and payment methods and the company's settings
every US company has; ``full`` adds the customers, vendors, employees, items, classes and departments of a sandbox
company (a new company gets only the two items QuickBooks creates, Services and Hours).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import Company

from .seed import (CLASSIFICATION, FIRST_SALES_DOC_NUMBER, HOME_CURRENCY, SALES_DOC_COUNTER, Put, company_info,
                   preferences, seed_ref)

__all__ = ['seed_us_lists', 'ACCOUNT_IDS', 'DEFAULT_TERM_ID']

_ACCOUNTS = [  # Name, AccountType, AccountSubType
    ('Services', 'Income', 'ServiceFeeIncome'),
    ('Sales of Product Income', 'Income', 'SalesOfProductIncome'),
    ('Accounts Receivable (A/R)', 'Accounts Receivable', 'AccountsReceivable'),
    ('Undeposited Funds', 'Other Current Asset', 'UndepositedFunds'),
    ('Checking', 'Bank', 'Checking'),
    ('Savings', 'Bank', 'Savings'),
    ('Mastercard', 'Credit Card', 'CreditCard'),
    ('Inventory Asset', 'Other Current Asset', 'Inventory'),
    ('Accounts Payable (A/P)', 'Accounts Payable', 'AccountsPayable'),
    ('Cost of Goods Sold', 'Cost of Goods Sold', 'SuppliesMaterialsCogs'),
    ('Office Expenses', 'Expense', 'OfficeGeneralAdministrativeExpenses'),
    ('Advertising', 'Expense', 'AdvertisingPromotional'),
    ('Rent or Lease', 'Expense', 'RentOrLeaseOfBuildings'),
    ('Utilities', 'Expense', 'Utilities'),
    ('Supplies', 'Expense', 'SuppliesMaterials'),
    ('Meals and Entertainment', 'Expense', 'EntertainmentMeals'),
    ('Board of Equalization Payable', 'Other Current Liability', 'SalesTaxPayable'),
    ('Opening Balance Equity', 'Equity', 'OpeningBalanceEquity'),
]
ACCOUNT_IDS = {name: str(i) for i, (name, _, _) in enumerate(_ACCOUNTS, start=1)}

_CUSTOMERS = [  # DisplayName, GivenName, FamilyName, CompanyName, email, city
    ("Amy's Bird Sanctuary", 'Amy', 'Lauterbach', "Amy's Bird Sanctuary", 'Birds@Intuit.com', 'Bayshore'),
    ("Bill's Windsurf Shop", 'Bill', 'Lucchini', "Bill's Windsurf Shop", 'Surf@Intuit.com', 'Half Moon Bay'),
    ('Cool Cars', 'Grace', 'Pariente', 'Cool Cars', 'Cool_Cars@intuit.com', 'Half Moon Bay'),
    ('Diego Rodriguez', 'Diego', 'Rodriguez', '', 'Diego@Rodriguez.com', 'Palo Alto'),
    ('Dukes Basketball Camp', 'Peter', 'Dukes', 'Dukes Basketball Camp', 'Dukes_bball@intuit.com', 'Tucson'),
    ('Freeman Sporting Goods', 'Kirby', 'Freeman', 'Freeman Sporting Goods', 'Sporting_goods@intuit.com',
     'Middlefield'),
]
_VENDORS = ['Books by Bessie', 'Brosnahan Insurance Agency', 'Computers by Jenni', 'Hall Properties', 'PG&E',
            'Norton Lumber and Building Materials']
_EMPLOYEES = [('Emily', 'Platt'), ('John', 'Johnson')]
_ITEMS = [  # Name, Type, UnitPrice, Description, QtyOnHand (Inventory only)
    ('Services', 'Service', Decimal('0'), '', None),
    ('Hours', 'Service', Decimal('0'), '', None),
    ('Design', 'Service', Decimal('75'), 'Custom Design', None),
    ('Gardening', 'Service', Decimal('0'), 'Weekly Gardening Service', None),
    ('Installation', 'Service', Decimal('50'), 'Installation of landscape design', None),
    ('Rock Fountain', 'Inventory', Decimal('275'), 'Rock Fountain', Decimal('2')),
    ('Sprinkler Heads', 'Inventory', Decimal('2'), 'Sprinkler Heads', Decimal('25')),
    ('Pump', 'Inventory', Decimal('15'), 'Fountain Pump', Decimal('25')),
]
_TERMS = [('Due on receipt', 0), ('Net 10', 10), ('Net 15', 15), ('Net 30', 30), ('Net 60', 60)]
_PAYMENT_METHODS = [('Cash', 'NON_CREDIT_CARD'), ('Check', 'NON_CREDIT_CARD'), ('Visa', 'CREDIT_CARD'),
                    ('MasterCard', 'CREDIT_CARD'), ('American Express', 'CREDIT_CARD'), ('Discover', 'CREDIT_CARD')]
DEFAULT_TERM_ID = '4'   # Net 30


def seed_us_lists(company: Company, put: Put, full: bool) -> None:
    def ref(entity: str, entity_id: str) -> dict[str, str]:
        return seed_ref(company, entity, entity_id)

    for name, account_type, sub_type in _ACCOUNTS:
        put('Account', {'Name': name, 'SubAccount': False, 'FullyQualifiedName': name, 'Active': True,
                        'Classification': CLASSIFICATION[account_type], 'AccountType': account_type,
                        'AccountSubType': sub_type, 'CurrentBalance': Decimal('0'),
                        'CurrentBalanceWithSubAccounts': Decimal('0'), 'CurrencyRef': dict(HOME_CURRENCY)})
    _seed_tax(company, put)
    for name, days in _TERMS:
        put('Term', {'Name': name, 'Active': True, 'Type': 'STANDARD', 'DueDays': days, 'DiscountDays': 0})
    for name, kind in _PAYMENT_METHODS:
        put('PaymentMethod', {'Name': name, 'Active': True, 'Type': kind})
    if full:
        _seed_people_and_tracking(company, put)
    for name, item_type, price, description, qty in _ITEMS if full else _ITEMS[:2]:
        item: dict[str, Any] = {'Name': name, 'FullyQualifiedName': name, 'Active': True, 'Type': item_type,
                                'UnitPrice': price, 'Taxable': item_type == 'Inventory',
                                'SalesTaxIncluded': False, 'PurchaseTaxIncluded': False,
                                'PurchaseCost': Decimal('0'), 'TrackQtyOnHand': qty is not None}
        if description:
            item['Description'] = description
        if qty is None:
            item['IncomeAccountRef'] = ref('Account', ACCOUNT_IDS['Services'])
        else:
            item.update({'IncomeAccountRef': ref('Account', ACCOUNT_IDS['Sales of Product Income']),
                         'ExpenseAccountRef': ref('Account', ACCOUNT_IDS['Cost of Goods Sold']),
                         'AssetAccountRef': ref('Account', ACCOUNT_IDS['Inventory Asset']),
                         'QtyOnHand': qty, 'InvStartDate': company.today().replace(month=1, day=1).isoformat()})
        put('Item', item)
    put('CompanyCurrency', {'Code': 'USD', 'Name': 'United States Dollar', 'Active': True})
    _seed_company_info(company, put)
    company.counters[SALES_DOC_COUNTER] = FIRST_SALES_DOC_NUMBER - 1


def _seed_people_and_tracking(company: Company, put: Put) -> None:
    put('Class', {'Name': 'Landscaping', 'SubClass': False, 'FullyQualifiedName': 'Landscaping', 'Active': True})
    put('Department', {'Name': 'Main Street', 'SubDepartment': False, 'FullyQualifiedName': 'Main Street',
                       'Active': True})
    for display, given, family, company_name, email, city in _CUSTOMERS:
        customer: dict[str, Any] = {
            'Taxable': False, 'Job': False, 'BillWithParent': False, 'Balance': Decimal('0'),
            'BalanceWithJobs': Decimal('0'), 'CurrencyRef': dict(HOME_CURRENCY), 'PreferredDeliveryMethod': 'Print',
            'IsProject': False, 'GivenName': given, 'FamilyName': family, 'DisplayName': display,
            'FullyQualifiedName': display, 'PrintOnCheckName': company_name or display, 'Active': True,
            'PrimaryEmailAddr': {'Address': email},
            'BillAddr': {'Id': str(len(company.objects.get('Customer', {})) + 1), 'Line1': '4581 Finch St.',
                         'City': city, 'CountrySubDivisionCode': 'CA', 'PostalCode': '94326'},
            'SalesTermRef': seed_ref(company, 'Term', DEFAULT_TERM_ID),
        }
        if company_name:
            customer['CompanyName'] = company_name
        put('Customer', customer)
    for name in _VENDORS:
        put('Vendor', {'Balance': Decimal('0'), 'Vendor1099': False, 'CurrencyRef': dict(HOME_CURRENCY),
                       'CompanyName': name, 'DisplayName': name, 'PrintOnCheckName': name, 'Active': True})
    for given, family in _EMPLOYEES:
        display = f'{given} {family}'
        put('Employee', {'BillableTime': False, 'GivenName': given, 'FamilyName': family, 'DisplayName': display,
                         'PrintOnCheckName': display, 'Active': True})


def _seed_tax(company: Company, put: Put) -> None:
    put('TaxAgency', {'DisplayName': 'Board of Equalization', 'TaxTrackedOnSales': True,
                      'TaxTrackedOnPurchases': False})
    put('TaxRate', {'Name': 'California', 'Description': 'Sales Tax', 'Active': True, 'RateValue': Decimal('8'),
                    'AgencyRef': {'value': '1'}, 'SpecialTaxType': 'NONE', 'DisplayType': 'ReadOnly',
                    'EffectiveTaxRate': [{'RateValue': Decimal('8'), 'EffectiveDate': '2014-01-01T00:00:00-08:00'}]})
    # US companies carry the two pseudo codes TAX and NON; real tax codes (here "California") have numeric Ids.
    put('TaxCode', {'Name': 'TAX', 'Description': 'TAX', 'Taxable': True, 'TaxGroup': False, 'Active': True,
                    'Hidden': False}, entity_id='TAX')
    put('TaxCode', {'Name': 'NON', 'Description': 'NON', 'Taxable': False, 'TaxGroup': False, 'Active': True,
                    'Hidden': False}, entity_id='NON')
    put('TaxCode', {'Name': 'California', 'Description': 'California', 'Active': True, 'Hidden': False,
                    'Taxable': True, 'TaxGroup': True,
                    'SalesTaxRateList': {'TaxRateDetail': [{'TaxRateRef': {'value': '1', 'name': 'California'},
                                                            'TaxTypeApplicable': 'TaxOnAmount', 'TaxOrder': 0}]},
                    'PurchaseTaxRateList': {'TaxRateDetail': []}}, entity_id='2')
    company.counters['TaxCode'] = 2


def _seed_company_info(company: Company, put: Put) -> None:
    address = {'Id': '1', 'Line1': '123 Sierra Way', 'City': 'San Pablo', 'Country': 'USA',
               'CountrySubDivisionCode': 'CA', 'PostalCode': '87999'}
    put('CompanyInfo', company_info(company.name, 'US', address, 'America/Los_Angeles', '2026-01-01',
                                    '(650) 555-1234', 'noreply@quickbooks.com',
                                    [{'Name': 'IndustryType', 'Value': 'Landscaping'},
                                     {'Name': 'OfferingSku', 'Value': 'QuickBooks Online Plus'}]), entity_id='1')
    put('Preferences', preferences('USD', {'UsingSalesTax': True, 'PartnerTaxEnabled': False,
                                           'TaxGroupCodeRef': {'value': '2'}}, DEFAULT_TERM_ID, True),
        entity_id='1')
