"""Merging name-list records, as a QuickBooks user does in the UI (there is no public merge API).

Merging record B into record A (same entity) moves everything B was used on over to A and removes B, which is how
QuickBooks merges when a user renames B to A's name and confirms. Here that means:

* every reference to B is re-pointed to A: the references an entity declares (``RefRule``: CustomerRef, line
  ItemRef, AccountRef, ClassRef, a Purchase's typed EntityRef...) on every record of every entity, and the
  ``ParentRef`` of B's sub-records, whose ``FullyQualifiedName`` (and a customer's ``Level``) follow;
* B is deleted: reading it answers 610, CDC lists it with ``status: Deleted``; its name is free again;
* A is written (SyncToken and LastUpdatedTime move on) and announced as ONE ``ChangeEvent(operation='Merge',
  entity_id=A, deleted_id=B)``, which webhooks carry as ``deletedId`` / ``data.deletedid`` (qbo-api.md 7.3, 7.4).

The re-pointed records are rewritten too (new SyncToken, in CDC) but not announced one by one: Intuit documents only
the Merge notification (whether it also sends Updates for them is UNCONFIRMED). Balances are derived from the
transactions, so A's balance includes B's afterwards.

Refused with a 6000 fault naming the reason, as QuickBooks refuses them: a record into itself, records of two
entities, into an inactive record, a parent into its own sub-record, accounts of different types, items of
different types, customers or vendors in different currencies. Entities QuickBooks cannot merge (Term, TaxCode,
transactions...) answer "Unsupported Operation".
"""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import faults
from .entities import ENTITY_TYPES, entity_type
from .entities.base import SYSTEM_FIELDS, display_name_of
from .entities.values import ref_id, walk

if TYPE_CHECKING:
    from .store import Company

__all__ = ['merge_records', 'MERGEABLE', 'HIERARCHY_FLAGS']

# Entities whose webhooks include Merge (qbo-api.md 7.5) and that this sandbox keeps.
MERGEABLE = frozenset({'Account', 'Class', 'Customer', 'Department', 'Employee', 'Item', 'PaymentMethod', 'Vendor'})
# Entities with a ParentRef hierarchy: the flag that marks a sub-record, and the field the path is built from.
HIERARCHY_FLAGS = {'Customer': ('Job', 'DisplayName'), 'Item': ('SubItem', 'Name'), 'Account': ('SubAccount', 'Name'),
                   'Class': ('SubClass', 'Name'), 'Department': ('SubDepartment', 'Name')}
_SAME = {'Account': ('AccountType', 'accounts of different types'), 'Item': ('Type', 'items of different types')}


def merge_records(company: Company, entity: str, keep_id: str, merge_id: str,
                  merge_entity: str | None = None) -> dict[str, Any]:
    """Merge ``merge_id`` into ``keep_id``; returns the surviving record as the API renders it. Raises QBOFault.

    ``merge_entity`` names the merged-away record's entity when it differs from ``entity`` (always refused, but the
    caller gets the reason rather than a 610). Call under ``company.lock``.
    """
    kind = entity_type(entity)
    other = entity_type(merge_entity) if merge_entity else kind
    if kind.name not in MERGEABLE:
        raise faults.unsupported_operation(f'Merge on {kind.name}')
    if other.name != kind.name:
        raise faults.merge_refused(f'a {other.name} can only be merged into another {other.name}, not into a '
                                   f'{kind.name}.')
    keep_id, merge_id = str(keep_id).strip(), str(merge_id).strip()
    if keep_id == merge_id:
        raise faults.merge_refused(f'{kind.name} {keep_id} cannot be merged into itself.')
    keep = company.get_object(kind.name, keep_id)
    if keep is None:
        raise faults.object_not_found(kind.name, keep_id)
    gone = company.get_object(kind.name, merge_id)
    if gone is None:
        raise faults.object_not_found(kind.name, merge_id)
    _check_compatible(company, kind.name, keep, gone)
    _repoint_references(company, kind.name, merge_id, keep)
    if kind.name in HIERARCHY_FLAGS:
        _repoint_children(company, kind.name, merge_id, keep)
    company.commit(kind.name, {'Id': merge_id}, 'Delete', emit=False)
    survivor = {k: copy.deepcopy(v) for k, v in company.get_object(kind.name, keep_id).items()
                if k not in SYSTEM_FIELDS}
    survivor['Id'] = keep_id
    stored = company.commit(kind.name, survivor, 'Update', announce='Merge', deleted_id=merge_id)
    return kind.render(company, stored)


