"""The single SyncSettings row: what syncs, how often, and who wins a conflict; validated before it is kept.

Saving also hands the automatic-sync switch and interval to the scheduler when the scheduler offers a
``configure_auto_sync(enabled=..., interval_minutes=...)`` hook, so a change takes effect without a restart.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timezone
from typing import Any

from ..db import Database
from ..models import SyncSettings, User
from ..models.records import utcnow
from ..sync.entities import entity
from .errors import ValidationError
from .permissions import require_manager

__all__ = ['SyncPreferences', 'SyncSettingsService', 'CONFLICT_POLICIES', 'MIN_INTERVAL_MINUTES',
           'MAX_INTERVAL_MINUTES']

MIN_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 1440
CONFLICT_POLICIES: dict[str, str] = {
    'app_wins': 'This app wins',
    'quickbooks_wins': 'QuickBooks wins',
    'newest_wins': 'Most recent change wins',
}
SETTINGS_ID = 1


@dataclass(frozen=True)
class SyncPreferences:
    """The editable part of SyncSettings, as the UI and the engine see it."""
    auto_sync_enabled: bool = False
    interval_minutes: int = 15
    inbound_enabled: bool = False
    sync_customers: bool = True
    sync_items: bool = True
    sync_invoices: bool = True
    sync_payments: bool = True
    sync_expenses: bool = True
    sync_credit_memos: bool = True
    conflict_policy: str = 'app_wins'
    start_date: date | None = None

    def entity_enabled(self, entity_type: str) -> bool:
        return bool(getattr(self, entity(entity_type).switch))

    @classmethod
    def from_row(cls, row: SyncSettings) -> SyncPreferences:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


class SyncSettingsService:
    def __init__(self, db: Database, *, default_interval_minutes: int = 15, scheduler: Any = None,
                 today: Callable[[], date] | None = None) -> None:
        """:param scheduler: anything with ``configure_auto_sync(enabled=, interval_minutes=)``; other objects
        are left alone (the sync engine adds the job that uses the hook)
        :param today: the date a start date may not pass; UTC by default, injectable for tests
        """
        self._db = db
        self._default_interval = _clamp(default_interval_minutes)
        self._scheduler = scheduler
        self._today = today or (lambda: datetime.now(timezone.utc).date())

    async def load(self) -> SyncPreferences:
        """The saved settings, or the defaults (interval from QBSYNC_SYNC_INTERVAL_MINUTES) before the first save."""
        async with self._db.session() as session:
            row = await session.get(SyncSettings, SETTINGS_ID)
        return SyncPreferences.from_row(row) if row else SyncPreferences(interval_minutes=self._default_interval)

    def validate(self, prefs: SyncPreferences) -> dict[str, str]:
        """Field name -> message for every rule the preferences break (empty when they are fine)."""
        errors: dict[str, str] = {}
        interval = prefs.interval_minutes
        if isinstance(interval, bool) or not isinstance(interval, int):
            errors['interval_minutes'] = 'Enter a whole number of minutes.'
        elif interval < MIN_INTERVAL_MINUTES:
            errors['interval_minutes'] = f'At least {MIN_INTERVAL_MINUTES} minutes.'
        elif interval > MAX_INTERVAL_MINUTES:
            errors['interval_minutes'] = f'At most {MAX_INTERVAL_MINUTES} minutes (24 hours).'
        if prefs.conflict_policy not in CONFLICT_POLICIES:
            errors['conflict_policy'] = f'Choose one of: {", ".join(CONFLICT_POLICIES.values())}.'
        if prefs.start_date is not None:
            if not isinstance(prefs.start_date, date) or isinstance(prefs.start_date, datetime):
                errors['start_date'] = 'Enter a date as YYYY-MM-DD.'
            elif prefs.start_date > self._today():
                errors['start_date'] = 'The sync start date cannot be in the future.'
        return errors

    async def save(self, prefs: SyncPreferences, *, acting: User) -> SyncPreferences:
        """Validate, keep, then apply the auto-sync switch; nothing is written when any field is wrong."""
        require_manager(acting, 'change sync settings')
        errors = self.validate(prefs)
        if errors:
            raise ValidationError(errors)
        async with self._db.session() as session:
            row = await session.get(SyncSettings, SETTINGS_ID) or SyncSettings(id=SETTINGS_ID)
            for name, value in asdict(prefs).items():
                setattr(row, name, value)
            row.updated_at = utcnow()
            session.add(row)
            await session.commit()
        self.apply_to_scheduler(prefs)
        return prefs

    def apply_to_scheduler(self, prefs: SyncPreferences) -> bool:
        """Tell the scheduler about the auto-sync switch; False when it has no hook for it (yet)."""
        hook = getattr(self._scheduler, 'configure_auto_sync', None)
        if not callable(hook):
            return False
        hook(enabled=prefs.auto_sync_enabled, interval_minutes=prefs.interval_minutes)
        return True


def _clamp(minutes: int) -> int:
    return min(max(int(minutes), MIN_INTERVAL_MINUTES), MAX_INTERVAL_MINUTES)
