"""What the field mapping needs during a run, read once: ``RunFieldMapping``.

At the start of the outbound pass: the company's rules (``FieldMapping``), its tracking preferences and sales-form
custom fields (one ``/preferences`` call) and its active classes and locations (a query each, only when tracked).
Per chunk of records: their app values (each record's customer's and items' class and location, one query per
table); classes and locations the chunk needs but QuickBooks lacks are created first when the rules allow it, else
those records fail with the reason when they are mapped. ``apply`` then adds the references and custom fields to
the payload an entity mapper built. The preview uses the same object, so it shows what a run sends.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db import Database
from ..mapping.custom_fields import definitions
from ..mapping.fields import FieldContext, apply_field_mapping, record_fields
from ..mapping.rules import CLASS, LINE_ENTITIES, NOT_TAXABLE_KEY, TAXABLE_KEY, FieldRules
from ..mapping.tax import ExpectedTotals, TaxSetup, TotalsMismatch, check_totals, chosen_code, expected_totals, \
    line_key, line_rates, rate_key
from ..mapping.tracking import FieldMappingError, TrackingFacts, TrackingLists, TrackingPrefs, wanted_names
from ..mapping.values import LocalRecord
from ..models import CreditMemoLine, Customer, FieldMapping, InvoiceLine, Item
from ..quickbooks.client import QuickBooksClient
from ..quickbooks.errors import DuplicateNameError, ValidationFault

__all__ = ['RunFieldMapping', 'load_rules', 'load_tax_setup', 'record_facts', 'used_rates', 'inbound_tax_keys',
           'LIST_ENTITY', 'FIELD_MAPPED', 'NEW_TARGET']

T = TypeVar('T')
Call = Callable[[Callable[[], Awaitable[T]]], Awaitable[T]]
LIST_ENTITY = {CLASS: 'Class', 'location': 'Department'}  # Intuit's entity for each kind
FIELD_MAPPED = ('invoice', 'credit_memo', 'payment', 'expense')  # the entities the rules shape
NEW_TARGET = '(new)'  # a preview's stand-in for the Id of a class or location a run would create first


async def _direct(fn: Callable[[], Awaitable[T]]) -> T:
    return await fn()


async def load_rules(session: AsyncSession, realm_id: str) -> FieldRules:
    row = (await session.exec(select(FieldMapping).where(FieldMapping.realm_id == realm_id))).first()
    return FieldRules.from_json(row.rules if row else None)


async def load_tax_setup(client: QuickBooksClient, call: Call = _direct) -> TaxSetup:
    """The company's sales tax codes with their rates (two queries); empty for a US company."""
    codes = await call(lambda: client.query('SELECT * FROM TaxCode'))
    if any(str(code.get('Id')) == 'TAX' for code in codes):
        return TaxSetup()
    return TaxSetup.from_wire(codes, await call(lambda: client.query('SELECT * FROM TaxRate')))


async def used_rates(session: AsyncSession) -> list[str]:
    """The tax rates the sales lines use, as app keys, lowest first."""
    rates: set[str] = set()
    for model in (InvoiceLine, CreditMemoLine):
        column = model.tax_rate  # type: ignore[attr-defined]
        rows = (await session.exec(select(column).where(col(column).isnot(None)).distinct())).all()
        rates.update(rate_key(rate) for rate in rows if rate is not None)
    return sorted(rates, key=Decimal)


async def inbound_tax_keys(db: Database, client: QuickBooksClient, realm_id: str,
                           call: Call = _direct) -> dict[str, str]:
    """QuickBooks TaxCode Id -> the app's tax key, to read a line's rate back (empty for a US company: its lines
    come back without a rate of their own). A code several keys go as reads back as a rate first; a code no key
    goes as reads back as its own rate."""
    tax = await load_tax_setup(client, call)
    if not tax.global_tax:
        return {}
    async with db.session() as session:
        rules = await load_rules(session, realm_id)
        keys = list(dict.fromkeys([*await used_rates(session), *rules.tax.codes, TAXABLE_KEY, NOT_TAXABLE_KEY]))
    keys.sort(key=lambda key: key in (TAXABLE_KEY, NOT_TAXABLE_KEY))
    found: dict[str, str] = {}
    for key in keys:
        try:
            found.setdefault(chosen_code(key, rules.tax, tax).id, key)
        except FieldMappingError:
            continue
    for code in tax.codes:
        found.setdefault(code.id, rate_key(code.rate) if code.rate is not None else NOT_TAXABLE_KEY)
    return found


async def record_facts(session: AsyncSession, entity_type: str,
                       records: Iterable[LocalRecord]) -> dict[tuple[str, int], TrackingFacts]:
    """The app values the rules may read for each record of one entity, in one query per table."""
    records = list(records)
    customer_ids = {r.record.customer_id for r in records if getattr(r.record, 'customer_id', None) is not None}
    item_ids = {line.item_id for r in records for line in r.lines if getattr(line, 'item_id', None)}
    customers = {c.id: c for c in (await session.exec(select(Customer).where(
        col(Customer.id).in_(customer_ids)))).all()} if customer_ids else {}
    items = {row[0]: row for row in (await session.exec(select(  # type: ignore[call-overload]
        Item.id, Item.class_name, Item.name, Item.description, Item.taxable).where(
        col(Item.id).in_(item_ids)))).all()} if item_ids else {}
    facts = {}
    for local in records:
        record = local.record
        customer = customers.get(getattr(record, 'customer_id', None))
        ordered = sorted(local.lines, key=lambda line: getattr(line, 'line_num', 0) or 0)
        facts[(entity_type, record.id)] = TrackingFacts(  # type: ignore[attr-defined]
            fields=record_fields(entity_type, record),
            customer_class=customer.class_name if customer else '',
            customer_location=customer.location_name if customer else '',
            line_item_classes=tuple(_item(items, line, 1) for line in ordered),
            line_item_names=tuple(_item(items, line, 2) for line in ordered),
            line_item_descriptions=tuple(_item(items, line, 3) for line in ordered),
            line_tax_keys=tuple(line_key(getattr(line, 'tax_rate', None), bool(_item(items, line, 4)))
                                for line in ordered))
    return facts


