"""Classes and locations: which ClassRef and DepartmentRef a transaction gets under the company's rules.

Pure functions over what was read before the run: the company's tracking preferences and lists (``TrackingLists``)
and the record's own app values (``TrackingFacts``). Classes go on each line when the company tracks classes per
line, on the transaction when it tracks them per transaction (a Purchase has no transaction class: its lines get
it), and nowhere when class tracking is off; a location always goes on the transaction, when locations are on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .refs import MappingError
from .rules import APP_FIELDS, CLASS, CLASS_ENTITIES, CUSTOMER, FIELD, FIXED, ITEM, LOCATION, LOCATION_ENTITIES, \
    NONE, FieldRules

__all__ = ['TrackingPrefs', 'TrackingLists', 'TrackingFacts', 'TrackingRefs', 'FieldMappingError', 'wanted_names',
           'resolve', 'apply_tracking', 'LINE_DETAILS', 'KIND_LABELS', 'clear_untracked']

# the line detail that carries a ClassRef, per entity
LINE_DETAILS = {'invoice': 'SalesItemLineDetail', 'credit_memo': 'SalesItemLineDetail',
                'expense': 'AccountBasedExpenseLineDetail'}
KIND_LABELS = {CLASS: 'class', LOCATION: 'location'}


class FieldMappingError(MappingError):
    """A record cannot be sent under the field mapping; the message says why and ``suggestion`` what to do (the
    engine fails that record alone, with both, as for any MappingError)."""


@dataclass(frozen=True)
class TrackingPrefs:
    """The tracking switches of ``/preferences`` (AccountingInfoPrefs)."""
    classes_per_txn: bool = False
    classes_per_line: bool = False
    locations: bool = False
    location_label: str = 'Location'  # DepartmentTerminology: what the company calls its departments

    @property
    def classes(self) -> bool:
        return self.classes_per_txn or self.classes_per_line

    def tracks(self, kind: str) -> bool:
        return self.classes if kind == CLASS else self.locations

    @classmethod
    def from_preferences(cls, prefs: dict[str, Any]) -> TrackingPrefs:
        info = prefs.get('AccountingInfoPrefs') or {}
        return cls(classes_per_txn=bool(info.get('ClassTrackingPerTxn')),
                   classes_per_line=bool(info.get('ClassTrackingPerTxnLine')),
                   locations=bool(info.get('TrackDepartments')),
                   location_label=str(info.get('DepartmentTerminology') or 'Location'))


@dataclass
class TrackingLists:
    """The company's active classes and locations: lower-case FullyQualifiedName (and plain Name) -> Id."""
    prefs: TrackingPrefs
    classes: dict[str, str] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)
    refused: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, lower name) -> why it is not there
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, Id) -> name as QuickBooks shows it

    def refuse(self, kind: str, name: str, reason: str) -> None:
        self.refused[(kind, name.strip().lower())] = reason

    def of(self, kind: str) -> dict[str, str]:
        return self.classes if kind == CLASS else self.locations

    def add(self, kind: str, qbo_id: str, name: str, fully_qualified_name: str = '') -> None:
        entries = self.of(kind)
        self.names.setdefault((kind, qbo_id), (fully_qualified_name or name).strip())
        entries.setdefault(name.strip().lower(), qbo_id)
        if fully_qualified_name:
            entries[fully_qualified_name.strip().lower()] = qbo_id

    def find(self, kind: str, name: str) -> str | None:
        return self.of(kind).get(name.strip().lower()) if name.strip() else None


@dataclass(frozen=True)
class TrackingFacts:
    """The app values a record's rules may read."""
    fields: dict[str, str] = field(default_factory=dict)  # the record's own app fields: {'service_area': 'North'}
    customer_class: str = ''
    customer_location: str = ''
    line_item_classes: tuple[str, ...] = ()  # each line's item class, in line order ('' where none)
    line_item_names: tuple[str, ...] = ()  # each line's item name and description (line detail rules)
    line_item_descriptions: tuple[str, ...] = ()
    line_tax_keys: tuple[str, ...] = ()  # each line's app tax key: its own rate, else its item's taxable flag


@dataclass(frozen=True)
class TrackingRefs:
    class_id: str | None = None  # on the transaction
    line_class_ids: tuple[str | None, ...] = ()  # on each line, from each line's item, in line order
    every_line_class: str | None = None  # the same class on every line
    location_id: str | None = None


def _applies(kind: str, entity_type: str) -> bool:
    return entity_type in (CLASS_ENTITIES if kind == CLASS else LOCATION_ENTITIES)


