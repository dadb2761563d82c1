"""The "Show QuickBooks version" of a record: the body a run would send now, and the same in plain words beside
the app's values. Nothing is sent or created; QuickBooks is only read (accounts, lists, preferences)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from ..db import Database
from ..mapping.describe import FieldRow, describe
from ..models import SyncSettings
from ..quickbooks.retry import with_retries
from ..sync.context import RunContext
from ..sync.entities import entity
from ..sync.outbound import OutboundPass
from ..sync.preview import NEW_TARGET, RecordPreview, preview_record
from .account_mapping import NotConnected
from .errors import NotFound

if TYPE_CHECKING:
    from .connection import ConnectionService

__all__ = ['RecordPreviewService', 'PreviewView', 'ACTION_WORDS']

ACTION_WORDS = {'create': 'would be created in QuickBooks', 'update': 'would update the QuickBooks copy',
                'void': 'would be voided in QuickBooks', 'deactivate': 'would be made inactive in QuickBooks'}
# reference field -> the local entity its Id belongs to, or QuickBooks' list
_LOCAL = {'CustomerRef': 'customer', 'ItemRef': 'item', 'Invoice': 'invoice', 'CreditMemo': 'credit_memo'}
_LISTS = {'ClassRef': 'Class', 'DepartmentRef': 'Department', 'SalesTermRef': 'Term',
          'PaymentMethodRef': 'PaymentMethod', 'EntityRef': 'Vendor', 'TaxCodeRef': 'TaxCode'}
_TAX = {'TAX': 'taxable', 'NON': 'not taxable'}


@dataclass(frozen=True)
class PreviewView:
    preview: RecordPreview
    rows: list[FieldRow] = field(default_factory=list)

    @property
    def headline(self) -> str:
        spec = entity(self.preview.entity_type)
        if self.preview.reason:
            return f'This {spec.singular.lower()} would not be sent now: {self.preview.reason}'
        words = ACTION_WORDS.get(self.preview.action, self.preview.action)
        return f'This {spec.singular.lower()} {words}.'


class RecordPreviewService:
    def __init__(self, db: Database, connection: ConnectionService, *, outbound: OutboundPass | None = None) -> None:
        """:param outbound: whose rate limiter and retries the QuickBooks reads share (the runner's, ideally)"""
        self._db = db
        self._connection = connection
        self._outbound = outbound

    async def preview(self, entity_type: str, local_id: int) -> PreviewView:
        """Raises NotConnected without a company, NotFound for an unknown record, QuickBooksError when QuickBooks
        cannot be read."""
        current = await self._connection.current()
        if current is None:
            raise NotConnected('Connect QuickBooks to see what would be sent.')
        client = await self._connection.api()
        async with self._db.session() as session:
            settings = await session.get(SyncSettings, 1) or SyncSettings()
        ctx = RunContext(run_id=0, realm_id=current.realm_id, trigger='preview', direction='outbound',
                         entities=(), client=client, db=self._db, settings=settings)
        try:
            result = await preview_record(ctx, entity_type, local_id, config=self._outbound)
        except LookupError as missing:
            raise NotFound(str(missing)) from None
        outbound = self._outbound or OutboundPass()  # the account names too are read under the limiter
        read = await with_retries(client.accounts, limiter=outbound.limiter, policy=outbound.policy)
        accounts = {a.id: a.fully_qualified_name or a.name for a in read}
        titles = await self._titles(result)

        def name_of(key: str, qbo_id: str) -> str:
            if qbo_id == NEW_TARGET:
                return 'new: created in QuickBooks first'
            kind = _LOCAL.get(key)
            if kind is not None:
                local = result.local_ids.get((kind, qbo_id))
                return titles.get((kind, local), f'QuickBooks id {qbo_id}') if local is not None \
                    else f'QuickBooks id {qbo_id}'
            if key == 'TaxCodeRef' and qbo_id in _TAX:
                return _TAX[qbo_id]
            if key in _LISTS:
                return result.names.get((_LISTS[key], qbo_id), f'QuickBooks id {qbo_id}')
            if key.endswith('AccountRef'):
                return accounts.get(qbo_id, f'account {qbo_id}')
            return qbo_id
        return PreviewView(result, describe(entity_type, result.payload, result.local, name_of))

    async def _titles(self, result: RecordPreview) -> dict[tuple[str, int | None], str]:
        """Names of the local records the body refers to ("Customer 'Acme'", "Invoice 1042")."""
        wanted: dict[str, set[int]] = {}
        for key, qbo_id in _refs_in(result.payload):
            local = result.local_ids.get((_LOCAL.get(key, ''), qbo_id))
            if local is not None:
                wanted.setdefault(_LOCAL[key], set()).add(local)
        titles: dict[tuple[str, int | None], str] = {}
        async with self._db.session() as session:
            for kind, ids in wanted.items():
                spec = entity(kind)
                found: Any = (await session.exec(select(spec.model).where(col(spec.model.id).in_(ids)))).all()  # type: ignore
                titles.update({(kind, row.id): spec.title(row) for row in found})
        return titles


def _refs_in(value: Any, key: str = '') -> list[tuple[str, str]]:
    """(field, Id) of every reference in a body: {'CustomerRef': {'value': '58'}} and LinkedTxn entries alike."""
    if isinstance(value, dict):
        if key.endswith('Ref') and 'value' in value:
            return [(key, str(value['value']))]
        if 'TxnId' in value:
            return [(str(value.get('TxnType')), str(value['TxnId']))]
        return [pair for k, v in value.items() for pair in _refs_in(v, k)]
    if isinstance(value, list):
        return [pair for v in value for pair in _refs_in(v, key)]
    return []
