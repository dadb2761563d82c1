"""Role checks inside the services: the pages hide what a role may not use, the services refuse it all the same."""
from __future__ import annotations

from ..models import Role, User
from .errors import PermissionDenied

__all__ = ['require_manager']


def require_manager(user: User, action: str) -> None:
    """Raise PermissionDenied unless ``user`` is an active owner or admin (``action`` completes the message)."""
    if not user.active or user.role not in Role.MANAGERS:
        raise PermissionDenied(f'Only owners and admins may {action}.')
