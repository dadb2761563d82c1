"""SyncSettings: defaults, validation that loses nothing, the single row, role check, scheduler hook."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from center_db import database, manager, viewer_account  # noqa: F401 (fixtures)
from qbsync.models import SyncSettings
from qbsync.services.errors import PermissionDenied, ValidationError
from qbsync.services.sync_settings import SyncPreferences, SyncSettingsService

TODAY = date(2026, 3, 15)


class RecordingScheduler:
    def __init__(self) -> None:
        self.calls: list[tuple[bool, int]] = []

    def configure_auto_sync(self, *, enabled: bool, interval_minutes: int) -> None:
        self.calls.append((enabled, interval_minutes))


def service(db, scheduler=None, default_interval: int = 15) -> SyncSettingsService:  # type: ignore[no-untyped-def]
    return SyncSettingsService(db, scheduler=scheduler, default_interval_minutes=default_interval,
                               today=lambda: TODAY)


async def test_defaults_before_the_first_save(database) -> None:  # noqa: F811
    prefs = await service(database, default_interval=30).load()
    assert prefs == SyncPreferences(interval_minutes=30)
    assert prefs.entity_enabled('credit_memo') and not prefs.auto_sync_enabled


async def test_save_keeps_one_row_and_applies_the_schedule(database, manager) -> None:  # noqa: F811
    scheduler = RecordingScheduler()
    settings = service(database, scheduler)
    wanted = SyncPreferences(auto_sync_enabled=True, interval_minutes=60, inbound_enabled=True, sync_expenses=False,
                             conflict_policy='newest_wins', start_date=TODAY, log_retention_days=30)
    assert await settings.save(wanted, acting=manager) == wanted
    await settings.save(replace(wanted, interval_minutes=1440), acting=manager)
    assert (await settings.load()) == replace(wanted, interval_minutes=1440)
    assert not (await settings.load()).entity_enabled('expense')
    assert scheduler.calls == [(True, 60), (True, 1440)]
    async with database.session() as session:
        rows = (await session.exec(SyncSettings.__table__.select())).all()  # type: ignore[attr-defined]
    assert len(rows) == 1


@pytest.mark.parametrize(('change', 'field'), [
    ({'interval_minutes': 4}, 'interval_minutes'),
    ({'interval_minutes': 1441}, 'interval_minutes'),
    ({'conflict_policy': 'coin_flip'}, 'conflict_policy'),
    ({'start_date': date(2026, 3, 16)}, 'start_date'),
    ({'log_retention_days': 6}, 'log_retention_days'),
    ({'log_retention_days': 3651}, 'log_retention_days'),
])
async def test_invalid_input_is_refused_and_nothing_changes(database, manager, change, field) -> None:  # noqa: F811
    settings = service(database)
    kept = SyncPreferences(interval_minutes=20)
    await settings.save(kept, acting=manager)
    with pytest.raises(ValidationError) as caught:
        await settings.save(replace(kept, auto_sync_enabled=True, **change), acting=manager)
    assert list(caught.value.field_errors) == [field]
    assert await settings.load() == kept


async def test_bounds_are_inclusive(database, manager) -> None:  # noqa: F811
    settings = service(database)
    for minutes in (5, 1440):
        await settings.save(SyncPreferences(interval_minutes=minutes, start_date=TODAY), acting=manager)
        assert (await settings.load()).interval_minutes == minutes


async def test_viewer_cannot_save(database, viewer_account) -> None:  # noqa: F811
    scheduler = RecordingScheduler()
    with pytest.raises(PermissionDenied):
        await service(database, scheduler).save(SyncPreferences(auto_sync_enabled=True), acting=viewer_account)
    assert scheduler.calls == []
    assert await service(database).load() == SyncPreferences()


async def test_scheduler_without_a_hook_is_left_alone(database, manager) -> None:  # noqa: F811
    settings = service(database, scheduler=object())
    await settings.save(SyncPreferences(auto_sync_enabled=True), acting=manager)
    assert settings.apply_to_scheduler(SyncPreferences()) is False
    assert service(database, RecordingScheduler()).apply_to_scheduler(SyncPreferences()) is True
