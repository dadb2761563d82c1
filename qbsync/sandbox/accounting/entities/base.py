"""What every entity shares: create, read, full and sparse update, delete and void, with Intuit's generic rules.

An ``EntityType`` subclass declares its writable fields, required fields, length limits, enumerations and
references; it overrides ``derive`` (fill and compute fields) and ``rules`` (business checks) and, for entities that
affect others (payments and invoices), ``after_commit``. Everything is written through ``Company.commit``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import faults
from ..wire import copy_json
from .values import UNSET, clean, is_unset, ref_id, to_bool, walk

if TYPE_CHECKING:
    from ...events import Operation
    from ..store import Company

__all__ = ['EntityType', 'RefRule', 'Context', 'SYSTEM_FIELDS', 'display_name_of']

SYSTEM_FIELDS = frozenset({'Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'status'})


@dataclass(frozen=True)
class RefRule:
    """A reference field: where it is, what it may point to, and what Intuit says when it cannot."""

    path: str                      # 'CustomerRef' or 'Line[].SalesItemLineDetail.ItemRef'
    targets: tuple[str, ...]       # entity names; several (EntityRef) use the reference's ``type``
    required: bool = False
    inactive: str | None = 'list'  # newly used inactive target: 'list' -> 610, 'customer' -> 6250, None -> allowed
    named: bool = True             # Intuit fills ``name`` from the target (not for tax codes)


@dataclass
class Context:
    company: Company
    existing: dict[str, Any] | None
    allow_duplicate_doc_num: bool = False
    auto_doc_number: str | None = None   # set when a DocNumber was drawn from the sequence (kept on success)


def display_name_of(obj: dict[str, Any]) -> str:
    return obj.get('DisplayName') or obj.get('FullyQualifiedName') or obj.get('Name') or ''


class EntityType:
    name: ClassVar[str] = ''
    path: ClassVar[str] = ''
    operations: ClassVar[frozenset[str]] = frozenset({'read', 'query'})
    fields: ClassVar[frozenset[str]] = frozenset()       # writable top-level fields; anything else is ignored
    computed: ClassVar[frozenset[str]] = frozenset()     # read-only fields a full update keeps (then recomputed)
    required: ClassVar[tuple[str, ...]] = ()
    lengths: ClassVar[dict[str, int]] = {}
    enums: ClassVar[dict[str, tuple[str, ...]]] = {}
    refs: ClassVar[tuple[RefRule, ...]] = ()
    defaults: ClassVar[dict[str, Any]] = {}
    filterable: ClassVar[frozenset[str]] = frozenset({'Id', 'MetaData.CreateTime', 'MetaData.LastUpdatedTime'})
    name_list: ClassVar[bool] = False                    # deactivated (Active:false), never deleted
    posts: ClassVar[bool] = False                        # moves account balances (see ``postings``)

    # --- operations -------------------------------------------------------------------------------------------
    def create(self, company: Company, payload: Any, allow_duplicate_doc_num: bool = False) -> dict[str, Any]:
        self._allow('create')
        obj = self._incoming(self._body(payload))
        self._apply_defaults(obj)
        self._prepare(Context(company, None, allow_duplicate_doc_num), obj)
        stored = company.commit(self.name, obj, 'Create')
        self.after_commit(company, stored, None)
        return self.render(company, stored)

    def update(self, company: Company, payload: Any, allow_duplicate_doc_num: bool = False) -> dict[str, Any]:
        self._allow('update')
        body = self._body(payload)
        existing = self._existing_for_write(company, body)
        self.check_locked(company, existing, 'update')
        incoming = self._incoming(body)
        if to_bool(body.get('sparse', False)):
            obj = {k: copy_json(v) for k, v in existing.items() if k not in SYSTEM_FIELDS}
            for key in self.fields & body.keys():
                if key in incoming:
                    obj[key] = incoming[key]
                else:
                    obj.pop(key, None)     # a sparse '' or null clears the field
        else:
            obj = {k: copy_json(existing[k]) for k in self.computed if k in existing}
            obj.update(incoming)           # omitted writable fields are gone (Intuit sets them to NULL)
            self._apply_defaults(obj)
        obj['Id'] = existing['Id']
        self._prepare(Context(company, existing, allow_duplicate_doc_num), obj)
        previous = copy_json(existing)
        stored = company.commit(self.name, obj, 'Update', announce=self.update_announcement(company, previous, obj))
        self.after_commit(company, stored, previous)
        return self.render(company, stored)

    def delete(self, company: Company, payload: Any) -> dict[str, Any]:
        if 'delete' not in self.operations:
            hint = (f'A {self.name} cannot be deleted: make it inactive (Active:false) instead.'
                    if self.name_list else '')
            raise faults.unsupported_operation(f'Delete on {self.name}', hint)
        existing = self._existing_for_write(company, self._body(payload))
        self.check_locked(company, existing, 'delete')
        previous = copy_json(existing)
        self.before_delete(company, existing)
        company.commit(self.name, {'Id': existing['Id']}, 'Delete')
        self.after_commit(company, None, previous)
        return {'status': 'Deleted', 'domain': 'QBO', 'Id': existing['Id']}

    def void(self, company: Company, payload: Any) -> dict[str, Any]:
        self._allow('void')
        existing = self._existing_for_write(company, self._body(payload))
        self.check_locked(company, existing, 'void')
        previous = copy_json(existing)
        self.before_delete(company, existing)
        obj = {k: copy_json(v) for k, v in company.get_object(self.name, existing['Id']).items()
               if k not in SYSTEM_FIELDS}
        obj['Id'] = existing['Id']
        self.apply_void(obj)
        note = obj.get('PrivateNote')
        obj['PrivateNote'] = note if note and note.startswith('Voided') else (f'Voided - {note}' if note else 'Voided')
        stored = company.commit(self.name, obj, 'Void')
        self.after_commit(company, stored, previous)
        return self.render(company, stored)

    def read(self, company: Company, entity_id: Any) -> dict[str, Any]:
        obj = company.get_object(self.name, str(entity_id).strip())
        if obj is None:
            raise faults.object_not_found(self.name, str(entity_id))
        return self.render(company, obj)

    # --- hooks ------------------------------------------------------------------------------------------------
    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        """Fill what Intuit derives before validation (DisplayName from name parts, default refs...)."""

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        """Entity-specific checks and computed fields, after the generic checks passed."""

    def apply_void(self, obj: dict[str, Any]) -> None:
        raise faults.unsupported_operation(f'Void on {self.name}')

    def check_locked(self, company: Company, existing: dict[str, Any], operation: str) -> None:
        """Refuse changing a record another one holds on to (a deposited payment: 6540)."""

    def postings(self, company: Company, obj: dict[str, Any]) -> list[tuple[str | None, Any]]:
        """(account Id, amount) pairs this transaction moves, debit positive; only read when ``posts`` is set."""
        return []

    def before_delete(self, company: Company, existing: dict[str, Any]) -> None:
        """Undo links that would dangle (a voided or deleted invoice releases the payments applied to it)."""

    def after_commit(self, company: Company, stored: dict[str, Any] | None, previous: dict[str, Any] | None) -> None:
        """Bring dependent objects up to date (balances of the invoices a payment touches)."""

    def update_announcement(self, company: Company, previous: dict[str, Any], obj: dict[str, Any]) -> Operation | None:
        """The webhook operation of an update when it is not Update (a name-list deactivation), else None."""
        return None

    def view(self, company: Company, obj: dict[str, Any]) -> dict[str, Any]:
        """The object with its derived read-only values, for reading only: a shallow overlay or ``obj`` itself.

        Filtering and sorting a query looks at every object, so this must stay cheap; only what leaves the sandbox
        is deep-copied (``render``).
        """
        return obj

    def views(self, company: Company) -> list[dict[str, Any]]:
        """``view`` of every object; entities whose derived values need company-wide totals compute them once."""
        return [self.view(company, obj) for obj in company.iter_objects(self.name)]

    def render(self, company: Company, obj: dict[str, Any]) -> dict[str, Any]:
        """The object as Intuit returns it: an independent copy with derived read-only values filled in."""
        return copy_json(self.view(company, obj))

    def render_all(self, company: Company) -> list[dict[str, Any]]:
        return [copy_json(v) for v in self.views(company)]

    # --- shared machinery -------------------------------------------------------------------------------------
    def _allow(self, operation: str) -> None:
        if operation not in self.operations:
            raise faults.unsupported_operation(f'{operation.capitalize()} on {self.name}')

    def _body(self, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise faults.request_body_error(f'{self.name} must be a JSON object')
        return payload

    def _incoming(self, body: dict[str, Any]) -> dict[str, Any]:
        """Writable fields that carry a value; read-only and unknown fields are silently ignored, as at Intuit."""
        out: dict[str, Any] = {}
        for key in self.fields & body.keys():
            value = clean(body[key])       # a new structure: the body's dicts and lists are never kept
            if value is not UNSET:
                out[key] = value
        return out

    def _apply_defaults(self, obj: dict[str, Any]) -> None:
        for key, value in self.defaults.items():
            obj.setdefault(key, copy_json(value))

    def _existing_for_write(self, company: Company, body: dict[str, Any]) -> dict[str, Any]:
        entity_id, token = body.get('Id'), body.get('SyncToken')
        if is_unset(entity_id):
            raise faults.required_param('Id')
        if is_unset(token):
            raise faults.required_param('SyncToken')
        existing = company.get_object(self.name, str(entity_id).strip())
        if existing is None:
            raise faults.object_not_found(self.name, str(entity_id))
        supplied = str(token).strip()
        if not supplied.isdigit() or int(supplied) != int(existing['SyncToken']):
            raise faults.stale_object(self.name, existing['Id'], supplied, existing['SyncToken'])
        return existing

    def _prepare(self, ctx: Context, obj: dict[str, Any]) -> None:
        self.derive(ctx, obj)
        for path in self.required:
            if not walk(obj, path):
                raise faults.required_param(path)
        for path, allowed in self.enums.items():
            for container, key in walk(obj, path):
                if container[key] not in allowed:
                    raise faults.invalid_enum(path, container[key])
        for path, maximum in self.lengths.items():
            for container, key in walk(obj, path):
                text = str(container[key])
                if len(text) > maximum:
                    raise faults.string_length(path, maximum, len(text))
        for rule in self.refs:
            self._check_refs(ctx, obj, rule)
        self.rules(ctx, obj)

    def _check_refs(self, ctx: Context, obj: dict[str, Any], rule: RefRule) -> None:
        found = walk(obj, rule.path)
        if not found:
            if rule.required:
                raise faults.required_param(rule.path.replace('[]', ''))
            return
        known = {ref_id(c[k]) for c, k in walk(ctx.existing or {}, rule.path)}
        for container, key in found:
            ref = container[key]
            target_id = ref_id(ref)
            if target_id is None:
                if rule.required:
                    raise faults.required_param(rule.path.replace('[]', ''))
                del container[key]
                continue
            wanted = rule.targets
            if len(wanted) > 1 and isinstance(ref, dict) and ref.get('type') in wanted:
                wanted = (ref['type'],)
            target_type, target = next(((t, o) for t in wanted
                                        if (o := ctx.company.get_object(t, target_id)) is not None), (None, None))
            if target is None:
                raise faults.invalid_reference(rule.path.replace('[]', ''), '/'.join(wanted), target_id)
            if target.get('Active') is False and target_id not in known and rule.inactive:
                if rule.inactive == 'customer':
                    raise faults.inactive_customer(target_id)
                raise faults.object_not_found(target_type, target_id)
            resolved: dict[str, Any] = {'value': target_id}
            if rule.named:
                resolved['name'] = display_name_of(target)
            if len(rule.targets) > 1:
                resolved['type'] = target_type
            container[key] = resolved
