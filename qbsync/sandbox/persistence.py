"""Companies kept in a SQLite file (demo mode), so a restart keeps what was synced into "QuickBooks".

Write-through: every ``Company.commit`` (with or without an event), every stored ``requestid`` replay and every
reseed is written before the call returns, in one small transaction, so a crash loses at most the call in flight.
Companies are plugged in through ``CompanyStore``'s ``company_factory``: ``PersistentCompany`` is a ``Company``
that also writes. Objects are stored as JSON with Decimal amounts tagged, so they come back exactly (a bare JSON
number would return ``100`` as an int where the company held ``Decimal('100')``). Tests keep companies in memory
(``SandboxConfig.database_path = None``) and never touch this module.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from .accounting.store import Company, CompanyStore, Replay
from .clock import Clock
from .events import EventBus, Operation

__all__ = ['SandboxPersistence', 'PersistentCompany']

_SCHEMA = """
CREATE TABLE IF NOT EXISTS company (realm_id TEXT PRIMARY KEY, name TEXT NOT NULL, counters TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS object (
    realm_id TEXT NOT NULL, entity TEXT NOT NULL, id TEXT NOT NULL, deleted INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (realm_id, entity, id));
CREATE TABLE IF NOT EXISTS replay (
    realm_id TEXT NOT NULL, request_id TEXT NOT NULL, status INTEGER NOT NULL, body BLOB NOT NULL,
    PRIMARY KEY (realm_id, request_id));
"""


class SandboxPersistence:
    """One SQLite file holding every company; thread-safe (sync routes run in a worker pool)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute('PRAGMA journal_mode=WAL')
        self._db.execute('PRAGMA synchronous=NORMAL')
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute('PRAGMA table_info(company)')}
        if 'profile' not in columns:   # files written before companies had profiles hold US companies
            self._db.execute("ALTER TABLE company ADD COLUMN profile TEXT NOT NULL DEFAULT 'us'")
        self._lock = threading.Lock()
        self._restoring = False

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def company_factory(self, clock: Clock, events: EventBus) -> Callable[[str, str], Company]:
        return lambda realm_id, name: PersistentCompany(realm_id, name, clock, events, self)

    # -- writing ------------------------------------------------------------------------------------------------
    def save_company(self, company: Company) -> None:
        """Rewrite one company completely (after a create or a reseed)."""
        rows = [(company.realm_id, entity, obj_id, 0, _encode(obj))
                for entity, bucket in company.objects.items() for obj_id, obj in bucket.items()]
        rows += [(company.realm_id, entity, obj_id, 1, _encode(obj))
                 for entity, bucket in company.tombstones.items() for obj_id, obj in bucket.items()]
        replays = [(company.realm_id, rid, r.status, r.body) for rid, r in company.replays.items()]
        with self._transaction() as db:
            db.execute('DELETE FROM object WHERE realm_id = ?', (company.realm_id,))
            db.execute('DELETE FROM replay WHERE realm_id = ?', (company.realm_id,))
            db.execute('INSERT OR REPLACE INTO company (realm_id, name, counters, profile) VALUES (?, ?, ?, ?)',
                       (company.realm_id, company.name, json.dumps(company.counters), company.profile))
            db.executemany('INSERT INTO object VALUES (?, ?, ?, ?, ?)', rows)
            db.executemany('INSERT INTO replay VALUES (?, ?, ?, ?)', replays)

    def save_object(self, company: Company, entity: str, obj: dict[str, Any], deleted: bool) -> None:
        with self._transaction() as db:
            db.execute('INSERT OR REPLACE INTO object VALUES (?, ?, ?, ?, ?)',
                       (company.realm_id, entity, obj['Id'], int(deleted), _encode(obj)))
            db.execute('UPDATE company SET counters = ? WHERE realm_id = ?',
                       (json.dumps(company.counters), company.realm_id))

    def save_replay(self, company: Company, request_id: str, replay: Replay) -> None:
        with self._transaction() as db:
            db.execute('INSERT OR REPLACE INTO replay VALUES (?, ?, ?, ?)',
                       (company.realm_id, request_id, replay.status, replay.body))

    def writes_enabled(self) -> bool:
        return not self._restoring

    # -- reading ------------------------------------------------------------------------------------------------
    def restore(self, store: CompanyStore) -> list[str]:
        """Recreate the saved companies in ``store`` (empty, just built); returns their realm ids in order.

        Realm ids come from the store's counter, so companies are recreated in realm order and checked: a file
        whose realms do not follow one another was not written by this sandbox and is refused rather than mixed.
        """
        with self._lock:
            companies = self._db.execute('SELECT realm_id, name, counters, profile FROM company').fetchall()
            objects = self._db.execute('SELECT realm_id, entity, id, deleted, body FROM object').fetchall()
            replays = self._db.execute('SELECT realm_id, request_id, status, body FROM replay').fetchall()
        self._restoring = True
        try:
            realms = []
            for realm_id, name, counters, profile in sorted(companies, key=lambda row: int(row[0])):
                ref = store.create_company(name, profile)
                if ref.realm_id != realm_id:
                    raise RuntimeError(f'{self.path}: saved realm {realm_id} cannot be recreated (got {ref.realm_id});'
                                       f' move the file away to start afresh')
                company = store.get(realm_id)
                assert company is not None
                with company.lock:
                    company.objects.clear()
                    company.tombstones.clear()
                    company.replays.clear()
                    company.counters.clear()
                    company.counters.update(json.loads(counters))
                realms.append(realm_id)
            for realm_id, entity, obj_id, deleted, body in objects:
                company = store.get(realm_id)
                if company is not None:
                    target = company.tombstones if deleted else company.objects
                    target.setdefault(entity, {})[obj_id] = _decode(body)
            for realm_id in realms:
                company = store.get(realm_id)
                if company is not None:
                    company.drop_indexes()   # filled without commit: lookups rebuild from what was restored
            for realm_id, request_id, status, body in replays:
                company = store.get(realm_id)
                if company is not None:
                    company.replays[request_id] = Replay(status, bytes(body))
            return realms
        finally:
            self._restoring = False

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)


