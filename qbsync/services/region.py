"""The business's region (locale, time zone, currency) and the ``LocalFormats`` every page formats with.

The time zone may be left to the browser: QuickBooks' API tells no company time zone, so "automatic" uses the
zone the owner's browser reports (the pages pass it in), and UTC only when there is none. The saved row is read
once and kept in memory (one process serves the app), so formatting a page costs no query.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..db import Database
from ..formats import DEFAULT_CURRENCY, DEFAULT_LOCALE, DEFAULT_TIME_ZONE, LocalFormats, is_currency, is_locale, \
    is_time_zone
from ..models import RegionSettings, User
from ..models.records import utcnow
from .errors import ValidationError
from .permissions import require_manager

__all__ = ['Region', 'RegionService']

REGION_ID = 1


@dataclass(frozen=True)
class Region:
    """What the owner chose; ``time_zone`` '' = automatic (the browser's)."""
    locale: str = DEFAULT_LOCALE
    time_zone: str = ''
    currency: str = DEFAULT_CURRENCY

    def formats(self, browser_time_zone: str | None = None) -> LocalFormats:
        """The formats to show with: the chosen zone, else the browser's (when it is a real zone), else UTC."""
        zone = self.time_zone or (browser_time_zone if browser_time_zone and is_time_zone(browser_time_zone)
                                  else DEFAULT_TIME_ZONE)
        return LocalFormats(locale=self.locale, time_zone=zone, currency=self.currency)


class RegionService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cached: Region | None = None

    async def load(self) -> Region:
        if self._cached is None:
            async with self._db.session() as session:
                row = await session.get(RegionSettings, REGION_ID)
            self._cached = Region(row.locale, row.time_zone, row.currency) if row else Region()
        return self._cached

    async def formats(self, browser_time_zone: str | None = None) -> LocalFormats:
        return (await self.load()).formats(browser_time_zone)

    @staticmethod
    def validate(region: Region) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not is_locale(region.locale):
            errors['locale'] = 'Choose a language and region from the list.'
        if region.time_zone and not is_time_zone(region.time_zone):
            errors['time_zone'] = 'Choose a time zone from the list, e.g. America/Chicago.'
        if not is_currency(region.currency):
            errors['currency'] = 'Choose a currency from the list (a three-letter code such as USD).'
        return errors

    async def save(self, region: Region, *, acting: User) -> Region:
        """Validate and keep; nothing is written when a field is wrong."""
        require_manager(acting, 'change the region and formats')
        errors = self.validate(region)
        if errors:
            raise ValidationError(errors)
        async with self._db.session() as session:
            row = await session.get(RegionSettings, REGION_ID) or RegionSettings(id=REGION_ID)
            row.locale, row.time_zone, row.currency = region.locale, region.time_zone, region.currency
            row.updated_at = utcnow()
            session.add(row)
            await session.commit()
        self._cached = region
        return region
