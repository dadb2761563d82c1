"""Local formats: Babel/CLDR dates, times and money in the business's locale, zone and currency; plain labels;
the region setting (validated, kept, the browser's zone when none is chosen)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from center_db import database, manager, viewer_account  # noqa: F401 (fixtures)
from qbsync.formats import LocalFormats, currency_choices, is_time_zone, locale_choices
from qbsync.labels import plain, plain_choices
from qbsync.services.errors import PermissionDenied, ValidationError
from qbsync.services.region import Region, RegionService

MOMENT = datetime(2027, 3, 11, 15, 4, tzinfo=timezone.utc)


def test_dates_and_times_follow_the_locale_and_zone() -> None:
    us = LocalFormats('en_US', 'America/Chicago', 'USD')
    uk = LocalFormats('en_GB', 'Europe/London', 'GBP')
    assert us.datetime(MOMENT).replace('\u202f', ' ') == 'Mar 11, 2027, 9:04 AM'
    assert uk.datetime(MOMENT) == '11 Mar 2027, 15:04'
    assert us.date(date(2027, 3, 11)) == 'Mar 11, 2027'
    assert uk.date(date(2027, 3, 11)) == '11 Mar 2027'
    # late evening in Chicago is already the next day in UTC: the business's calendar day wins
    evening = datetime(2027, 3, 12, 3, 0, tzinfo=timezone.utc)
    assert us.date(evening) == 'Mar 11, 2027'
    assert us.today(evening) == date(2027, 3, 11)
    assert us.datetime(None) == '—' and us.date(None, blank='') == ''


def test_money_has_the_currency_sign_and_separators_and_stays_exact() -> None:
    assert LocalFormats('en_US', 'UTC', 'USD').money(Decimal('1234.5')) == '$1,234.50'
    assert LocalFormats('de_DE', 'UTC', 'EUR').money(Decimal('1234.5')).replace('\xa0', ' ') == '1.234,50 €'
    assert LocalFormats('en_US', 'UTC', 'USD').money(Decimal('-0.10')) == '-$0.10'
    assert LocalFormats().money(None) == '' and LocalFormats().money(None, blank='—') == '—'
    assert LocalFormats('en_US', 'UTC', 'USD').money(Decimal('0.015')) == '$0.02'  # half-even to cents
    assert LocalFormats('en_US').number(Decimal('1250.5')) == '1,250.5'


def test_relative_times_are_coarse_and_directional() -> None:
    fmt = LocalFormats()
    assert fmt.relative(MOMENT - timedelta(minutes=5), MOMENT) == '5 minutes ago'
    assert fmt.relative(MOMENT + timedelta(days=100), MOMENT) == 'in 3 months'
    assert fmt.when(MOMENT, MOMENT + timedelta(hours=2)).endswith('(2 hours ago)')


def test_plain_words_for_stored_codes() -> None:
    assert plain('NonInventory') == 'Non-inventory'
    assert plain('CreditCard') == 'Credit card'
    assert plain('needs_reconnect') == 'Needs reconnecting'
    assert plain('AccountsReceivable') == 'Accounts receivable (A/R)'
    assert plain('OtherCurrentAsset') == 'Other current asset'
    assert plain('SomeNewQuickBooksType') == 'Some new quick books type'
    assert plain('credit_memo') == 'Credit memo'
    assert plain('') == '' and plain(None) == ''
    assert plain_choices(('Service', 'NonInventory')) == {'Service': 'Service', 'NonInventory': 'Non-inventory'}


def test_choices_name_each_locale_with_a_sample() -> None:
    choices = locale_choices()
    assert choices['en_GB'].startswith('English (United Kingdom) · 11 Mar 2027')
    assert currency_choices()['USD'] == 'USD · US Dollar'
    assert 'CHF' in currency_choices('CHF')
    assert is_time_zone('America/Chicago') and not is_time_zone('Mars/Olympus') and not is_time_zone('')


async def test_region_defaults_validation_and_browser_zone(database, manager, viewer_account) -> None:  # noqa: F811
    service = RegionService(database)
    assert await service.load() == Region('en_US', '', 'USD')
    assert (await service.formats('Europe/Paris')).time_zone == 'Europe/Paris'  # automatic: the browser's
    assert (await service.formats('Not/AZone')).time_zone == 'UTC'
    with pytest.raises(ValidationError) as refused:
        await service.save(Region('xx_NOPE', 'Mars/Olympus', 'usd'), acting=manager)
    assert set(refused.value.field_errors) == {'locale', 'time_zone', 'currency'}
    with pytest.raises(PermissionDenied):
        await service.save(Region('en_GB', 'Europe/London', 'GBP'), acting=viewer_account)
    await service.save(Region('en_GB', 'Europe/London', 'GBP'), acting=manager)
    again = RegionService(database)  # read back from the database, not the cache
    assert await again.load() == Region('en_GB', 'Europe/London', 'GBP')
    assert (await again.formats('America/Chicago')).time_zone == 'Europe/London'  # the chosen zone wins
