"""The seeded company outside the US: a UK company in pounds with VAT (global tax: codes and rates on each line).

Like a UK QuickBooks company: no automated sales tax, tax codes with numeric Ids whose sales and purchase rate lists
point at separate sales and purchase rates, an HMRC tax agency and a VAT Control account; every sales form needs
``GlobalTaxCalculation``. Ids and names are fixed, as for the US company.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .seed import CLASSIFICATION, FIRST_SALES_DOC_NUMBER, SALES_DOC_COUNTER, Put, company_info, preferences, seed_ref

if TYPE_CHECKING:
    from .store import Company

__all__ = ['seed_global', 'GLOBAL_CURRENCY', 'VAT_CODES']

GLOBAL_CURRENCY = {'value': 'GBP', 'name': 'British Pound Sterling'}
_ACCOUNTS = [
    ('Sales', 'Income', 'SalesOfProductIncome'), ('Services', 'Income', 'ServiceFeeIncome'),
    ('Debtors', 'Accounts Receivable', 'AccountsReceivable'),
    ('Undeposited Funds', 'Other Current Asset', 'UndepositedFunds'), ('Current', 'Bank', 'Checking'),
    ('Business Credit Card', 'Credit Card', 'CreditCard'), ('Creditors', 'Accounts Payable', 'AccountsPayable'),
    ('Cost of sales', 'Cost of Goods Sold', 'SuppliesMaterialsCogs'),
    ('Office expenses', 'Expense', 'OfficeGeneralAdministrativeExpenses'), ('Rent', 'Expense',
                                                                             'RentOrLeaseOfBuildings'),
    ('VAT Control', 'Other Current Liability', 'GlobalTaxPayable'),
    ('VAT Suspense', 'Other Current Liability', 'GlobalTaxSuspense'),
    ('Opening Balance Equity', 'Equity', 'OpeningBalanceEquity'),
]
# TaxCode Id, name, percent (None: exempt / outside the scope of VAT, no rates)
VAT_CODES = [('2', '20.0% S', Decimal('20')), ('3', '5.0% R', Decimal('5')), ('4', '0.0% Z', Decimal('0')),
             ('5', 'Exempt', None), ('6', 'No VAT', None)]
_CUSTOMERS = [('Ashworth Joinery', 'Manchester', 'M1 1AE'), ('Bramley Bakery', 'Leeds', 'LS1 4DY'),
              ('Carrick Surveyors', 'Edinburgh', 'EH1 1YZ'), ('Dunmore Dental', 'Bristol', 'BS1 5TR'),
              ('Elmstead Garden Centre', 'Colchester', 'CO1 1JJ')]
_VENDORS = ['British Gas', 'Office Depot UK', 'Harlow Property Ltd', 'Royal Mail']


def seed_global(company: Company, put: Put) -> None:
    for name, account_type, sub_type in _ACCOUNTS:
        put('Account', {'Name': name, 'SubAccount': False, 'FullyQualifiedName': name, 'Active': True,
                        'Classification': CLASSIFICATION[account_type], 'AccountType': account_type,
                        'AccountSubType': sub_type, 'CurrentBalance': Decimal('0'),
                        'CurrentBalanceWithSubAccounts': Decimal('0'), 'CurrencyRef': dict(GLOBAL_CURRENCY)})
    put('TaxAgency', {'DisplayName': 'HM Revenue & Customs', 'TaxTrackedOnSales': True,
                      'TaxTrackedOnPurchases': True, 'TaxRegistrationNumber': 'GB123456789',
                      'TaxAgencyConfig': 'SYSTEM_GENERATED'})
    for code_id, name, percent in VAT_CODES:
        lists: dict[str, Any] = {'SalesTaxRateList': {'TaxRateDetail': []},
                                 'PurchaseTaxRateList': {'TaxRateDetail': []}}
        if percent is not None:
            for side in ('Sales', 'Purchase'):
                put('TaxRate', {'Name': f'{name} ({side[0]})', 'Description': f'{name} {side.lower()}s',
                                'Active': True, 'RateValue': percent, 'AgencyRef': {'value': '1'},
                                'SpecialTaxType': 'NONE', 'DisplayType': 'ReadOnly',
                                'EffectiveTaxRate': [{'RateValue': percent,
                                                      'EffectiveDate': '2011-01-04T00:00:00Z'}]})
                rate_id = str(company.counters['TaxRate'])
                lists[f'{side}TaxRateList']['TaxRateDetail'].append({
                    'TaxRateRef': {'value': rate_id, 'name': f'{name} ({side[0]})'},
                    'TaxTypeApplicable': 'TaxOnAmount', 'TaxOrder': 0})
        put('TaxCode', {'Name': name, 'Description': name, 'Active': True, 'Hidden': False,
                        'Taxable': percent is not None, 'TaxGroup': False, **lists}, entity_id=code_id)
    company.counters['TaxCode'] = int(VAT_CODES[-1][0])
    for name, days in (('Due on receipt', 0), ('Net 14', 14), ('Net 30', 30)):
        put('Term', {'Name': name, 'Active': True, 'Type': 'STANDARD', 'DueDays': days, 'DiscountDays': 0})
    for name, kind in (('Cash', 'NON_CREDIT_CARD'), ('Cheque', 'NON_CREDIT_CARD'), ('BACS', 'NON_CREDIT_CARD'),
                       ('Visa', 'CREDIT_CARD')):
        put('PaymentMethod', {'Name': name, 'Active': True, 'Type': kind})
    put('Class', {'Name': 'Consulting', 'SubClass': False, 'FullyQualifiedName': 'Consulting', 'Active': True})
    put('Department', {'Name': 'London', 'SubDepartment': False, 'FullyQualifiedName': 'London', 'Active': True})
    for name, city, postcode in _CUSTOMERS:
        put('Customer', {'Taxable': True, 'Job': False, 'BillWithParent': False, 'CurrencyRef': dict(GLOBAL_CURRENCY),
                         'PreferredDeliveryMethod': 'Email', 'IsProject': False, 'DisplayName': name,
                         'CompanyName': name, 'FullyQualifiedName': name, 'PrintOnCheckName': name, 'Active': True,
                         'DefaultTaxCodeRef': {'value': '2'},
                         'PrimaryEmailAddr': {'Address': f"accounts@{name.split()[0].lower()}.example.co.uk"},
                         'BillAddr': {'Line1': '1 High Street', 'City': city, 'Country': 'GBR',
                                      'PostalCode': postcode},
                         'SalesTermRef': seed_ref(company, 'Term', '3')})
    for name in _VENDORS:
        put('Vendor', {'Vendor1099': False, 'CurrencyRef': dict(GLOBAL_CURRENCY), 'CompanyName': name,
                       'DisplayName': name, 'PrintOnCheckName': name, 'Active': True})
    services, sales = seed_ref(company, 'Account', '2'), seed_ref(company, 'Account', '1')
    for name, price, income, code in (('Services', Decimal('0'), services, '2'), ('Hours', Decimal('0'), services, '2'),
                                      ('Consulting', Decimal('95'), services, '2'),
                                      ('Printed guide', Decimal('12'), sales, '4')):
        put('Item', {'Name': name, 'FullyQualifiedName': name, 'Active': True, 'Type': 'Service',
                     'UnitPrice': price, 'Taxable': True, 'SalesTaxIncluded': False, 'PurchaseTaxIncluded': False,
                     'PurchaseCost': Decimal('0'), 'TrackQtyOnHand': False, 'IncomeAccountRef': income,
                     'SalesTaxCodeRef': {'value': code}, 'PurchaseTaxCodeRef': {'value': code}})
    put('CompanyCurrency', {'Code': 'GBP', 'Name': GLOBAL_CURRENCY['name'], 'Active': True})
    address = {'Id': '1', 'Line1': '10 Chapel Street', 'City': 'London', 'Country': 'GBR', 'PostalCode': 'EC1A 1BB'}
    put('CompanyInfo', company_info(company.name, 'GB', address, 'Europe/London', '2026-01-01', '020 7946 0000',
                                    'noreply@quickbooks.co.uk',
                                    [{'Name': 'OfferingSku', 'Value': 'QuickBooks Online Plus'}]), entity_id='1')
    put('Preferences', preferences('GBP', {'UsingSalesTax': True, 'PartnerTaxEnabled': False}, '3', False),
        entity_id='1')
    company.counters[SALES_DOC_COUNTER] = FIRST_SALES_DOC_NUMBER - 1
