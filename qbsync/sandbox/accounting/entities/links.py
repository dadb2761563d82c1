"""Documents made from other documents: an Invoice from an Estimate, a Bill from a PurchaseOrder.

The new document names its source in ``LinkedTxn`` (``{"TxnId": "7", "TxnType": "Estimate"}``), as Intuit's API
takes it; the source must exist and belong to the same customer or vendor (610 / 6000). The source then lists the
documents made from it in its own ``LinkedTxn`` and is closed (Estimate ``TxnStatus`` "Closed", PurchaseOrder
``POStatus`` "Closed"); when the last such document is deleted or no longer links to it, it opens again ("Pending",
"Open"). Both sides are ordinary updates (SyncToken bumped, in CDC).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import faults
from .ledger import LINK_SOURCES
from .values import ref_id

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['check_source_links', 'refresh_sources', 'source_keys', 'STATUS']

# source entity -> (status field, open value, closed value), and the party both sides must share
STATUS = {'Estimate': ('TxnStatus', 'Pending', 'Closed', 'CustomerRef'),
          'PurchaseOrder': ('POStatus', 'Open', 'Closed', 'VendorRef')}


def check_source_links(company: Company, entity: str, obj: dict[str, Any]) -> None:
    """Keep only links to this entity's source kind, normalised; refuse a missing or foreign source."""
    source = LINK_SOURCES.get(entity)
    links = []
    for link in obj.get('LinkedTxn', []) if isinstance(obj.get('LinkedTxn'), list) else []:
        if not isinstance(link, dict) or link.get('TxnType') != source or not link.get('TxnId'):
            continue
        txn_id = str(link['TxnId']).strip()
        target = company.get_object(source, txn_id)
        if target is None:
            raise faults.object_not_found(source, txn_id)
        party = STATUS[source][3]
        if ref_id(target.get(party)) != ref_id(obj.get(party)):
            raise faults.business_validation(f'{source} {txn_id} belongs to another {party[:-3].lower()}.',
                                             'LinkedTxn')
        links.append({'TxnId': txn_id, 'TxnType': source})
    if links:
        obj['LinkedTxn'] = links
    else:
        obj.pop('LinkedTxn', None)


def source_keys(entity: str, obj: dict[str, Any] | None) -> set[str]:
    source = LINK_SOURCES.get(entity)
    return {str(link['TxnId']) for link in (obj or {}).get('LinkedTxn', []) if link.get('TxnType') == source}


def refresh_sources(company: Company, entity: str, source_ids: set[str]) -> None:
    """Rewrite each source's LinkedTxn and status from the documents that link to it now."""
    source = LINK_SOURCES[entity]
    field, opened, closed, _ = STATUS[source]
    for source_id in sorted(source_ids):
        obj = company.get_object(source, source_id)
        if obj is None:
            continue
        made = [{'TxnId': doc['Id'], 'TxnType': entity} for doc in company.iter_objects(entity)
                if source_id in source_keys(entity, doc)]
        status = closed if made else (opened if obj.get(field) == closed else obj.get(field, opened))
        if obj.get('LinkedTxn', []) == made and obj.get(field) == status:
            continue
        updated = {k: v for k, v in obj.items() if k not in ('SyncToken', 'MetaData')}
        updated[field] = status
        updated['LinkedTxn'] = made
        if not made:
            updated.pop('LinkedTxn')
        company.commit(source, updated, 'Update')
