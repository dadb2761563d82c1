"""The business's region: how dates, times and money are shown (locale, time zone, currency)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .records import utcnow

__all__ = ['RegionSettings']


class RegionSettings(SQLModel, table=True):
    """Single row (id=1). ``time_zone`` '' means "the browser's": QuickBooks' API tells no company time zone."""
    id: int | None = Field(default=None, primary_key=True)
    locale: str = Field(default='en_US', max_length=20)  # a Babel/CLDR locale: en_US, en_GB, fr_CA
    time_zone: str = Field(default='', max_length=64)  # an IANA zone (America/Chicago), or '' for the browser's
    currency: str = Field(default='USD', max_length=3)  # ISO 4217, the company's home currency
    updated_at: datetime = Field(default_factory=utcnow)
