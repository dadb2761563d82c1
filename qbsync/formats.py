"""Dates, times, money and numbers in the business's locale, time zone and currency (Babel, CLDR data).

Owners read '11 Mar 2027, 09:04' and '$1,234.50', not ISO stamps in UTC. One ``LocalFormats`` value carries the
three choices (``RegionService`` builds it from the business settings and the browser's time zone); every page
formats through it, so lists, record pages, the dashboard and the log agree. Hand-written ``strftime`` patterns
are what this replaces: CLDR knows the order, separators and symbols of each locale.

Values are stored as UTC instants and exact Decimals; formatting never changes them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_time, format_timedelta, get_datetime_format, parse_date
from babel.numbers import format_currency, format_decimal, get_currency_name

__all__ = ['LocalFormats', 'DEFAULT_LOCALE', 'DEFAULT_CURRENCY', 'DEFAULT_TIME_ZONE', 'is_locale', 'is_currency',
           'is_time_zone', 'time_zone_names', 'LOCALE_CHOICES', 'locale_choices', 'currency_choices']

DEFAULT_LOCALE = 'en_US'
DEFAULT_CURRENCY = 'USD'
DEFAULT_TIME_ZONE = 'UTC'
# where QuickBooks Online is sold, and the formats its owners expect (any Babel locale is accepted)
LOCALE_CHOICES = ('en_US', 'en_CA', 'fr_CA', 'en_GB', 'en_IE', 'en_AU', 'en_NZ', 'en_IN', 'en_ZA', 'en_SG', 'es_US',
                  'es_MX', 'fr_FR', 'de_DE', 'nl_NL', 'pt_BR')
COMMON_CURRENCIES = ('USD', 'CAD', 'GBP', 'EUR', 'AUD', 'NZD', 'INR', 'ZAR', 'SGD', 'MXN', 'BRL')


@dataclass(frozen=True)
class LocalFormats:
    """How one business shows values: ``locale`` ('en_US'), ``time_zone`` (IANA, 'America/Chicago'), ``currency``
    (ISO 4217, 'USD'). Construct only with valid values (``RegionService`` validates what owners type)."""
    locale: str = DEFAULT_LOCALE
    time_zone: str = DEFAULT_TIME_ZONE
    currency: str = DEFAULT_CURRENCY

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def money(self, value: Decimal | int | None, *, blank: str = '') -> str:
        """'$1,234.50' (en_US), '1.234,50 €' (de_DE, EUR); ``blank`` for None."""
        if value is None:
            return blank
        return format_currency(Decimal(value), self.currency, locale=self.locale)

    def number(self, value: Decimal | int | float | None, *, blank: str = '') -> str:
        """A quantity or count with the locale's separators: '1,250.5', '1.250,5'."""
        if value is None:
            return blank
        return format_decimal(value, locale=self.locale)

    def date(self, value: date | datetime | None, *, blank: str = '—') -> str:
        """'Mar 11, 2027' (en_US), '11 Mar 2027' (en_GB). A datetime is first moved into the business's zone."""
        if value is None:
            return blank
        if isinstance(value, datetime):
            value = self.local(value).date()
        return format_date(value, 'medium', locale=self.locale)

    def time(self, moment: datetime | None, *, blank: str = '—') -> str:
        """'3:04 PM' / '15:04' in the business's time zone."""
        if moment is None:
            return blank
        return format_time(self.local(moment), 'short', locale=self.locale)

    def datetime(self, moment: datetime | None, *, blank: str = '—') -> str:
        """'Mar 11, 2027, 3:04 PM' in the business's time zone ('—' for None)."""
        if moment is None:
            return blank
        pattern = str(get_datetime_format('medium', locale=self.locale))
        return pattern.replace('{1}', self.date(moment)).replace('{0}', self.time(moment))

    def relative(self, moment: datetime | None, now: datetime | None = None, *, blank: str = '—') -> str:
        """'in 3 days', '5 minutes ago': coarse on purpose (an owner wants 'about when', not a countdown)."""
        if moment is None:
            return blank
        now = now or datetime.now(timezone.utc)
        return format_timedelta(_aware(moment) - _aware(now), add_direction=True, threshold=1.1,
                                locale=self.locale)

    def when(self, moment: datetime | None, now: datetime | None = None, *, blank: str = '—') -> str:
        """'Mar 11, 2027, 3:04 PM (5 minutes ago)': the exact time with how long ago it was."""
        if moment is None:
            return blank
        return f'{self.datetime(moment)} ({self.relative(moment, now)})'

    def short_date(self, value: date) -> str:
        """'3/11/27' (en_US), '11/03/2027' (en_GB): how an owner types a date, for placeholders."""
        return format_date(value, 'short', locale=self.locale)

    def parse_date(self, text: str) -> date:
        """A date the owner typed, in the locale's short form ('3/11/27', '11/03/2027') or ISO ('2027-03-11');
        ValueError for anything else."""
        value = text.strip()
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
        try:
            return parse_date(value, locale=self.locale)
        except (ValueError, IndexError) as error:
            raise ValueError(f'not a date: {value!r}') from error

    def day_start(self, day: date) -> datetime:
        """Midnight of ``day`` in the business's time zone, as a UTC instant (the start of a "from" filter)."""
        return datetime.combine(day, datetime.min.time(), tzinfo=self.zone).astimezone(timezone.utc)

    def local(self, moment: datetime) -> datetime:
        """``moment`` (UTC-aware; naive is read as UTC) in the business's time zone."""
        return _aware(moment).astimezone(self.zone)

    def today(self, now: datetime | None = None) -> date:
        """The business's calendar date now (not the server's, not UTC's): what a new invoice is dated."""
        return self.local(now or datetime.now(timezone.utc)).date()

    def zone_label(self) -> str:
        """'America/Chicago (UTC−06:00)' for settings and help texts."""
        offset = self.local(datetime.now(timezone.utc)).utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = '+' if minutes >= 0 else '−'
        return f'{self.time_zone} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})'


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def is_locale(code: str) -> bool:
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def is_currency(code: str) -> bool:
    return isinstance(code, str) and code.upper() == code and code in get_global('all_currencies')


def is_time_zone(name: str) -> bool:
    if not name or name not in time_zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_ZONES: tuple[str, ...] = ()


def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows (tzdata is a dependency), sorted; read once."""
    global _ZONES
    if not _ZONES:
        _ZONES = tuple(sorted(name for name in available_timezones() if '/' in name or name == 'UTC'))
    return _ZONES


def locale_choices() -> dict[str, str]:
    """'en_GB' -> 'English (United Kingdom) · 11 Mar 2027, £1,234.50' for a select: the name with a sample."""
    sample_date, sample = date(2027, 3, 11), Decimal('1234.50')
    return {code: f'{Locale.parse(code).get_display_name("en")} · {format_date(sample_date, "medium", locale=code)}'
                  f', {format_decimal(sample, format="#,##0.00", locale=code)}' for code in LOCALE_CHOICES}


def currency_choices(current: str = '') -> dict[str, str]:
    """'USD' -> 'USD · US Dollar' for the common currencies (and ``current`` when it is another one)."""
    codes = list(COMMON_CURRENCIES) + ([current] if current and current not in COMMON_CURRENCIES else [])
    return {code: f'{code} · {get_currency_name(code, locale="en")}' for code in codes if is_currency(code)}
