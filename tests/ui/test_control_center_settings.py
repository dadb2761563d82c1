"""Sync Settings tab: validated Save for managers, read-only for viewers."""
from __future__ import annotations

from nicegui import app, ui
from nicegui.testing import User

from qbsync.models import User as Account
from qbsync.services.sync_settings import SyncPreferences

from .quickbooks_flow import CENTER

SETTINGS = f'{CENTER}/settings'


async def test_save_valid_settings(user: User, admin: Account) -> None:
    await user.open(SETTINGS)
    await user.should_see(marker='save-settings', retries=20)
    user.find(marker='auto-sync').click()
    user.find(marker='interval').clear().type('30')
    user.find(marker='inbound-sync').click()
    user.find(marker='sync-expense').click()
    user.find(marker='conflict-policy').click()
    user.find('QuickBooks wins').click()
    user.find(marker='start-date').type('2025-01-01')
    user.find(marker='save-settings').click()
    await user.should_see('Sync Settings saved.', retries=20)
    saved = await app.state.services.sync_settings.load()
    assert saved.auto_sync_enabled and saved.inbound_enabled and saved.interval_minutes == 30
    assert not saved.sync_expenses and saved.sync_invoices
    assert saved.conflict_policy == 'quickbooks_wins' and saved.start_date.isoformat() == '2025-01-01'
    await user.open(SETTINGS)  # a reload shows what was kept
    await user.should_see(marker='start-date', retries=20)
    interval = user.find(marker='interval').elements.pop()
    assert interval.value == 30


async def test_invalid_values_are_marked_and_nothing_is_saved(user: User, owner: Account) -> None:
    await user.open(SETTINGS)
    await user.should_see(marker='save-settings', retries=20)
    user.find(marker='auto-sync').click()  # the interval is editable while automatic sync is on
    user.find(marker='interval').clear().type('2')
    user.find(marker='save-settings').click()
    await user.should_see('At least 5 minutes.', retries=20)
    interval = user.find(marker='interval').elements.pop()
    assert interval.error == 'At least 5 minutes.' and interval.value == 2  # said under the field, not snapped
    user.find(marker='interval').clear().type('60')
    user.find(marker='start-date').type('2999-01-01')
    user.find(marker='save-settings').click()
    await user.should_see('The sync start date cannot be in the future.', retries=20)
    user.find(marker='start-date').clear().type('01/02/2025')
    user.find(marker='save-settings').click()
    await user.should_see('Enter a date as YYYY-MM-DD.', retries=20)
    assert await app.state.services.sync_settings.load() == SyncPreferences(
        interval_minutes=app.state.services.settings.sync_interval_minutes)


async def test_viewer_sees_the_settings_read_only(user: User, viewer: Account) -> None:
    await app.state.services.sync_settings.save(SyncPreferences(auto_sync_enabled=True, interval_minutes=45),
                                                acting=next(u for u in await app.state.services.users.list_users()
                                                            if u.role == 'owner'))
    await user.open(SETTINGS)
    await user.should_see(marker='settings-read-only', retries=20)
    await user.should_not_see(marker='save-settings')
    interval = user.find(marker='interval').elements.pop()
    assert interval.value == 45 and not interval.enabled
    assert not user.find(marker='auto-sync').elements.pop().enabled
    assert not user.find(kind=ui.select, marker='conflict-policy').elements.pop().enabled


async def test_saving_schedules_at_once_and_shows_the_next_run(user: User, admin: Account) -> None:
    await user.open(SETTINGS)
    await user.should_see(marker='settings-next-run', retries=20)
    await user.should_see('Automatic sync is off.')
    user.find(marker='auto-sync').click()
    user.find(marker='interval').clear().type('20')
    user.find(marker='log-retention').clear().type('90')
    user.find(marker='save-settings').click()
    await user.should_see('Sync Settings saved.', retries=20)
    await user.should_see('Next automatic sync:', retries=20)
    assert app.state.services.scheduler.next_run_at() is not None
    assert (await app.state.services.sync_settings.load()).log_retention_days == 90


async def test_report_choice_and_test_report(monkeypatch, smtp_server, user: User, admin: Account) -> None:
    services = app.state.services
    monkeypatch.setattr(services.mailer, 'smtp', smtp_server.settings)  # as if QBSYNC_SMTP_* were set
    await user.open(SETTINGS)
    await user.should_see(marker='sync-reports', retries=20)
    await user.should_not_see(marker='smtp-missing')
    user.find(kind=ui.select, marker='report-frequency').elements.pop().set_value('weekly')
    await user.should_see('You will get a weekly sync report.', retries=20)
    assert await services.reports.frequency(admin) == 'weekly'
    user.find(marker='send-test-report').click()
    await user.should_see(f'A test report was sent to {admin.email}.', retries=20)
    (message,) = smtp_server.messages
    assert message['Subject'].startswith('[Test] qbsync weekly sync report')
    assert message['To'] == admin.email


async def test_without_email_the_report_card_says_how_to_set_it_up(user: User, owner: Account) -> None:
    await user.open(SETTINGS)
    await user.should_see(marker='smtp-missing', retries=20)
    assert not user.find(marker='send-test-report').elements.pop().enabled
