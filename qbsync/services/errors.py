"""Errors the services raise for the pages and routes to show; each carries what a user needs to fix it."""
from __future__ import annotations

__all__ = ['ServiceError', 'ValidationError', 'NotFound', 'PermissionDenied']


class ServiceError(Exception):
    """Base of every error a service raises on purpose (as opposed to a bug)."""


class ValidationError(ServiceError, ValueError):
    """Input rejected; ``field_errors`` maps a field (``'email'``, ``'lines.0.quantity'``) to a message.

    Nothing was written when this is raised, so the form can be shown again with the user's input intact.
    """

    def __init__(self, field_errors: dict[str, str], message: str = '') -> None:
        self.field_errors = dict(field_errors)
        self.message = message or '; '.join(f'{name}: {text}' for name, text in self.field_errors.items())
        super().__init__(self.message)


class NotFound(ServiceError, LookupError):
    """The record or user does not exist (or no longer does)."""


class PermissionDenied(ServiceError, PermissionError):
    """The acting user's role does not allow the action; checked on the server, whatever the page showed."""
