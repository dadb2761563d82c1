"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""
from sqlmodel import SQLModel

# Named constraints, so later migrations can drop or alter them on SQLite (Alembic batch mode needs names).
# Must be set before any table class is defined; 'ix' keeps SQLAlchemy's default index names.
SQLModel.metadata.naming_convention = {
    'ix': 'ix_%(column_0_label)s',
    'uq': 'uq_%(table_name)s_%(column_0_name)s',
    'ck': 'ck_%(table_name)s_%(constraint_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}

from .field_mapping import FieldMapping
from .records import (CreditMemo, CreditMemoLine, Customer, Expense, ExpenseLine, Invoice, InvoiceLine, Item, Payment,
                      PaymentApplication)
from .inbound import HeldChange, InboundCursor
from .sync import (AccountMapping, ConnectionStatus, EntityLink, EventStatus, LinkStateCount, LinkStatus,
                   MappingPurpose, OAuthState, OutboxBatch, OutboxItem, QuickBooksConnection, RunStatus, SyncLease,
                   SyncLogEntry, SyncRun, SyncSettings, WebhookEvent)
from .users import Role, User
from .region import RegionSettings
from .notices import Notification, NotificationKind, ReportFrequency, ReportSubscription

__all__ = ['CreditMemo', 'CreditMemoLine', 'Customer', 'Expense', 'ExpenseLine', 'Invoice', 'InvoiceLine', 'Item',
           'Payment', 'PaymentApplication', 'AccountMapping', 'ConnectionStatus', 'EntityLink', 'LinkStatus',
           'MappingPurpose', 'OAuthState', 'OutboxBatch', 'OutboxItem', 'QuickBooksConnection', 'RunStatus',
           'SyncLease', 'SyncLogEntry', 'SyncRun', 'SyncSettings', 'WebhookEvent', 'Role', 'User', 'RegionSettings',
           'EventStatus', 'HeldChange', 'InboundCursor', 'FieldMapping', 'Notification', 'NotificationKind',
           'ReportFrequency', 'ReportSubscription', 'LinkStateCount']
