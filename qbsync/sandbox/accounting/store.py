"""Companies (realms) and their objects: one ``Company`` per realm, all held by the ``CompanyStore``.

A company keeps every object as JSON-ready data, exactly as Intuit would return it (Decimal amounts, offset
timestamps), so persistence only has to serialise ``Company.objects``/``tombstones``/``counters``. Every change goes
through ``Company.commit``: it stamps Id, SyncToken and MetaData and announces a ``ChangeEvent``. The entity rules
(create/update/delete/void/read/query, send, pdf, merge) are methods here so the routes, the batch endpoint and admin
tools share them.
"""
from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Hashable, Iterable, Iterator
from zoneinfo import ZoneInfo

from ..clock import Clock
from ..events import ChangeEvent, EventBus, Operation
from .policy import CompanyPolicy
from .wire import intuit_datetime

__all__ = ['CompanyRef', 'CompanyStore', 'Company', 'Replay', 'REALM_BASE', 'COMPANY_ZONE', 'IndexKeys']

IndexKeys = Callable[[dict[str, Any]], Iterable[Hashable]]   # the keys an object is found under in an index

REALM_BASE = 9341453000000000          # realm ids are REALM_BASE + n: 16 digits like Intuit's sandbox realms
COMPANY_ZONE = 'America/Los_Angeles'   # the seeded US company's time zone (offsets in MetaData and ``time``)


@dataclass(frozen=True)
class CompanyRef:
    realm_id: str
    name: str


@dataclass(frozen=True)
class Replay:
    """A stored response for a ``requestid`` replay: the identical status and bytes."""

    status: int
    body: bytes


class Company:
    """One realm: its objects per entity, Id counters, requestid replays, and the entity operations."""

    def __init__(self, realm_id: str, name: str, clock: Clock, events: EventBus,
                 zone: str = COMPANY_ZONE, policy: CompanyPolicy | None = None) -> None:
        self.realm_id = realm_id
        self.name = name
        self.zone = ZoneInfo(zone)
        self.clock = clock
        self.events = events
        self.policy = policy or CompanyPolicy()
        self.profile = 'us'      # which seed the company starts from (see .seed): 'us', 'global' or 'new'
        self.base_url = ''       # where clients reach the sandbox (set by each API call): for download links
        self.lock = threading.RLock()
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        self.tombstones: dict[str, dict[str, dict[str, Any]]] = {}
        self.counters: dict[str, int] = {}
        self.replays: dict[str, Replay] = {}
        self._indexes: dict[tuple[str, IndexKeys], dict[Hashable, set[str]]] = {}

    # --- time -------------------------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    def time_string(self, instant: datetime | None = None) -> str:
        """The envelope ``time`` field: milliseconds and the company's offset."""
        return intuit_datetime(instant or self.now(), self.zone, millis=True)

    def today(self) -> date:
        return self.now().astimezone(self.zone).date()

    # --- storage ----------------------------------------------------------------------------------------------
    def next_id(self, entity: str) -> str:
        self.counters[entity] = self.counters.get(entity, 0) + 1
        return str(self.counters[entity])

    def get_object(self, entity: str, entity_id: Any) -> dict[str, Any] | None:
        """The stored object (not a copy; callers that mutate must go through ``commit``)."""
        return self.objects.get(entity, {}).get(str(entity_id))

    def iter_objects(self, entity: str) -> Iterator[dict[str, Any]]:
        return iter(list(self.objects.get(entity, {}).values()))

    def lookup(self, entity: str, keys: IndexKeys, key: Hashable) -> list[dict[str, Any]]:
        """The stored objects of ``entity`` found under ``key`` by ``keys`` (DocNumber, the documents a payment is
        applied to), in Id order, without scanning the entity: a rule that looked at every object on every write
        made a write's cost grow with the company (quadratic over a large sync).

        The index is built at first use and grows on every ``commit``; it may keep Ids that no longer match (an
        object updated or deleted since), so every hit is checked against the stored object: stale entries cost a
        dict lookup, never a wrong answer, and objects set aside (a batch hides what it created) are not found.
        Whoever stores objects without ``commit`` (seed, restore) calls ``drop_indexes``.
        """
        with self.lock:
            index = self._indexes.get((entity, keys))
            if index is None:
                index = self._indexes[(entity, keys)] = {}
                for obj in self.objects.get(entity, {}).values():
                    for found in keys(obj):
                        index.setdefault(found, set()).add(obj['Id'])
            bucket = self.objects.get(entity, {})
            hits = [obj for obj_id in index.get(key, ()) if (obj := bucket.get(obj_id)) is not None
                    and key in keys(obj)]
            return sorted(hits, key=lambda obj: (len(obj['Id']), obj['Id']))

    def drop_indexes(self) -> None:
        """Forget every ``lookup`` index (rebuilt at next use): for code that fills ``objects`` directly."""
        with self.lock:
            self._indexes.clear()

    def commit(self, entity: str, obj: dict[str, Any], operation: Operation, emit: bool = True,
               announce: Operation | None = None, deleted_id: str | None = None) -> dict[str, Any]:
        """The single mutation path: stamp, store (or tombstone), announce; returns the stored object.

        ``operation`` is what happens to the record (Create, Delete, anything else updates it); ``announce`` is the
        ChangeEvent operation when it differs (an update announced as Emailed, Merge or a deactivation's Delete),
        ``deleted_id`` the merged-away record a Merge announcement carries.
        """
        with self.lock:
            now = self.now()
            stamp = intuit_datetime(now, self.zone)
            bucket = self.objects.setdefault(entity, {})
            if operation == 'Create':
                if not obj.get('Id'):
                    obj['Id'] = self.next_id(entity)
                obj['SyncToken'] = '0'
                obj['MetaData'] = {'CreateTime': stamp, 'LastUpdatedTime': stamp}
            elif operation == 'Delete':
                bucket.pop(obj['Id'], None)
                obj = {'domain': 'QBO', 'status': 'Deleted', 'Id': obj['Id'], 'MetaData': {'LastUpdatedTime': stamp}}
                self.tombstones.setdefault(entity, {})[obj['Id']] = obj
            else:
                previous = bucket[obj['Id']]
                obj['SyncToken'] = str(int(previous['SyncToken']) + 1)
                obj['MetaData'] = {**previous['MetaData'], 'LastUpdatedTime': stamp}
            if operation != 'Delete':
                obj['domain'] = 'QBO'
                obj['sparse'] = False
                bucket[obj['Id']] = obj
                for (indexed, keys), index in self._indexes.items():
                    if indexed == entity:
                        for found in keys(obj):
                            index.setdefault(found, set()).add(obj['Id'])
            if emit:
                self.events.emit(ChangeEvent(self.realm_id, entity, obj['Id'], announce or operation, now, deleted_id))
            return obj

    # --- entity operations (rules live in .entities) ------------------------------------------------------------
    def create(self, entity: str, payload: dict[str, Any], **options: Any) -> dict[str, Any]:
        from .entities import entity_type
        with self.lock:
            return entity_type(entity).create(self, payload, **options)   # rendered: already a copy

    def update(self, entity: str, payload: dict[str, Any], **options: Any) -> dict[str, Any]:
        from .entities import entity_type
        with self.lock:
            return entity_type(entity).update(self, payload, **options)   # rendered: already a copy

    def delete(self, entity: str, payload: dict[str, Any]) -> dict[str, Any]:
        from .entities import entity_type
        with self.lock:
            return entity_type(entity).delete(self, payload)   # a new dict

    def void(self, entity: str, payload: dict[str, Any]) -> dict[str, Any]:
        from .entities import entity_type
        with self.lock:
            return entity_type(entity).void(self, payload)   # rendered: already a copy

    def read(self, entity: str, entity_id: str) -> dict[str, Any]:
        from .entities import entity_type
        with self.lock:
            return entity_type(entity).read(self, entity_id)

    def send(self, entity: str, entity_id: str, send_to: str | None = None) -> dict[str, Any]:
        """Email an invoice or credit memo (``POST /{entity}/{id}/send``); returns it as the API answers."""
        from .sending import send_document
        with self.lock:
            return copy.deepcopy(send_document(self, entity, entity_id, send_to))

    def pdf(self, entity: str, entity_id: str) -> bytes:
        """The document as QuickBooks prints it (``GET /{entity}/{id}/pdf``)."""
        from .pdf import document_pdf
        with self.lock:
            return document_pdf(self, entity, entity_id)

    def merge(self, entity: str, keep_id: str, merge_id: str, merge_entity: str | None = None) -> dict[str, Any]:
        """Merge record ``merge_id`` into ``keep_id``, as a QuickBooks user does in the UI (no public API)."""
        from .merge import merge_records
        with self.lock:
            return copy.deepcopy(merge_records(self, entity, keep_id, merge_id, merge_entity))

    def query(self, text: str) -> dict[str, Any]:
        """Run a query statement; returns the ``QueryResponse`` content."""
        from .query import run_query
        with self.lock:
            return run_query(self, text)

    # --- lifecycle --------------------------------------------------------------------------------------------
    def load_seed(self) -> None:
        """Replace everything with the seeded sandbox company (no events: nothing changed for a client yet)."""
        from .seed import seed_company
        with self.lock:
            self.objects.clear()
            self.tombstones.clear()
            self.counters.clear()
            self.replays.clear()
            self._indexes.clear()
            seed_company(self)


