"""What a company's Preferences switch on transactions: class and location tracking, and sales-form custom fields.

* ``AccountingInfoPrefs.ClassTrackingPerTxn`` allows one ``ClassRef`` on the transaction, ``ClassTrackingPerTxnLine``
  a ``ClassRef`` on each line; ``TrackDepartments`` allows ``DepartmentRef`` (a location). A reference the company
  does not track is ignored (dropped from the stored transaction), the way Intuit ignores what does not apply
  (whether Intuit refuses it instead is UNCONFIRMED).
* Sales forms carry Intuit's three legacy custom fields, ``DefinitionId`` "1" to "3": a field is kept only while
  ``SalesFormsPrefs`` turns ``UseSalesCustomN`` on, takes its ``Name`` from ``SalesCustomNameN`` and holds a
  ``StringValue`` of at most 31 characters (2050).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import faults

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['apply_tracking', 'sales_custom_fields', 'preference']

CUSTOM_FIELD_LENGTH = 31


def preference(company: Company, section: str, name: str, default: Any = None) -> Any:
    prefs = company.get_object('Preferences', '1') or {}
    return prefs.get(section, {}).get(name, default)


def apply_tracking(company: Company, obj: dict[str, Any]) -> None:
    """Drop the class and location references the company does not track."""
    if not preference(company, 'AccountingInfoPrefs', 'ClassTrackingPerTxn', False):
        obj.pop('ClassRef', None)
    if not preference(company, 'AccountingInfoPrefs', 'ClassTrackingPerTxnLine', False):
        for line in obj.get('Line', []) if isinstance(obj.get('Line'), list) else []:
            for detail in line.values():
                if isinstance(detail, dict):
                    detail.pop('ClassRef', None)
    if not preference(company, 'AccountingInfoPrefs', 'TrackDepartments', False):
        obj.pop('DepartmentRef', None)


def _custom_settings(company: Company) -> dict[str, dict[str, Any]]:
    """{"1": {"on": bool, "name": str}, ...} from SalesFormsPrefs.CustomField."""
    settings: dict[str, dict[str, Any]] = {str(n): {'on': False, 'name': ''} for n in (1, 2, 3)}
    groups = preference(company, 'SalesFormsPrefs', 'CustomField', []) or []
    for group in groups if isinstance(groups, list) else []:
        for field in group.get('CustomField', []) if isinstance(group, dict) else []:
            name = str(field.get('Name', ''))
            for n in settings:
                if name == f'SalesFormsPrefs.UseSalesCustom{n}':
                    settings[n]['on'] = bool(field.get('BooleanValue'))
                elif name == f'SalesFormsPrefs.SalesCustomName{n}':
                    settings[n]['name'] = str(field.get('StringValue', ''))
    return settings


def sales_custom_fields(company: Company, obj: dict[str, Any]) -> None:
    """Keep the enabled custom fields, named as the company names them."""
    given = obj.get('CustomField')
    if not isinstance(given, list):
        obj.pop('CustomField', None)
        return
    settings, kept = _custom_settings(company), []
    for field in given:
        if not isinstance(field, dict):
            continue
        definition = str(field.get('DefinitionId', '')).strip()
        if definition not in settings or not settings[definition]['on']:
            continue
        value = str(field.get('StringValue', ''))
        if len(value) > CUSTOM_FIELD_LENGTH:
            raise faults.string_length('CustomField.StringValue', CUSTOM_FIELD_LENGTH, len(value))
        kept.append({'DefinitionId': definition, 'Name': settings[definition]['name'] or f'Custom {definition}',
                     'Type': 'StringType', 'StringValue': value})
    if kept:
        obj['CustomField'] = kept
    else:
        obj.pop('CustomField', None)
