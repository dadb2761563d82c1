"""Boot-time database work, done synchronously before the first request: migrate, create the owner from the
environment, load the demo business. A sync engine is used and disposed; the app then runs on the async one.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlmodel import Session

from ..db import create_sync_engine
from ..operations.upgrade import upgrade_database
from .. import demo  # a module reference: qbsync.demo itself imports from this package
from ..security import PasswordHasher
from ..models import SyncSettings
from ..settings import Settings
from .errors import ValidationError
from .sync_settings import SETTINGS_ID, SyncPreferences
from .users import ensure_owner, generate_password

__all__ = ['BootstrapReport', 'bootstrap_database']

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BootstrapReport:
    seconds: float
    owner_email: str = ''  # the owner created now ('' when one existed or none was configured)
    demo_loaded: bool = False
    sync_preferences: SyncPreferences | None = None  # the saved Sync Settings, applied to the scheduler at start-up


def bootstrap_database(settings: Settings, *, hasher: PasswordHasher, today: date | None = None) -> BootstrapReport:
    started = time.perf_counter()
    upgrade_database(settings)  # backs up an existing database first; a failed migration is undone
    engine = create_sync_engine(settings.database_url)
    owner_email, demo_loaded, preferences = '', False, None
    try:
        with Session(engine) as session:
            if settings.admin_email or settings.admin_password:
                owner_email = _owner_from_environment(session, settings, hasher)
            if settings.load_demo_data:
                demo_loaded = demo.load_demo_data(session, today=today or datetime.now(timezone.utc).date()) is not None
                if not settings.admin_email:
                    password = generate_password()
                    owner = ensure_owner(session, email=demo.DEMO_OWNER_EMAIL, name='Demo Owner', password=password,
                                         hasher=hasher)
                    if owner is not None:
                        owner_email = owner.email
                        demo.announce_owner(owner.email, password)
            saved = session.get(SyncSettings, SETTINGS_ID)
            preferences = SyncPreferences.from_row(saved) if saved is not None else None
    finally:
        engine.dispose()
    report = BootstrapReport(round(time.perf_counter() - started, 3), owner_email, demo_loaded, preferences)
    log.info('database ready in %.3f s (owner created: %s, demo data loaded: %s)', report.seconds,
             report.owner_email or 'no', report.demo_loaded)
    return report


def _owner_from_environment(session: Session, settings: Settings, hasher: PasswordHasher) -> str:
    """QBSYNC_ADMIN_EMAIL/PASSWORD create the owner when none exists; a bad pair is reported, not fatal (the
    setup page still lets someone create the owner)."""
    if not (settings.admin_email and settings.admin_password):
        log.warning('set both QBSYNC_ADMIN_EMAIL and QBSYNC_ADMIN_PASSWORD to create the owner account')
        return ''
    try:
        owner = ensure_owner(session, email=settings.admin_email, password=settings.admin_password, name='Owner',
                             hasher=hasher)
    except ValidationError as error:
        session.rollback()
        log.warning('owner account from QBSYNC_ADMIN_EMAIL/PASSWORD not created: %s', error.message)
        return ''
    return owner.email if owner is not None else ''