class CompanyStore:
    """All companies of one sandbox; realm ids are deterministic (``REALM_BASE`` + a counter)."""

    def __init__(self, clock: Clock, events: EventBus,
                 company_factory: Callable[[str, str], Company] | None = None,
                 policy: CompanyPolicy | None = None) -> None:
        self._clock = clock
        self._events = events
        self.policy = policy or CompanyPolicy()
        self._companies: dict[str, Company] = {}
        self._counter = 0
        self._lock = threading.Lock()
        self._factory = company_factory or (lambda realm_id, name: Company(realm_id, name, clock, events))

    def realms(self) -> list[CompanyRef]:
        with self._lock:
            return [CompanyRef(c.realm_id, c.name) for c in self._companies.values()]

    def create_company(self, name: str | None = None, profile: str = 'us') -> CompanyRef:
        """A new realm seeded as ``profile``: 'us' (Intuit's sandbox company), 'global' (a UK company with VAT) or
        'new' (a newly created company, nearly empty)."""
        from .seed import PROFILE_ZONES
        if profile not in PROFILE_ZONES:
            raise ValueError(f'unknown company profile {profile!r} (one of {", ".join(PROFILE_ZONES)})')
        with self._lock:
            self._counter += 1
            realm_id = str(REALM_BASE + self._counter)
            country = 'GB' if profile == 'global' else 'US'
            company = self._factory(realm_id, name or f'Sandbox Company_{country}_{self._counter}')
            company.policy = self.policy   # whatever the factory built, the store's policy applies
            company.profile = profile
            company.zone = ZoneInfo(PROFILE_ZONES[profile])
            company.load_seed()
            self._companies[realm_id] = company
            return CompanyRef(realm_id, company.name)

    def get(self, realm_id: str) -> Company | None:
        with self._lock:
            return self._companies.get(str(realm_id))

    def reset(self, realm_id: str) -> None:
        company = self.get(realm_id)
        if company is None:
            raise KeyError(f'unknown realm {realm_id}')
        company.load_seed()
