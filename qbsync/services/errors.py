"""Errors the services raise for the pages and routes to show; each carries what a user needs to fix it."""
from __future__ import annotations

from datetime import timedelta

__all__ = ['ServiceError', 'ValidationError', 'NotFound', 'PermissionDenied', 'LoginLocked']


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


class LoginLocked(ServiceError):
    """Too many failed logins for this email; ``retry_after`` says when it may try again."""

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after = retry_after
        minutes = max(1, -(-int(retry_after.total_seconds()) // 60))
        super().__init__(f'Too many failed attempts. Try again in {minutes} minute{"s" if minutes != 1 else ""}.')
