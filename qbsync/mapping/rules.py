"""The field-level mapping rules of one company, as typed pure data: where each transaction's class and location
come from, what fills the sales forms' custom fields.

Saved whole as JSON (``models.FieldMapping``) by the Field Mapping tab and read whole by the engine at the start of
a run; ``FieldRules.fingerprint(entity)`` tells which entities' payloads a change of rules affects, so that only
those are planned again.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from dataclasses import field as default

from pydantic import TypeAdapter

__all__ = ['FieldRules', 'TrackingRule', 'CustomFieldRule', 'AppField', 'APP_FIELDS', 'CUSTOM_FIELD_SOURCES',
           'NONE', 'FIXED', 'CUSTOMER', 'ITEM', 'FIELD', 'CLASS', 'LOCATION', 'TRACKING_SOURCES', 'CLASS_ENTITIES',
           'LOCATION_ENTITIES', 'CUSTOM_FIELD_ENTITIES', 'CUSTOM_FIELD_SLOTS', 'CUSTOM_FIELD_LENGTH', 'LineRule',
           'LINE_ENTITIES', 'LINE_DESCRIPTION', 'ITEM_DESCRIPTION', 'LINE_DESCRIPTIONS', 'TaxRule', 'TAXABLE_KEY',
           'NOT_TAXABLE_KEY', 'tax_key_problem']

# where a value comes from
NONE, FIXED, CUSTOMER, ITEM, FIELD = 'none', 'fixed', 'customer', 'item', 'field'
# what is mapped: QuickBooks' Class (ClassRef) and Department (DepartmentRef, "Location" in most companies)
CLASS, LOCATION = 'class', 'location'
TRACKING_SOURCES = {
    CLASS: (NONE, FIXED, CUSTOMER, ITEM, FIELD),
    LOCATION: (NONE, FIXED, CUSTOMER, FIELD),  # a location is per transaction in QuickBooks: never per line
}
# which entities carry them (Intuit: Payment has DepartmentRef but no ClassRef; a Purchase's class is per line)
CLASS_ENTITIES = ('invoice', 'credit_memo', 'expense')
LOCATION_ENTITIES = ('invoice', 'credit_memo', 'payment', 'expense')
CUSTOM_FIELD_ENTITIES = ('invoice', 'credit_memo')  # Intuit's three string custom fields are on sales forms
CUSTOM_FIELD_SLOTS = 3
CUSTOM_FIELD_LENGTH = 31  # Intuit keeps at most 31 characters of a custom field's StringValue
CUSTOM_FIELD_SOURCES = (NONE, FIELD, FIXED)
LINE_ENTITIES = ('invoice', 'credit_memo')  # the entities with item lines
LINE_DESCRIPTION, ITEM_DESCRIPTION = 'line', 'item'
LINE_DESCRIPTIONS = (LINE_DESCRIPTION, ITEM_DESCRIPTION)


@dataclass(frozen=True)
class AppField:
    name: str  # the record attribute
    label: str
    entities: tuple[str, ...]  # the records that have it


# the app's own fields a rule can read, by name
APP_FIELDS: dict[str, AppField] = {f.name: f for f in (
    AppField('service_area', 'Service area', ('invoice', 'credit_memo', 'payment', 'expense')),
    AppField('job_number', 'Job number', CUSTOM_FIELD_ENTITIES),
    AppField('technician', 'Technician', CUSTOM_FIELD_ENTITIES),
    AppField('po_number', 'PO number', CUSTOM_FIELD_ENTITIES),
)}


@dataclass(frozen=True)
class TrackingRule:
    """How transactions get their class (or location).

    ``value_map`` translates app values (a service area, a customer's or an item's class name) to QuickBooks names;
    values not in it are looked up by name as they are. ``create_missing`` lets the engine create a class or
    location QuickBooks does not have yet, instead of failing the record with the reason.
    """
    source: str = NONE
    fixed: str = ''  # the QuickBooks class/location name, for FIXED
    field: str = 'service_area'  # the app field, for FIELD
    value_map: dict[str, str] = default(default_factory=dict)
    create_missing: bool = False
    # the app gave transactions this ref under an earlier rule: with source NONE an update now clears it (set by
    # the Field Mapping service on saving; a company that never mapped it keeps whatever its accountant set)
    clear_old: bool = False

    def mapped(self, app_value: str) -> str:
        """The QuickBooks name for an app value ('' for none): the value map first (case-insensitively), else as is."""
        value = app_value.strip()
        if not value:
            return ''
        wanted = value.lower()
        return next((target for key, target in self.value_map.items() if key.strip().lower() == wanted), value)


@dataclass(frozen=True)
class CustomFieldRule:
    source: str = NONE  # NONE | FIELD | FIXED
    field: str = ''  # an APP_FIELDS name, for FIELD
    text: str = ''  # for FIXED


@dataclass(frozen=True)
class LineRule:
    """How an entity's item lines are sent."""
    group_by_item: bool = False  # one line per item (and rate), quantities and amounts summed
    description: str = 'line'  # LINE_DESCRIPTION: as typed on the line | ITEM_DESCRIPTION: the item's own
    service_dates: bool = True  # send each line's service date
    keep_order: bool = True  # the app's line order; else sorted by product or service name


# the app's tax keys that are not a rate: a line without a rate of its own is taxed by its item's taxable flag
TAXABLE_KEY, NOT_TAXABLE_KEY = 'taxable', 'not_taxable'


