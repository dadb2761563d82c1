"""Item <-> QuickBooks Item: type (Service, NonInventory, Inventory with quantity, start date, asset and COGS
accounts), name, description, SKU, price, cost, income account (per-item mapping, else the default), taxable,
active."""
from __future__ import annotations

from typing import Any

from ..models import Item
from .refs import MappingError, Refs
from .values import LocalRecord, day, money, put, ref, text

__all__ = ['to_qbo', 'from_qbo', 'KINDS']

KINDS = ('Service', 'NonInventory', 'Inventory')


def to_qbo(local: LocalRecord, refs: Refs) -> dict[str, Any]:
    item: Item = local.record  # type: ignore[assignment]
    if item.kind not in KINDS:
        raise MappingError(f"Item type '{item.kind}' is not one QuickBooks accepts.", f'Use one of {", ".join(KINDS)}.')
    obj: dict[str, Any] = {'Name': item.name, 'Type': item.kind, 'Active': bool(item.active),
                           'UnitPrice': item.unit_price, 'PurchaseCost': item.purchase_cost,
                           'Taxable': bool(item.taxable), 'IncomeAccountRef': ref(refs.income_account(item.id))}
    put(obj, 'Description', item.description)
    put(obj, 'Sku', item.sku)
    if item.kind == 'Inventory':
        if not refs.inventory_asset or not refs.cost_of_goods_sold:
            raise MappingError('QuickBooks has no Inventory Asset or Cost of Goods Sold account for inventory items.',
                               'Add both accounts in QuickBooks, or make the item a Service or NonInventory item.')
        obj.update({'TrackQtyOnHand': True, 'QtyOnHand': item.quantity_on_hand,
                    'InvStartDate': day(item.created_at.date()), 'AssetAccountRef': ref(refs.inventory_asset),
                    'ExpenseAccountRef': ref(refs.cost_of_goods_sold)})
    elif item.purchase_cost and refs.cost_of_goods_sold:
        obj['ExpenseAccountRef'] = ref(refs.cost_of_goods_sold)
    return obj


def from_qbo(obj: dict[str, Any], refs: Refs) -> LocalRecord:
    values = {
        'name': text(obj, 'Name'), 'kind': text(obj, 'Type') or 'Service', 'description': text(obj, 'Description'),
        'sku': text(obj, 'Sku'), 'unit_price': money(obj.get('UnitPrice')),
        'purchase_cost': money(obj.get('PurchaseCost')), 'quantity_on_hand': money(obj.get('QtyOnHand')),
        'taxable': bool(obj.get('Taxable', False)), 'active': bool(obj.get('Active', True)),
    }
    return LocalRecord(Item(**values))
