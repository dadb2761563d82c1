"""Field Mapping: where each transaction's class and location come from, value maps, the sales-form custom
fields, line detail and tax codes; what the company tracks and its tax codes are read live from QuickBooks."""
from __future__ import annotations

from nicegui import ui

from qbsync.mapping.rules import (APP_FIELDS, CLASS, CUSTOM_FIELD_LENGTH, CUSTOMER, FIELD, FIXED, ITEM,
                                  ITEM_DESCRIPTION, LINE_DESCRIPTION, LINE_ENTITIES, LOCATION, NONE, CustomFieldRule,
                                  FieldRules, LineRule, TaxRule, TrackingRule)
from qbsync.mapping.tax import default_code, key_label
from qbsync.quickbooks.errors import QuickBooksError
from qbsync.services.account_mapping import NotConnected
from qbsync.services.errors import PermissionDenied, ValidationError
from qbsync.services.field_mapping import CompanySetup

from ..auth import authorize
from ..forms import clear_field_errors, show_field_errors
from .common import CenterContext

__all__ = ['build']

KEYS = {CLASS: 'classes', LOCATION: 'locations'}


async def build(context: CenterContext) -> None:
    services = context.services
    if await services.field_mapping.active_realm() is None:
        ui.label('Connect QuickBooks first: classes, locations and custom fields are read from the connected '
                 'company.').classes('text-grey-8').mark('field-mapping-not-connected')
        return
    try:
        setup = await services.field_mapping.company_setup()
    except QuickBooksError as error:
        ui.label(f'The company settings could not be read from QuickBooks: {error}') \
            .classes('text-negative').mark('field-mapping-error')
        return
    rules = await services.field_mapping.load()
    values = {name: await services.field_mapping.app_values(name) for name in APP_FIELDS}
    tax_keys = await services.field_mapping.app_tax_keys() if setup.tax.global_tax else []
    _FieldMappingForm(context, setup, rules, values, tax_keys)


def _tracking_status(kind: str, setup: CompanySetup) -> str:
    prefs = setup.prefs
    if kind == CLASS:
        if prefs.classes_per_line:
            return 'This company tracks classes on each line (expenses always per line).'
        if prefs.classes_per_txn:
            return 'This company tracks one class per transaction (expenses per line).'
        return 'This company does not track classes: switch class tracking on in QuickBooks to use this rule.'
    if prefs.locations:
        return f'This company tracks {prefs.location_label.lower()}s, one per transaction.'
    return 'This company does not track locations: switch location tracking on in QuickBooks to use this rule.'


