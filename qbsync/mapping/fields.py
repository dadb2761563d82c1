"""The field-level mapping applied to one record: the hook the entity mappers' output goes through.

``apply_field_mapping(entity_type, record, obj, ctx)`` adds the ClassRef / DepartmentRef and custom fields the
company's rules ask for to the wire object an entity mapper built, the tax codes of a company outside the US, then
shapes its item lines (line detail).
Everything it needs was read before the run into a ``FieldContext`` (``qbsync.sync.field_context`` fills it), so
it is pure and the preview shows exactly what the engine sends.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .custom_fields import CustomFieldDefinition, apply_custom_fields, custom_fields
from .lines import apply_lines
from .rules import APP_FIELDS, LINE_ENTITIES, FieldRules
from .tax import TaxSetup, apply_tax
from .tracking import TrackingFacts, TrackingLists, TrackingPrefs, apply_tracking, resolve

__all__ = ['FieldContext', 'apply_field_mapping', 'record_fields']


@dataclass
class FieldContext:
    rules: FieldRules = field(default_factory=FieldRules)
    lists: TrackingLists = field(default_factory=lambda: TrackingLists(TrackingPrefs()))
    custom_fields: list[CustomFieldDefinition] = field(default_factory=list)
    facts: dict[tuple[str, int], TrackingFacts] = field(default_factory=dict)  # (entity, local id) -> facts
    tax: TaxSetup = field(default_factory=TaxSetup)  # the company's sales tax codes (none: US, TAX/NON)

    def facts_of(self, entity_type: str, record: Any) -> TrackingFacts:
        return self.facts.get((entity_type, getattr(record, 'id', None) or 0)) or \
            TrackingFacts(fields=record_fields(entity_type, record))


def record_fields(entity_type: str, record: Any) -> dict[str, str]:
    """The app fields of ``record`` a rule may read: {'service_area': 'North', ...}."""
    return {name: str(getattr(record, name, '') or '') for name, spec in APP_FIELDS.items()
            if entity_type in spec.entities}


def apply_field_mapping(entity_type: str, record: Any, obj: dict[str, Any], ctx: FieldContext) -> dict[str, Any]:
    """``obj`` with the company's field rules applied (changed in place and returned); raises FieldMappingError."""
    facts = ctx.facts_of(entity_type, record)
    apply_tracking(entity_type, obj, resolve(entity_type, facts, ctx.rules, ctx.lists))
    apply_custom_fields(obj, custom_fields(entity_type, record, ctx.rules, ctx.custom_fields))
    if entity_type in LINE_ENTITIES:
        apply_tax(obj, facts.line_tax_keys, ctx.rules.tax, ctx.tax)
        apply_lines(obj, ctx.rules.line_rule(entity_type), facts.line_item_descriptions, facts.line_item_names)
    return obj