def _check_compatible(company: Company, entity: str, keep: dict[str, Any], gone: dict[str, Any]) -> None:
    if keep.get('Active') is False:
        raise faults.merge_refused(f"{entity} {keep['Id']} is inactive. Make it active before merging into it.")
    if entity in _SAME:
        field, what = _SAME[entity]
        if keep.get(field) != gone.get(field):
            raise faults.merge_refused(f"QuickBooks merges only {what.replace('different', 'the same')}: "
                                       f"{gone.get(field)} and {keep.get(field)} are {what}.", field)
    if entity in ('Customer', 'Vendor') and ref_id(keep.get('CurrencyRef')) != ref_id(gone.get('CurrencyRef')):
        raise faults.merge_refused(f'{entity}s in different currencies cannot be merged.', 'CurrencyRef')
    cursor, seen = keep, set()
    while (parent := ref_id(cursor.get('ParentRef'))) is not None and parent not in seen:
        if parent == gone['Id']:
            raise faults.merge_refused(f"{entity} {gone['Id']} is a parent of {entity} {keep['Id']}; a record "
                                       f"cannot be merged into its own sub-record.", 'ParentRef')
        seen.add(parent)
        cursor = company.get_object(entity, parent) or {}


def _repoint_references(company: Company, entity: str, merge_id: str, keep: dict[str, Any]) -> None:
    """Every declared reference to the merged record, on every record, now names the survivor."""
    for kind in ENTITY_TYPES.values():
        rules = [rule for rule in kind.refs if entity in rule.targets]
        if not rules:
            continue
        for current in company.iter_objects(kind.name):
            changed = {k: copy.deepcopy(v) for k, v in current.items() if k not in ('SyncToken', 'MetaData')}
            hits = 0
            for rule in rules:
                for container, key in walk(changed, rule.path):
                    ref = container[key]
                    if ref_id(ref) != merge_id:
                        continue
                    if len(rule.targets) > 1 and isinstance(ref, dict) and ref.get('type', entity) != entity:
                        continue
                    container[key] = _ref_to(keep, rule.named, ref)
                    hits += 1
            if hits:
                company.commit(kind.name, changed, 'Update', emit=False)


def _ref_to(keep: dict[str, Any], named: bool, old: Any) -> dict[str, Any]:
    ref: dict[str, Any] = {'value': keep['Id']}
    if named:
        ref['name'] = display_name_of(keep)
    if isinstance(old, dict) and 'type' in old:
        ref['type'] = old['type']
    return ref


def _repoint_children(company: Company, entity: str, merge_id: str, keep: dict[str, Any]) -> None:
    """Sub-records of the merged record move under the survivor; the paths below the survivor are rebuilt."""
    flag, own = HIERARCHY_FLAGS[entity]
    for child in company.iter_objects(entity):
        if ref_id(child.get('ParentRef')) == merge_id:
            moved = {k: copy.deepcopy(v) for k, v in child.items() if k not in ('SyncToken', 'MetaData')}
            moved['ParentRef'] = {'value': keep['Id'], 'name': keep.get('FullyQualifiedName', display_name_of(keep))}
            moved[flag] = True
            company.commit(entity, moved, 'Update', emit=False)
    for record in company.iter_objects(entity):
        chain, cursor = [], record
        while (parent_id := ref_id(cursor.get('ParentRef'))) is not None and len(chain) < 10:
            cursor = company.get_object(entity, parent_id)
            if cursor is None:
                break
            chain.append(cursor)
        if record['Id'] == merge_id or keep['Id'] not in {node['Id'] for node in chain}:
            continue          # only the survivor's sub-records have new paths
        names = [str(node.get(own, '')) for node in reversed(chain)] + [str(record.get(own, ''))]
        wanted = {'FullyQualifiedName': ':'.join(names)}
        if entity == 'Customer':
            wanted['Level'] = len(chain)
        if chain:
            wanted['ParentRef'] = {'value': chain[0]['Id'], 'name': ':'.join(names[:-1])}
        if any(record.get(k) != v for k, v in wanted.items()):
            rebuilt = {k: copy.deepcopy(v) for k, v in record.items() if k not in ('SyncToken', 'MetaData')}
            rebuilt.update(wanted)
            company.commit(entity, rebuilt, 'Update', emit=False)
