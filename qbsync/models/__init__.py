"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""
from .records import (RECORD_TYPES, CreditMemo, CreditMemoLine, Customer, Expense, ExpenseLine, Invoice,
                      InvoiceLine, Item, Payment, PaymentApplication)
from .sync import (AccountMapping, ConnectionStatus, EntityLink, LinkStatus, OAuthState, QuickBooksConnection,
                   SyncLogEntry, SyncRun, SyncSettings, WebhookEvent)
from .users import Role, User

__all__ = ['RECORD_TYPES', 'CreditMemo', 'CreditMemoLine', 'Customer', 'Expense', 'ExpenseLine', 'Invoice',
           'InvoiceLine', 'Item', 'Payment', 'PaymentApplication', 'AccountMapping', 'ConnectionStatus',
           'EntityLink', 'LinkStatus', 'OAuthState', 'QuickBooksConnection', 'SyncLogEntry', 'SyncRun',
           'SyncSettings', 'WebhookEvent', 'Role', 'User']
