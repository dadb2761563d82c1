"""Removing a record the way QuickBooks allows: delete what was never sent, void or deactivate what was.

Whether a record was sent is read from EntityLink (a link with a QuickBooks id, for any company): once QuickBooks
has a copy, deleting ours would leave theirs behind, so the choice becomes void (transactions) or make inactive
(customers, items), which the next sync carries over. ``options`` spells out what happens in QuickBooks, so the
page can say it before the owner confirms.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, func, select

from ..db import Database
from ..models import CreditMemoLine, EntityLink, ExpenseLine, InvoiceLine, PaymentApplication, User
from ..sync.entities import NAME_LIST, entity
from .errors import NotFound, ServiceError, ValidationError
from .permissions import require_manager
from .records import RecordService, input_from_view

__all__ = ['RemovalOptions', 'RecordRemoval', 'DELETE', 'VOID', 'DEACTIVATE']

DELETE, VOID, DEACTIVATE = 'delete', 'void', 'deactivate'
VOID_EFFECTS = {
    'invoice': 'QuickBooks keeps the invoice and its number but sets its amounts to zero and marks it Voided. '
               'Payments applied to it there become unapplied credit for the customer.',
    'payment': 'QuickBooks keeps the payment at zero, marked Voided; the invoices it paid are open again.',
    'expense': 'QuickBooks sets the expense to zero, so it no longer counts in your books.',
    'credit_memo': 'QuickBooks keeps the credit memo at zero, marked Voided; the credit is no longer available.',
}
# lines that refer to a record of the type, so deleting it would orphan them: (model, column, what they are)
REFERENCES = {
    'item': ((InvoiceLine, 'item_id', 'invoice lines'), (CreditMemoLine, 'item_id', 'credit memo lines')),
    'invoice': ((PaymentApplication, 'invoice_id', 'payments'),),
    'customer': ((ExpenseLine, 'customer_id', 'expense lines'),),
}


@dataclass(frozen=True)
class RemovalOptions:
    """What can be done with a record, and what it means in QuickBooks (one sentence each, for the dialog)."""
    action: str  # DELETE | VOID | DEACTIVATE, or '' when nothing is left to do (already voided or inactive)
    sent: bool  # QuickBooks has a copy
    label: str  # the button: 'Delete', 'Void', 'Make inactive'
    consequence: str


class RecordRemoval:
    def __init__(self, db: Database, records: RecordService) -> None:
        self._db = db
        self._records = records

    async def options(self, entity_type: str, record_id: int) -> RemovalOptions:
        view = await self._records.get(entity_type, record_id)
        noun = entity(entity_type).singular.lower()
        if not await self.sent(entity_type, record_id):
            return RemovalOptions(DELETE, False, 'Delete',
                                  f'This {noun} was never sent to QuickBooks, so it is deleted here only and '
                                  'nothing changes in QuickBooks. This cannot be undone.')
        if _name_list(entity_type):
            if not view.record.active:
                return RemovalOptions('', True, '', f'This {noun} is inactive.')
            return RemovalOptions(DEACTIVATE, True, 'Make inactive',
                                  f'QuickBooks has this {noun}, so it is made inactive rather than deleted: the next '
                                  f'sync makes it inactive in QuickBooks too. It disappears from lists and pickers '
                                  'there and here; past transactions keep it. You can make it active again later.')
        if view.record.voided:
            return RemovalOptions('', True, '', f'This {noun} is voided.')
        return RemovalOptions(VOID, True, 'Void',
                              f'QuickBooks has this {noun}, so it is voided rather than deleted: the next sync voids '
                              f'it in QuickBooks too. {VOID_EFFECTS[entity_type]} This cannot be undone.')

    async def sent(self, entity_type: str, record_id: int) -> bool:
        """Whether any QuickBooks company has this record (a link with a QuickBooks id)."""
        async with self._db.session() as session:
            found = await session.exec(select(EntityLink.id).where(
                EntityLink.entity_type == entity_type, EntityLink.local_id == record_id,
                col(EntityLink.qbo_id).is_not(None)).limit(1))
            return found.first() is not None

    async def remove(self, entity_type: str, record_id: int, *, acting: User,
                     expected_version: int | None = None) -> str:
        """Do what ``options`` offers (delete, void or make inactive) and return that action."""
        require_manager(acting, 'delete, void or deactivate records')
        options = await self.options(entity_type, record_id)
        if options.action == DELETE:
            await self._delete(entity_type, record_id, expected_version)
        elif options.action in (VOID, DEACTIVATE):
            view = await self._records.get(entity_type, record_id)
            change = {'voided': True} if options.action == VOID else {'active': False}
            await self._records.update(record_id, replace(input_from_view(view), **change),
                                       expected_version=expected_version)
        else:
            raise ServiceError(options.consequence)
        return options.action

    async def _delete(self, entity_type: str, record_id: int, expected_version: int | None) -> None:
        model = entity(entity_type).model
        noun = entity(entity_type).singular.lower()
        async with self._db.session() as session:
            record = await session.get(model, record_id)
            if record is None:
                raise NotFound(f'{noun} {record_id} does not exist')
            if expected_version is not None and record.version != expected_version:
                raise ValidationError({'version': 'This record was changed meanwhile; reload it and try again'})
            for line_model, column, what in REFERENCES.get(entity_type, ()):
                used = (await session.exec(select(func.count()).select_from(line_model)
                                           .where(getattr(line_model, column) == record_id))).one()
                if used:
                    raise ServiceError(f'This {noun} is used on {used} {what}, so it cannot be deleted. '
                                       + ('Make it inactive instead.' if _name_list(entity_type)
                                          else 'Remove it from them first.'))
            await session.exec(delete(EntityLink).where(EntityLink.entity_type == entity_type,  # failed attempts
                                                        EntityLink.local_id == record_id))
            await session.delete(record)
            try:
                await session.commit()
            except IntegrityError as error:  # other records still refer to it (a customer's invoices, say)
                await session.rollback()
                raise ServiceError(f'Other records still use this {noun}, so it cannot be deleted'
                                   + (': make it inactive instead.' if _name_list(entity_type) else '.')) from error


def _name_list(entity_type: str) -> bool:
    """Customers and items: QuickBooks never deletes them, they are made inactive."""
    return entity(entity_type).kind == NAME_LIST
