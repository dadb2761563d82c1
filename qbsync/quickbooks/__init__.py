"""The only code that speaks Intuit's wire format: OAuth, the Accounting API client, errors and webhooks."""
from .client import QuickBooksClient, TokenSource
from .errors import (AuthenticationError, AuthorizationError, DuplicateNameError, NetworkError, NotConnectedError,
                     ObjectNotFoundError, OAuthError, QuickBooksError, ReconnectRequired, ServerError,
                     StaleObjectError, ThrottledError, ValidationFault)
from .oauth import IntuitOAuth, OAuthApp, TokenSet
from .types import CompanyInfo, QboAccount
from .webhooks import EntityChange, WebhookPayloadError, parse_notification, verify_signature

__all__ = ['QuickBooksClient', 'TokenSource', 'AuthenticationError', 'AuthorizationError', 'DuplicateNameError',
           'NetworkError', 'NotConnectedError', 'ObjectNotFoundError', 'OAuthError', 'QuickBooksError',
           'ReconnectRequired', 'ServerError', 'StaleObjectError', 'ThrottledError', 'ValidationFault', 'IntuitOAuth',
           'OAuthApp', 'TokenSet', 'CompanyInfo', 'QboAccount', 'EntityChange', 'WebhookPayloadError',
           'parse_notification', 'verify_signature']