class _Transaction:
    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self._db, self._lock = db, lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        self._db.execute('BEGIN')
        return self._db

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            self._db.execute('ROLLBACK' if exc_type else 'COMMIT')
        finally:
            self._lock.release()


class PersistentCompany(Company):
    """A Company whose every commit, replay and reseed is also written to the sandbox's SQLite file."""

    def __init__(self, realm_id: str, name: str, clock: Clock, events: EventBus, persistence: SandboxPersistence,
                 **kwargs: Any) -> None:
        super().__init__(realm_id, name, clock, events, **kwargs)
        self.persistence = persistence
        self._seeding = False
        self.replays = _PersistentReplays(self)

    def writing(self) -> bool:
        return not self._seeding and self.persistence.writes_enabled()

    def commit(self, entity: str, obj: dict[str, Any], operation: Operation, emit: bool = True,
               announce: Operation | None = None, deleted_id: str | None = None) -> dict[str, Any]:
        with self.lock:
            stored = super().commit(entity, obj, operation, emit, announce, deleted_id)
            if self.writing():
                self.persistence.save_object(self, entity, stored, deleted=operation == 'Delete')
            return stored

    def load_seed(self) -> None:
        with self.lock:
            self._seeding = True
            try:
                super().load_seed()
            finally:
                self._seeding = False
            if self.writing():
                self.persistence.save_company(self)


class _PersistentReplays(dict[str, Replay]):
    """The company's requestid replays; a new one is written as it is stored (``clear`` only runs in a reseed)."""

    def __init__(self, company: PersistentCompany) -> None:
        super().__init__()
        self._company = company

    def __setitem__(self, request_id: str, replay: Replay) -> None:
        super().__setitem__(request_id, replay)
        if self._company.writing():
            self._company.persistence.save_replay(self._company, request_id, replay)


def _encode(obj: Any) -> str:
    return json.dumps(obj, default=_tag, separators=(',', ':'))


def _tag(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {'$decimal': str(value)}
    raise TypeError(f'cannot store {type(value).__name__}')


def _decode(text: str) -> Any:
    return json.loads(text, object_hook=lambda d: Decimal(d['$decimal']) if d.keys() == {'$decimal'} else d)