def _app_values(kind: str, entity_type: str, facts: TrackingFacts, rules: FieldRules) -> tuple[str, list[str]]:
    """(where the values come from, in words; the app values: one per line for classes from items, else one)."""
    rule = rules.tracking(kind)
    if rule.source == FIXED:
        return 'the fixed choice', [rule.fixed]
    if rule.source == CUSTOMER:
        return "the customer's choice", [facts.customer_class if kind == CLASS else facts.customer_location]
    if rule.source == ITEM and kind == CLASS:
        return "the line's item", list(facts.line_item_classes)
    if rule.source == FIELD and entity_type in APP_FIELDS[rule.field].entities:
        return f'the {APP_FIELDS[rule.field].label.lower()}', [facts.fields.get(rule.field, '')]
    return '', []


def wanted_names(entity_type: str, facts: TrackingFacts, rules: FieldRules,
                 prefs: TrackingPrefs) -> set[tuple[str, str]]:
    """The (kind, QuickBooks name) pairs a record needs; the engine makes sure they exist before sending."""
    wanted: set[tuple[str, str]] = set()
    for kind in (CLASS, LOCATION):
        if prefs.tracks(kind) and _applies(kind, entity_type):
            rule = rules.tracking(kind)
            wanted.update((kind, rule.mapped(value)) for value in _app_values(kind, entity_type, facts, rules)[1]
                          if rule.mapped(value))
    return wanted


def resolve(entity_type: str, facts: TrackingFacts, rules: FieldRules, lists: TrackingLists) -> TrackingRefs:
    """The Ids to send; a value whose class or location QuickBooks does not have raises FieldMappingError."""
    class_id, line_ids, every_line, location_id = None, (), None, None
    prefs = lists.prefs
    if prefs.classes and _applies(CLASS, entity_type):
        origin, values = _app_values(CLASS, entity_type, facts, rules)
        ids = [_id(CLASS, value, origin, rules, lists) for value in values]
        per_line = prefs.classes_per_line or entity_type == 'expense'
        if rules.classes.source == ITEM:
            if per_line:
                line_ids = tuple(ids)
            else:  # one class per transaction: the first line's item that has one decides
                class_id = next((i for i in ids if i), None)
        elif per_line:
            every_line = ids[0] if ids else None
        else:
            class_id = ids[0] if ids else None
    if prefs.locations and _applies(LOCATION, entity_type):
        origin, values = _app_values(LOCATION, entity_type, facts, rules)
        location_id = next((i for i in (_id(LOCATION, v, origin, rules, lists) for v in values) if i), None)
    return TrackingRefs(class_id, line_ids, every_line, location_id)


def _id(kind: str, app_value: str, origin: str, rules: FieldRules, lists: TrackingLists) -> str | None:
    rule = rules.tracking(kind)
    name = rule.mapped(app_value)
    if not name:
        return None
    found = lists.find(kind, name)
    if found:
        return found
    label = KIND_LABELS[kind] if kind == CLASS else lists.prefs.location_label.lower()
    refused = lists.refused.get((kind, name.strip().lower()))
    if refused:
        raise FieldMappingError(refused, f"Make the {label} '{name}' active in QuickBooks, or map the value to "
                                         f'another {label} on the Field Mapping tab.')
    via = f" (from {origin}: '{app_value.strip()}')" if rule.source != FIXED else ''
    raise FieldMappingError(
        f"QuickBooks has no {label} '{name}'{via}.",
        f"Add '{name}' in QuickBooks, map the value to an existing {label} on the Field Mapping tab, or let that "
        f"tab create missing ones in QuickBooks.")


def apply_tracking(entity_type: str, obj: dict[str, Any], refs: TrackingRefs) -> None:
    """Write the refs into the wire object the entity mapper built (lines in the app's line order)."""
    if refs.class_id and entity_type != 'expense':
        obj['ClassRef'] = {'value': refs.class_id}
    if refs.location_id:
        obj['DepartmentRef'] = {'value': refs.location_id}
    detail_type = LINE_DETAILS.get(entity_type)
    if detail_type is None or not (refs.line_class_ids or refs.every_line_class):
        return
    lines = [line for line in obj.get('Line') or [] if line.get('DetailType') == detail_type]
    for index, line in enumerate(lines):
        class_id = refs.every_line_class or (refs.line_class_ids[index] if index < len(refs.line_class_ids) else None)
        if class_id:
            line.setdefault(detail_type, {})['ClassRef'] = {'value': class_id}


def clear_untracked(entity_type: str, obj: dict[str, Any], rules: FieldRules) -> None:
    """For a sparse update: a transaction ClassRef / DepartmentRef the app owns (a rule gives it, or gave it before
    being switched back to none) but does not give now is cleared explicitly with ``null``: a field left out of a
    sparse update keeps its old value in QuickBooks. Item lines need nothing: they are sent whole on every update,
    so a line class the rules no longer give is gone with the old lines."""
    for kind, key, entities in ((CLASS, 'ClassRef', ('invoice', 'credit_memo')),  # a Purchase: lines only
                                (LOCATION, 'DepartmentRef', LOCATION_ENTITIES)):
        rule = rules.tracking(kind)
        if entity_type in entities and (rule.source != NONE or rule.clear_old):
            obj.setdefault(key, None)
