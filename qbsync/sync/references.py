"""Everything a run's records refer to, gathered once per run into a ``Refs``: the links made so far, the
account mapping, a few accounts found by type (Undeposited Funds, Inventory Asset, COGS), the company's
numbering preference, and QuickBooks' lists (terms, payment methods, vendors). Missing payment methods and
vendors that planned records need are created here (after a name lookup, so never twice), before any record
that uses them is sent.
"""
from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from sqlmodel import col, select

from ..mapping.expense import VENDOR_LIST
from ..mapping.payment import METHOD_LIST
from ..mapping.refs import Refs
from ..models import AccountMapping, EntityLink, Item, MappingPurpose
from ..quickbooks.client import MAX_BATCH_ITEMS, QuickBooksClient
from ..quickbooks.errors import QuickBooksError
from ..quickbooks.explain import explain
from .context import RunContext

__all__ = ['load_refs', 'ensure_list_entries', 'Call', 'LIST_ENTITIES']

T = TypeVar('T')
Call = Callable[[Callable[[], Awaitable[T]]], Awaitable[T]]  # runs a client call under the limiter and retries
LIST_ENTITIES = ('Term', METHOD_LIST, VENDOR_LIST)


async def load_refs(ctx: RunContext, call: Call) -> Refs:
    refs = Refs()
    async with ctx.db.session() as session:
        links = (await session.exec(select(EntityLink.entity_type, EntityLink.local_id, EntityLink.qbo_id).where(
            EntityLink.realm_id == ctx.realm_id, col(EntityLink.qbo_id).isnot(None)))).all()
        mappings = (await session.exec(select(AccountMapping).where(AccountMapping.realm_id == ctx.realm_id))).all()
        refs.taxable_items = set((await session.exec(select(Item.id).where(col(Item.taxable)))).all())  # type: ignore
    refs.links = {(kind, local): str(qbo) for kind, local, qbo in links}
    for row in mappings:
        if row.purpose == MappingPurpose.ITEM_INCOME and row.local_key.isdigit():
            refs.item_income[int(row.local_key)] = row.qbo_account_id
        elif row.purpose == MappingPurpose.EXPENSE_CATEGORY and row.local_key:
            refs.category_accounts[row.local_key.strip().lower()] = row.qbo_account_id
        elif not row.local_key:
            refs.accounts[row.purpose] = row.qbo_account_id
    client = ctx.client
    for account in await call(lambda: client.query("SELECT * FROM Account WHERE Active = true")):
        subtype, kind = account.get('AccountSubType'), account.get('AccountType')
        if subtype == 'UndepositedFunds' and refs.undeposited_funds is None:
            refs.undeposited_funds = str(account['Id'])
        elif subtype == 'Inventory' and refs.inventory_asset is None:
            refs.inventory_asset = str(account['Id'])
        elif kind == 'Cost of Goods Sold' and refs.cost_of_goods_sold is None:
            refs.cost_of_goods_sold = str(account['Id'])
    preferences = await call(client.preferences)
    refs.custom_txn_numbers = bool((preferences.get('SalesFormsPrefs') or {}).get('CustomTxnNumbers', True))
    for kind in LIST_ENTITIES:
        await _load_list(refs, client, kind, call)
    return refs


async def _load_list(refs: Refs, client: QuickBooksClient, kind: str, call: Call) -> None:
    name_field = 'DisplayName' if kind == VENDOR_LIST else 'Name'
    rows = await call(lambda: client.query(f'SELECT * FROM {kind} WHERE Active IN (true, false)'))
    for row in rows:
        refs.add_list_entry(kind, str(row['Id']), str(row.get(name_field) or ''))


async def ensure_list_entries(ctx: RunContext, refs: Refs, call: Call, kind: str,
                              names: Iterable[str]) -> dict[str, str]:
    """Create the ``kind`` entries (PaymentMethod, Vendor) the run needs and QuickBooks lacks.

    Returns name -> why it could not be created, for the records that needed it to fail with that reason.
    """
    wanted = sorted({n.strip() for n in names if n and n.strip() and refs.list_id(kind, n) is None})
    refused: dict[str, str] = {}
    client = ctx.client
    for start in range(0, len(wanted), MAX_BATCH_ITEMS):
        chunk = wanted[start:start + MAX_BATCH_ITEMS]
        items = [{'bId': str(i), 'operation': 'create', kind: _list_body(kind, name)} for i, name in enumerate(chunk)]
        request_id = str(uuid.uuid4())
        answers = await call(lambda items=items, request_id=request_id: client.batch(items, request_id=request_id))
        for i, name in enumerate(chunk):
            answer = answers.get(str(i))
            if answer is not None and answer.entity is not None:
                refs.add_list_entry(kind, str(answer.entity['Id']), name)
                await ctx.log(entity_type='', action='create', status='synced',
                              message=f"Added {_label(kind)} '{name}' to QuickBooks.", qbo_id=str(answer.entity['Id']))
            else:
                error: Any = answer.error if answer is not None else QuickBooksError('no answer for this item')
                why = explain(error)
                refused[name] = f"QuickBooks would not add the {_label(kind)} '{name}': {why.reason}"
    return refused


def _list_body(kind: str, name: str) -> dict[str, Any]:
    return {'DisplayName': name} if kind == VENDOR_LIST else {'Name': name}


def _label(kind: str) -> str:
    return {METHOD_LIST: 'payment method', VENDOR_LIST: 'vendor'}.get(kind, kind.lower())