def tax_key_problem(key: str) -> str:
    """'' when ``key`` is 'taxable', 'not_taxable' or a rate in percent from 0 to 100, else why not."""
    if key in (TAXABLE_KEY, NOT_TAXABLE_KEY):
        return ''
    try:
        rate = float(key)
    except ValueError:
        return f"'{key}' is neither a tax rate nor taxable / not taxable."
    return '' if 0 <= rate <= 100 else f"'{key}' is not a rate between 0 and 100 %."


@dataclass(frozen=True)
class TaxRule:
    """Companies with tax codes (outside the US): which QuickBooks TaxCode each app tax key goes as.

    ``codes`` maps an app key (a rate in percent as text, '20' or '17.5', or TAXABLE_KEY / NOT_TAXABLE_KEY) to a
    TaxCode Id; a key not in it takes the default picked by rate (``qbsync.mapping.tax.default_code``).
    """
    codes: dict[str, str] = default(default_factory=dict)


@dataclass(frozen=True)
class FieldRules:
    classes: TrackingRule = default(default_factory=TrackingRule)
    locations: TrackingRule = default(default_factory=TrackingRule)
    custom_fields: tuple[CustomFieldRule, ...] = (CustomFieldRule(),) * CUSTOM_FIELD_SLOTS
    lines: dict[str, LineRule] = default(default_factory=dict)  # per entity (LINE_ENTITIES); absent: as entered
    tax: TaxRule = default(default_factory=TaxRule)

    def line_rule(self, entity_type: str) -> LineRule:
        return self.lines.get(entity_type) or LineRule()

    def tracking(self, kind: str) -> TrackingRule:
        return self.classes if kind == CLASS else self.locations

    def with_tracking(self, kind: str, rule: TrackingRule) -> FieldRules:
        return replace(self, **{'classes' if kind == CLASS else 'locations': rule})

    def problems(self) -> dict[str, str]:
        """What is inconsistent, by form field ('classes.fixed'); empty when the rules can be saved."""
        errors: dict[str, str] = {}
        for kind in (CLASS, LOCATION):
            rule, key = self.tracking(kind), 'classes' if kind == CLASS else 'locations'
            if rule.source not in TRACKING_SOURCES[kind]:
                errors[f'{key}.source'] = f'Choose one of: {", ".join(TRACKING_SOURCES[kind])}.'
            elif rule.source == FIXED and not rule.fixed.strip():
                errors[f'{key}.fixed'] = f'Choose the {kind} every transaction gets.'
            elif rule.source == FIELD and rule.field not in APP_FIELDS:
                errors[f'{key}.field'] = 'Choose the app field to read.'
            for app_value, target in rule.value_map.items():
                if not app_value.strip() or not target.strip():
                    errors[f'{key}.value_map'] = 'Every row of the value map needs an app value and a target.'
        for entity_type, line_rule in self.lines.items():
            if entity_type not in LINE_ENTITIES:
                errors[f'lines.{entity_type}'] = 'Only invoices and credit memos have item lines.'
            elif line_rule.description not in LINE_DESCRIPTIONS:
                errors[f'lines.{entity_type}.description'] = f'Choose one of: {", ".join(LINE_DESCRIPTIONS)}.'
        for key, code in self.tax.codes.items():
            problem = tax_key_problem(key) or ('' if str(code).strip() else 'Choose a QuickBooks tax code.')
            if problem:
                errors[f'tax.{key}'] = problem
        if len(self.custom_fields) != CUSTOM_FIELD_SLOTS:
            errors['custom_fields'] = f'QuickBooks has exactly {CUSTOM_FIELD_SLOTS} custom fields on sales forms.'
        for slot, rule in enumerate(self.custom_fields, start=1):
            if rule.source not in CUSTOM_FIELD_SOURCES:
                errors[f'custom_fields.{slot}'] = f'Choose one of: {", ".join(CUSTOM_FIELD_SOURCES)}.'
            elif rule.source == FIELD and rule.field not in APP_FIELDS:
                errors[f'custom_fields.{slot}'] = 'Choose the app field to read.'
            elif rule.source == FIXED and not rule.text.strip():
                errors[f'custom_fields.{slot}'] = 'Type the text every sales form gets.'
            elif rule.source == FIXED and len(rule.text.strip()) > CUSTOM_FIELD_LENGTH:
                errors[f'custom_fields.{slot}'] = f'QuickBooks keeps at most {CUSTOM_FIELD_LENGTH} characters.'
        return errors

    def fingerprint(self, entity_type: str) -> str:
        """A digest of the rules that shape ``entity_type``'s payload: equal digests, equal payloads."""
        parts: dict[str, object] = {}
        if entity_type in CLASS_ENTITIES:
            parts['classes'] = asdict(self.classes)
        if entity_type in LOCATION_ENTITIES:
            parts['locations'] = asdict(self.locations)
        if entity_type in CUSTOM_FIELD_ENTITIES:
            parts['custom_fields'] = [asdict(rule) for rule in self.custom_fields]
        if entity_type in LINE_ENTITIES:
            parts['lines'] = asdict(self.line_rule(entity_type))
            if self.tax != TaxRule():  # absent from older digests: saving unrelated rules re-plans nothing
                parts['tax'] = asdict(self.tax)
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def to_json(self) -> str:
        return _ADAPTER.dump_json(self).decode()

    @classmethod
    def from_json(cls, text: str | None) -> FieldRules:
        """The rules stored as JSON; keys added by later versions are ignored, missing ones take their defaults."""
        return _ADAPTER.validate_json(text or '{}')


_ADAPTER = TypeAdapter(FieldRules)