def _item(items: dict[int, Any], line: Any, column: int) -> str:
    row = items.get(getattr(line, 'item_id', None))
    return str(row[column] or '') if row is not None else ''


class RunFieldMapping:
    def __init__(self, context: FieldContext, client: QuickBooksClient | None = None, call: Call = _direct) -> None:
        self.context, self._client, self._call = context, client, call
        # read per record: the rules and tax setup are fixed for the run, so compare them with the defaults once
        self.active = context.rules != FieldRules() or bool(context.tax.global_tax)
        self.expected: dict[tuple[str, int, int], ExpectedTotals] = {}  # (entity, local id, version) -> app's totals

    @classmethod
    def none(cls) -> RunFieldMapping:
        """No rules: payloads go as the entity mappers build them."""
        return cls(FieldContext())

    @classmethod
    async def load(cls, db: Database, client: QuickBooksClient, realm_id: str, call: Call = _direct, *,
                   sales: bool = True) -> RunFieldMapping:
        """:param sales: invoices or credit memos will be sent (their tax codes are read only then)"""
        async with db.session() as session:
            rules = await load_rules(session, realm_id)
        tax = await load_tax_setup(client, call) if sales else TaxSetup()
        if rules == FieldRules() and not tax.global_tax:
            return cls.none()  # nothing to read from QuickBooks
        prefs_body = await call(client.preferences)
        prefs = TrackingPrefs.from_preferences(prefs_body)
        lists = TrackingLists(prefs)
        for kind, entity in LIST_ENTITY.items():
            if prefs.tracks(kind):
                for row in await call(lambda entity=entity: client.query(f'SELECT * FROM {entity}')):
                    lists.add(kind, str(row['Id']), str(row.get('Name') or ''),
                              str(row.get('FullyQualifiedName') or ''))
        return cls(FieldContext(rules, lists, definitions(prefs_body), tax=tax), client, call)

    async def prepare(self, db: Database, entity_type: str, records: Sequence[LocalRecord], *,
                      create: bool = True) -> None:
        """Read the chunk's app values; create the classes and locations it needs, where the rules allow.

        :param create: False for a preview: what would be created shows as NEW_TARGET and nothing is written
        """
        if not self.active or entity_type not in FIELD_MAPPED or not records:
            return
        async with db.session() as session:
            facts = await record_facts(session, entity_type, records)
        self.context.facts.update(facts)
        rules, lists = self.context.rules, self.context.lists
        wanted = {pair for (kind_entity, _), found in facts.items()
                  for pair in wanted_names(kind_entity, found, rules, lists.prefs)}
        for kind, name in sorted(wanted):
            if lists.find(kind, name) is None and (kind, name.strip().lower()) not in lists.refused \
                    and rules.tracking(kind).create_missing:
                if create:
                    await self._create(kind, name)
                else:
                    lists.add(kind, NEW_TARGET, name)

    def apply(self, entity_type: str, local: LocalRecord, payload: dict[str, Any]) -> dict[str, Any]:
        """``payload`` with the rules applied; raises FieldMappingError (a MappingError) for this record alone."""
        if entity_type in LINE_ENTITIES:
            self.expect(entity_type, local)
        if not self.active or entity_type not in FIELD_MAPPED:
            return payload
        return apply_field_mapping(entity_type, local.record, payload, self.context)

    def expect(self, entity_type: str, local: LocalRecord) -> None:
        """Keep the app's own totals of a sales form, to check QuickBooks' answer against (``check``)."""
        record, ctx = local.record, self.context
        lines = sorted(local.lines, key=lambda line: getattr(line, 'line_num', 0) or 0)
        rates = line_rates(lines, ctx.facts_of(entity_type, record).line_tax_keys, ctx.rules.tax, ctx.tax)
        self.expected[(entity_type, record.id, record.version)] = expected_totals(  # type: ignore[attr-defined]
            record, lines, rates)

    def check(self, entity_type: str, local_id: int, version: int, answer: dict[str, Any]) -> TotalsMismatch | None:
        """QuickBooks' totals against the app's, for a sales form sent in this run (None: they agree, or it was not
        mapped in this run, as a batch recovered from an earlier run)."""
        expected = self.expected.get((entity_type, local_id, version))
        return check_totals(expected, answer) if expected is not None else None

    async def _create(self, kind: str, name: str) -> None:
        """Create one class or location; when QuickBooks refuses, the records that need it fail with its reason."""
        assert self._client is not None
        client, lists, entity = self._client, self.context.lists, LIST_ENTITY[kind]
        digest = hashlib.sha256(f'{client.realm_id}:{entity}:{name.strip().lower()}'.encode()).hexdigest()[:32]
        try:  # the requestid is fixed per name: a retried create hands back the first answer, never a second one
            created = await self._call(lambda: client.create(entity, {'Name': name.strip()},
                                                             request_id=f'fm-{entity[:5]}-{digest}'))
        except DuplicateNameError:  # an inactive one of that name (the active ones were listed)
            lists.refuse(kind, name, f"QuickBooks has an inactive {kind} called '{name}' and cannot create another.")
        except ValidationFault as fault:
            lists.refuse(kind, name, f"QuickBooks refused to create the {kind} '{name}': {fault}")
        else:
            lists.add(kind, str(created['Id']), str(created.get('Name') or name),
                      str(created.get('FullyQualifiedName') or ''))
