"""Before a run sends transactions: read what the field mapping needs, once, into a FieldContext.

The company's rules (``FieldMapping``), its tracking preferences and sales-form custom fields (one
``/preferences`` call), its active classes and locations (two queries), and each record's app values (its customer's
and its items' class and location, in one query per table). Classes and locations the records need but QuickBooks
lacks are created here when the rules allow it, before any record that refers to them is sent; otherwise those
records fail with the reason when they are mapped.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..mapping.custom_fields import definitions
from ..mapping.fields import FieldContext, record_fields
from ..mapping.rules import CLASS, FieldRules
from ..mapping.tracking import TrackingFacts, TrackingLists, TrackingPrefs, wanted_names
from ..models import Customer, FieldMapping, Item
from ..quickbooks.client import QuickBooksClient
from ..quickbooks.errors import DuplicateNameError, ValidationFault

__all__ = ['load_rules', 'record_facts', 'tracking_lists', 'field_context', 'LIST_ENTITY']

LIST_ENTITY = {CLASS: 'Class', 'location': 'Department'}  # Intuit's entity for each kind


async def load_rules(session: AsyncSession, realm_id: str) -> FieldRules:
    row = (await session.exec(select(FieldMapping).where(FieldMapping.realm_id == realm_id))).first()
    return FieldRules.from_json(row.rules if row else None)


async def record_facts(session: AsyncSession, entity_type: str,
                       records: Sequence[tuple[Any, Sequence[Any]]]) -> dict[tuple[str, int], TrackingFacts]:
    """The app values the rules may read for each (record, lines) of one entity, read in one query per table."""
    customer_ids = {r.customer_id for r, _ in records if getattr(r, 'customer_id', None) is not None}
    item_ids = {line.item_id for _, lines in records for line in lines if getattr(line, 'item_id', None)}
    customers = {c.id: c for c in (await session.exec(select(Customer).where(
        col(Customer.id).in_(customer_ids)))).all()} if customer_ids else {}
    item_classes = dict((await session.exec(select(Item.id, Item.class_name).where(  # type: ignore[call-overload]
        col(Item.id).in_(item_ids)))).all()) if item_ids else {}
    facts = {}
    for record, lines in records:
        customer = customers.get(getattr(record, 'customer_id', None))
        ordered = sorted(lines, key=lambda line: getattr(line, 'line_num', 0) or 0)
        facts[(entity_type, record.id)] = TrackingFacts(
            fields=record_fields(entity_type, record),
            customer_class=customer.class_name if customer else '',
            customer_location=customer.location_name if customer else '',
            line_item_classes=tuple(item_classes.get(getattr(line, 'item_id', None), '') or '' for line in ordered))
    return facts


async def tracking_lists(client: QuickBooksClient, prefs: TrackingPrefs, rules: FieldRules,
                         wanted: Iterable[tuple[str, str]] = ()) -> TrackingLists:
    """The company's classes and locations; the wanted ones it lacks are created where the rules say so."""
    lists = TrackingLists(prefs)
    for kind, entity in LIST_ENTITY.items():
        if prefs.tracks(kind):
            for row in await client.query(f'SELECT * FROM {entity}'):
                lists.add(kind, str(row['Id']), str(row.get('Name') or ''), str(row.get('FullyQualifiedName') or ''))
    for kind, name in sorted(set(wanted)):
        if lists.find(kind, name) is None and rules.tracking(kind).create_missing and prefs.tracks(kind):
            await _create(client, lists, kind, name)
    return lists


async def _create(client: QuickBooksClient, lists: TrackingLists, kind: str, name: str) -> None:
    """Create one class or location; when QuickBooks refuses, the records that need it fail with its reason."""
    entity = LIST_ENTITY[kind]
    digest = hashlib.sha256(f'{client.realm_id}:{entity}:{name.strip().lower()}'.encode()).hexdigest()[:32]
    try:  # the requestid is fixed per name: a retried create hands back the first answer, never a second one
        created = await client.create(entity, {'Name': name.strip()}, request_id=f'fm-{entity[:5]}-{digest}')
    except DuplicateNameError:  # an inactive one of that name (active ones were listed above)
        lists.refuse(kind, name, f"QuickBooks has an inactive {kind} called '{name}' and cannot create another.")
    except ValidationFault as fault:
        lists.refuse(kind, name, f"QuickBooks refused to create the {kind} '{name}': {fault}")
    else:
        lists.add(kind, str(created['Id']), str(created.get('Name') or name),
                  str(created.get('FullyQualifiedName') or ''))


async def field_context(session: AsyncSession, client: QuickBooksClient, realm_id: str,
                        records: dict[str, Sequence[tuple[Any, Sequence[Any]]]]) -> FieldContext:
    """Everything ``apply_field_mapping`` needs for ``records`` (entity -> [(record, lines)]) of one company."""
    rules = await load_rules(session, realm_id)
    prefs_body = await client.preferences()
    prefs = TrackingPrefs.from_preferences(prefs_body)
    facts: dict[tuple[str, int], TrackingFacts] = {}
    for entity_type, batch in records.items():
        facts.update(await record_facts(session, entity_type, batch))
    wanted = {pair for (entity_type, _), found in facts.items()
              for pair in wanted_names(entity_type, found, rules, prefs)}
    return FieldContext(rules=rules, lists=await tracking_lists(client, prefs, rules, wanted),
                        custom_fields=definitions(prefs_body), facts=facts)
