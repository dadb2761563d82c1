"""Role checks inside the services: the pages hide what a role may not use, the services refuse it all the same."""
from __future__ import annotations

from ..models import Role, User
from .errors import PermissionDenied

__all__ = ['require_manager', 'require_owner']


def require_manager(user: User, action: str) -> None:
    """Raise PermissionDenied unless ``user`` is an active owner or admin (``action`` completes the message)."""
    if not user.active or user.role not in Role.MANAGERS:
        raise PermissionDenied(f'Only owners and admins may {action}.')


def require_owner(user: User, action: str) -> None:
    """Raise PermissionDenied unless ``user`` is the active owner."""
    if not user.active or user.role != Role.OWNER:
        raise PermissionDenied(f'Only the owner may {action}.')