class _FieldMappingForm:
    def __init__(self, context: CenterContext, setup: CompanySetup, rules: FieldRules,
                 values: dict[str, list[str]], tax_keys: list[str]) -> None:
        self.context, self.setup, self.values, self.tax_keys = context, setup, values, tax_keys
        self.editable = context.can_manage
        self.fields: dict[str, ui.element] = {}
        self.maps: dict[str, dict[str, str]] = {kind: dict(rules.tracking(kind).value_map) for kind in KEYS}
        self.map_rows: dict[str, ui.column] = {}
        with ui.column().classes('w-full gap-4').mark('field-mapping'):
            if not self.editable:
                ui.label('Read-only: only owners and admins can change the field mapping.').classes('text-grey-7')
            for kind in (CLASS, LOCATION):
                self._tracking_card(kind, rules.tracking(kind))
            self._custom_fields_card(rules)
            self._lines_card(rules)
            self._tax_card(rules)
            if self.editable:
                ui.button('Save field mapping', icon='save', on_click=self.save).mark('save-field-mapping')

    # -- classes and locations -----------------------------------------------------------------------------------
    def _label(self, kind: str) -> str:
        return 'class' if kind == CLASS else self.setup.prefs.location_label.lower()

    def _tracking_card(self, kind: str, rule: TrackingRule) -> None:
        key, label = KEYS[kind], self._label(kind)
        sources = {NONE: f'No {label}', FIXED: f'One fixed {label}', CUSTOMER: f"The customer's {label}",
                   ITEM: "The item on each line's class", FIELD: 'An app field, through the value map'}
        if kind == LOCATION:
            sources.pop(ITEM)
        with ui.card().classes('w-full gap-2').mark(f'tracking-{kind}'):
            ui.label(f'{label.capitalize()}es' if kind == CLASS else f'{label.capitalize()}s') \
                .classes('text-lg font-bold')
            ui.label(_tracking_status(kind, self.setup)).classes('text-xs text-grey-7').mark(f'{kind}-status')
            source = self._input(f'{key}.source', ui.select(sources, value=rule.source, label='Taken from')
                                 .classes('w-96').mark(f'{kind}-source'))
            names = {name: name for name in self.setup.names(kind)}
            if rule.fixed and rule.fixed not in names:
                names[rule.fixed] = rule.fixed
            fixed = self._input(f'{key}.fixed', ui.select(names, value=rule.fixed or None, label=f'The {label}',
                                                          with_input=True, new_value_mode='add-unique')
                                .classes('w-96').mark(f'{kind}-fixed'))
            fixed.bind_visibility_from(source, 'value', backward=lambda v: v == FIXED)
            fields = {name: spec.label for name, spec in APP_FIELDS.items() if name == 'service_area'}
            field = self._input(f'{key}.field', ui.select(fields, value=rule.field, label='App field')
                                .classes('w-96').mark(f'{kind}-field'))
            field.bind_visibility_from(source, 'value', backward=lambda v: v == FIELD)
            self._input(f'{key}.create_missing', ui.checkbox(
                f'Create a missing {label} in QuickBooks (otherwise the record fails and says which one)',
                value=rule.create_missing).mark(f'{kind}-create'))
            ui.label('Value map: app value → QuickBooks name. Values not listed are looked up by name as they are.') \
                .classes('text-xs text-grey-7')
            self.map_rows[kind] = ui.column().classes('w-full gap-1').mark(f'{kind}-map')
            self._render_map(kind)
            if self.editable:
                self._add_map_row(kind)

    def _render_map(self, kind: str) -> None:
        rows = self.map_rows[kind]
        rows.clear()
        with rows:
            if not self.maps[kind]:
                ui.label('No values are mapped.').classes('text-grey-7').mark(f'{kind}-map-empty')
            for app_value, target in sorted(self.maps[kind].items(), key=lambda pair: pair[0].lower()):
                with ui.row().classes('items-center gap-3').mark(f'{kind}-map-row'):
                    ui.label(app_value).classes('w-48')
                    ui.label('→')
                    ui.label(target).classes('w-64').mark(f'{kind}-map-target')
                    if self.editable:
                        ui.button(icon='delete', on_click=lambda v=app_value, k=kind: self._unmap(k, v)) \
                            .props('flat round dense').mark(f'{kind}-map-remove')

    def _add_map_row(self, kind: str) -> None:
        with ui.row().classes('items-center gap-3'):
            app_value = ui.select(self.values.get('service_area', []), label='App value', with_input=True,
                                  new_value_mode='add-unique').classes('w-48').mark(f'{kind}-map-value')
            target = ui.select(self.setup.names(kind), label=f'QuickBooks {self._label(kind)}', with_input=True,
                               new_value_mode='add-unique').classes('w-64').mark(f'{kind}-map-new-target')
            ui.button('Map', icon='add', on_click=lambda: self._map(kind, app_value, target)) \
                .props('outline').mark(f'{kind}-map-add')

    def _map(self, kind: str, app_value: ui.select, target: ui.select) -> None:
        if not str(app_value.value or '').strip() or not str(target.value or '').strip():
            ui.notify(f'Choose an app value and a QuickBooks {self._label(kind)}.', type='warning')
            return
        self.maps[kind][str(app_value.value).strip()] = str(target.value).strip()
        app_value.set_value(None)
        target.set_value(None)
        self._render_map(kind)

    def _unmap(self, kind: str, app_value: str) -> None:
        self.maps[kind].pop(app_value, None)
        self._render_map(kind)

    # -- custom fields -------------------------------------------------------------------------------------------
    def _custom_fields_card(self, rules: FieldRules) -> None:
        sources = {NONE: 'Empty', FIELD: 'An app field', FIXED: 'A fixed text'}
        fields = {name: spec.label for name, spec in APP_FIELDS.items()}
        with ui.card().classes('w-full gap-2').mark('custom-fields'):
            ui.label('Custom fields on invoices and credit memos').classes('text-lg font-bold')
            ui.label(f'QuickBooks keeps at most {CUSTOM_FIELD_LENGTH} characters in each.') \
                .classes('text-xs text-grey-7')
            for definition, rule in zip(self.setup.custom_fields, rules.custom_fields, strict=False):
                slot = definition.slot
                with ui.row().classes('items-center gap-3').mark(f'custom-field-{slot}'):
                    ui.label(definition.name).classes('w-40 font-medium')
                    if not definition.enabled:
                        ui.label('switched off in QuickBooks').classes('text-xs text-grey-7') \
                            .mark(f'custom-field-{slot}-off')
                    source = self._input(f'custom_fields.{slot}', ui.select(sources, value=rule.source,
                                                                            label='Filled from')
                                         .classes('w-48').mark(f'custom-field-{slot}-source'))
                    field = self._input(f'custom_fields.{slot}.field', ui.select(
                        fields, value=rule.field or None, label='App field').classes('w-48')
                        .mark(f'custom-field-{slot}-field'))
                    field.bind_visibility_from(source, 'value', backward=lambda v: v == FIELD)
                    text = self._input(f'custom_fields.{slot}.text', ui.input(
                        'Text', value=rule.text).props(f'maxlength={CUSTOM_FIELD_LENGTH}').classes('w-48')
                        .mark(f'custom-field-{slot}-text'))
                    text.bind_visibility_from(source, 'value', backward=lambda v: v == FIXED)

    # -- line detail ---------------------------------------------------------------------------------------------
    def _lines_card(self, rules: FieldRules) -> None:
        descriptions = {LINE_DESCRIPTION: 'As typed on the line', ITEM_DESCRIPTION: "The item's own description"}
        with ui.card().classes('w-full gap-2').mark('line-detail'):
            ui.label('Lines').classes('text-lg font-bold')
            for entity_type, label in (('invoice', 'Invoices'), ('credit_memo', 'Credit memos')):
                rule = rules.line_rule(entity_type)
                with ui.row().classes('items-center gap-4 wrap').mark(f'lines-{entity_type}'):
                    ui.label(label).classes('w-32 font-medium')
                    self._input(f'lines.{entity_type}.group_by_item', ui.checkbox(
                        'One line per item (quantities summed)', value=rule.group_by_item)
                        .mark(f'lines-{entity_type}-group'))
                    self._input(f'lines.{entity_type}.description', ui.select(
                        descriptions, value=rule.description, label='Descriptions').classes('w-56')
                        .mark(f'lines-{entity_type}-description'))
                    self._input(f'lines.{entity_type}.service_dates', ui.checkbox(
                        'Service dates', value=rule.service_dates).mark(f'lines-{entity_type}-dates'))
                    self._input(f'lines.{entity_type}.keep_order', ui.checkbox(
                        "Keep the app's line order", value=rule.keep_order).mark(f'lines-{entity_type}-order'))

    def _line_rules(self) -> dict[str, LineRule]:
        rules = {entity_type: LineRule(
            group_by_item=bool(self.fields[f'lines.{entity_type}.group_by_item'].value),  # type: ignore
            description=self._value(f'lines.{entity_type}.description') or LINE_DESCRIPTION,
            service_dates=bool(self.fields[f'lines.{entity_type}.service_dates'].value),  # type: ignore
            keep_order=bool(self.fields[f'lines.{entity_type}.keep_order'].value))  # type: ignore
            for entity_type in LINE_ENTITIES}
        return {entity_type: rule for entity_type, rule in rules.items() if rule != LineRule()}

    # -- tax ---------------------------------------------------------------------------------------------------------
    def _tax_card(self, rules: FieldRules) -> None:
        tax = self.setup.tax
        with ui.card().classes('w-full gap-2').mark('tax'):
            ui.label('Tax').classes('text-lg font-bold')
            if not tax.global_tax:
                ui.label('This company uses US sales tax: a line with a rate above 0, or without a rate of its own '
                         'on a taxable item, goes as TAX, every other line as NON, and QuickBooks computes the tax.') \
                    .classes('text-grey-8').mark('tax-us')
                return
            ui.label("Each app tax rate goes to QuickBooks as the tax code chosen here. After each invoice or credit "
                     "memo is sent, QuickBooks' totals are compared with the app's; a difference of more than a cent "
                     'per line fails the record and says so.').classes('text-xs text-grey-7')
            codes = {code.id: code.label for code in tax.codes}
            for key in self.tax_keys:
                default = default_code(key, tax.codes)
                chosen = rules.tax.codes.get(key) or (default.id if default else None)
                with ui.row().classes('items-center gap-3').mark(f'tax-{key}'):
                    ui.label(key_label(key).capitalize()).classes('w-72')
                    ui.label('→')
                    self._input(f'tax.{key}', ui.select(codes, value=chosen if chosen in codes else None,
                                                        label='QuickBooks tax code').classes('w-64')
                                .mark(f'tax-{key}-code'))
                    ui.label(f'Default: {default.label}' if default else 'No default: choose one') \
                        .classes('text-xs text-grey-7')

    def _tax_rule(self) -> TaxRule:
        """Only the choices that differ from the default are kept: the default follows the company's codes."""
        codes = {}
        for key in self.tax_keys:
            chosen, default = self._value(f'tax.{key}'), default_code(key, self.setup.tax.codes)
            if chosen and (default is None or chosen != default.id):
                codes[key] = chosen
        return TaxRule(codes)

    # -- saving ----------------------------------------------------------------------------------------------------
    def _input(self, name: str, element):  # type: ignore[no-untyped-def]
        self.fields[name] = element
        if not self.editable:
            element.disable()
        return element

    def _value(self, name: str) -> str:
        value = self.fields[name].value  # type: ignore[attr-defined]
        return '' if value is None else str(value).strip()

    def rules(self) -> FieldRules:
        tracking = {kind: TrackingRule(source=self._value(f'{key}.source'), fixed=self._value(f'{key}.fixed'),
                                       field=self._value(f'{key}.field') or 'service_area',
                                       value_map=dict(self.maps[kind]),
                                       create_missing=bool(self.fields[f'{key}.create_missing'].value))  # type: ignore
                    for kind, key in KEYS.items()}
        custom = tuple(CustomFieldRule(source=self._value(f'custom_fields.{slot}'),
                                       field=self._value(f'custom_fields.{slot}.field'),
                                       text=self._value(f'custom_fields.{slot}.text'))
                       for slot in range(1, len(self.setup.custom_fields) + 1))
        return FieldRules(classes=tracking[CLASS], locations=tracking[LOCATION], custom_fields=custom,
                          lines=self._line_rules(), tax=self._tax_rule())

    async def save(self) -> None:
        services = self.context.services
        user = await authorize(services, manage=True)
        if user is None:
            return
        clear_field_errors(self.fields)  # type: ignore[arg-type]
        try:
            outcome = await services.field_mapping.save(self.rules(), acting=user, setup=self.setup)
        except ValidationError as error:
            show_field_errors(self.fields, error)  # type: ignore[arg-type]
            return
        except (PermissionDenied, NotConnected, QuickBooksError) as error:
            ui.notify(str(error), type='negative')
            return
        ui.notify(outcome.message(), type='positive')
        await self.context.changed()
