"""Custom fields on sales forms: Intuit's three string fields, each filled from an app field or a fixed text.

The company defines them in ``/preferences`` (SalesFormsPrefs.CustomField: ``UseSalesCustomN`` switches field N on,
``SalesCustomNameN`` names it); only switched-on fields are sent, as ``{"DefinitionId", "Name", "Type":
"StringType", "StringValue"}``. A value longer than Intuit keeps (31 characters) fails the record with the reason
instead of being cut.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .rules import APP_FIELDS, CUSTOM_FIELD_ENTITIES, CUSTOM_FIELD_LENGTH, CUSTOM_FIELD_SLOTS, FIELD, FIXED, \
    FieldRules
from .tracking import FieldMappingError

__all__ = ['CustomFieldDefinition', 'definitions', 'custom_fields', 'apply_custom_fields']


@dataclass(frozen=True)
class CustomFieldDefinition:
    slot: int  # 1..3, Intuit's DefinitionId
    name: str  # what the company calls it ('Crew #'); 'Custom field N' when unnamed
    enabled: bool  # switched on in the company's sales form settings


def definitions(prefs: dict[str, Any]) -> list[CustomFieldDefinition]:
    """The three sales-form custom fields as the company has set them up."""
    values: dict[str, Any] = {}
    for group in (prefs.get('SalesFormsPrefs') or {}).get('CustomField') or []:
        for entry in group.get('CustomField') or []:
            name = str(entry.get('Name') or '')
            values[name] = entry.get('BooleanValue') if entry.get('Type') == 'BooleanType' else entry.get('StringValue')
    return [CustomFieldDefinition(slot, str(values.get(f'SalesFormsPrefs.SalesCustomName{slot}') or
                                            f'Custom field {slot}'),
                                  bool(values.get(f'SalesFormsPrefs.UseSalesCustom{slot}')))
            for slot in range(1, CUSTOM_FIELD_SLOTS + 1)]


def custom_fields(entity_type: str, record: Any, rules: FieldRules,
                  defs: list[CustomFieldDefinition]) -> list[dict[str, Any]]:
    """The CustomField array for ``record`` (empty when nothing applies)."""
    if entity_type not in CUSTOM_FIELD_ENTITIES:
        return []
    out = []
    for definition, rule in zip(defs, rules.custom_fields, strict=False):
        if not definition.enabled:
            continue
        if rule.source == FIXED:
            value, origin = rule.text.strip(), 'the fixed text'
        elif rule.source == FIELD and rule.field in APP_FIELDS:
            value, origin = str(getattr(record, rule.field, '') or '').strip(), APP_FIELDS[rule.field].label.lower()
        else:
            continue
        if not value:
            continue
        if len(value) > CUSTOM_FIELD_LENGTH:
            raise FieldMappingError(
                f"The {origin} '{value}' is {len(value)} characters long; QuickBooks keeps at most "
                f"{CUSTOM_FIELD_LENGTH} in its custom field '{definition.name}'.",
                f'Shorten the {origin} to {CUSTOM_FIELD_LENGTH} characters, or fill the custom field from another '
                'app field on the Field Mapping tab.')
        out.append({'DefinitionId': str(definition.slot), 'Name': definition.name, 'Type': 'StringType',
                    'StringValue': value})
    return out


def apply_custom_fields(obj: dict[str, Any], fields: list[dict[str, Any]]) -> None:
    if fields:
        obj['CustomField'] = fields
