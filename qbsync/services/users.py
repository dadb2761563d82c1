"""Users and roles: who may look (viewer) and who may change things (owner, admin); only the owner manages users.

Every check is made here, on the server, against the acting user's *current* row (a role changed or a user
removed since login takes effect at once), whatever the page showed.
"""
from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db import Database
from ..models import OAuthState, QuickBooksConnection, Role, User
from ..models.records import utcnow
from ..security import PasswordHasher
from .errors import NotFound, PermissionDenied, ValidationError
from .login_throttle import LoginThrottle
from .passwords import MIN_PASSWORD_LENGTH, password_problem

__all__ = ['UserService', 'NewUser', 'check_new_user', 'require_role', 'ensure_owner', 'generate_password',
           'MIN_PASSWORD_LENGTH', 'reset_password_sync']

_EMAIL = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')


@dataclass(frozen=True)
class NewUser:
    """A user's fields after validation and normalisation (email lower-cased, names trimmed)."""
    email: str
    name: str
    role: str


def check_new_user(*, email: str, name: str, password: str, role: str) -> NewUser:
    """Validate a new account; raises ValidationError naming each bad field. Shared by the service and boot."""
    errors: dict[str, str] = {}
    email = (email or '').strip().lower()
    name = (name or '').strip()
    if not email:
        errors['email'] = 'Enter an email address'
    elif len(email) > 255 or not _EMAIL.match(email):
        errors['email'] = 'Enter a valid email address, like name@example.com'
    if len(name) > 255:
        errors['name'] = 'At most 255 characters'
    if (problem := password_problem(password, email=email, name=name)) is not None:
        errors['password'] = problem
    if role not in Role.ALL:
        errors['role'] = f'Choose one of: {", ".join(Role.ALL)}'
    if errors:
        raise ValidationError(errors)
    return NewUser(email=email, name=name, role=role)


def require_role(user: User | None, roles: Iterable[str] = Role.MANAGERS) -> User:
    """The user, if signed in, active and holding one of ``roles``; PermissionDenied otherwise."""
    if user is None or not user.active:
        raise PermissionDenied('Sign in first')
    allowed = tuple(roles)
    if user.role not in allowed:
        raise PermissionDenied(f'Your role ({user.role}) may not do this; it needs {" or ".join(allowed)}')
    return user


def generate_password() -> str:
    """A random password for the demo owner (about 96 bits)."""
    return secrets.token_urlsafe(12)


def reset_password_sync(session: Session, email: str, password: str, *, hasher: PasswordHasher) -> User:
    """Synchronous, for ``qbsync users reset-password``: an owner locked out of their own install sets a new
    password from the server's shell (whoever can run that already holds the data folder)."""
    user = session.exec(select(User).where(func.lower(User.email) == (email or '').strip().lower())).first()
    if user is None:
        raise NotFound(f'No account has the email {email!r}')
    if (problem := password_problem(password, email=user.email, name=user.name)) is not None:
        raise ValidationError({'password': problem})
    user.password_hash = hasher.hash(password)
    user.active = True
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def ensure_owner(session: Session, *, email: str, password: str, name: str = 'Owner',
                 hasher: PasswordHasher) -> User | None:
    """Synchronous, for the boot bootstrap: create the owner unless one exists. Returns the new user or None."""
    if session.exec(select(User.id).where(User.role == Role.OWNER).limit(1)).first() is not None:
        return None
    new = check_new_user(email=email, name=name, password=password, role=Role.OWNER)
    if session.exec(select(User.id).where(User.email == new.email)).first() is not None:
        raise ValidationError({'email': f'{new.email} already has an account (not an owner)'})
    user = User(email=new.email, name=new.name, role=new.role, password_hash=hasher.hash(password))
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


class UserService:
    def __init__(self, db: Database, *, hasher: PasswordHasher | None = None,
                 throttle: LoginThrottle | None = None) -> None:
        self.db = db
        self.hasher = hasher or PasswordHasher()
        self.throttle = throttle or LoginThrottle()

    async def owner_exists(self) -> bool:
        async with self.db.session() as session:
            found = await session.exec(select(User.id).where(User.role == Role.OWNER, col(User.active)).limit(1))
            return found.first() is not None

    async def create_user(self, *, email: str, name: str, password: str, role: str,
                          acting: User | None = None) -> User:
        """Add an account. Without ``acting`` only the very first owner may be created (the setup page);
        afterwards only an owner may add users."""
        new = check_new_user(email=email, name=name, password=password, role=role)
        async with self.db.session() as session:
            if acting is None:
                if await self._owner_count(session) or new.role != Role.OWNER:
                    raise PermissionDenied('Only the owner can add users')
            else:
                await self._current_owner(session, acting)
            taken = await session.exec(select(User.id).where(func.lower(User.email) == new.email))
            if taken.first() is not None:
                raise ValidationError({'email': 'An account with this email already exists'})
            user = User(email=new.email, name=new.name, role=new.role, password_hash=self.hasher.hash(password))
            session.add(user)
            await session.commit()
            await session.refresh(user)
            return user

    async def authenticate(self, email: str, password: str, *, address: str = '') -> User | None:
        """The active user with these credentials, or None. Upgrades an outdated hash while the password is known.

        Raises LoginLocked after repeated failures for the email or the client ``address`` (see login_throttle);
        the attempt is counted before the password is checked, so simultaneous guesses cannot race the lock.
        Hashing runs in a worker thread: argon2 is deliberately slow and would otherwise stall every other page
        and sync on the event loop.
        """
        self.throttle.attempt(email, address)  # raises LoginLocked
        async with self.db.session() as session:  # no session stays open across the slow hash below
            user = (await session.exec(select(User).where(User.email == (email or '').strip().lower()))).first()
        if user is None or not user.active:
            await asyncio.to_thread(self.hasher.burn, password or '')
            return None
        if not await asyncio.to_thread(self.hasher.verify, user.password_hash, password or ''):
            return None
        self.throttle.succeeded(email, address)
        rehashed = (await asyncio.to_thread(self.hasher.hash, password)
                    if self.hasher.needs_rehash(user.password_hash) else None)
        async with self.db.session() as session:
            current = await session.get(User, user.id)
            if current is None or not current.active:  # removed while the password was being checked
                return None
            if rehashed is not None:
                current.password_hash = rehashed
            current.last_login_at = utcnow()
            session.add(current)
            await session.commit()
            await session.refresh(current)
            return current

    async def get(self, user_id: int | None) -> User | None:
        """The active user with this id (None for a removed or deactivated user: their session ends)."""
        if user_id is None:
            return None
        async with self.db.session() as session:
            user = await session.get(User, user_id)
            return user if user is not None and user.active else None

    async def list_users(self) -> list[User]:
        async with self.db.session() as session:
            found = await session.exec(select(User).order_by(col(User.email)))
            return list(found.all())

    async def remove_user(self, user_id: int, *, acting: User) -> None:
        """Delete an account (owner only; never yourself, never the last owner). Connections it made stay."""
        async with self.db.session() as session:
            me = await self._current_owner(session, acting)
            target = await session.get(User, user_id)
            if target is None:
                raise NotFound(f'User {user_id} does not exist')
            if target.id == me.id:
                raise ValidationError({'user': 'You cannot remove your own account'})
            if target.role == Role.OWNER and await self._owner_count(session) <= 1:
                raise ValidationError({'user': 'At least one owner must remain'})
            await session.exec(update(QuickBooksConnection).where(col(QuickBooksConnection.connected_by_user_id)
                                                                  == user_id).values(connected_by_user_id=None))
            await session.exec(delete(OAuthState).where(col(OAuthState.user_id) == user_id))
            await session.delete(target)
            await session.commit()

    async def set_role(self, user_id: int, role: str, *, acting: User) -> User:
        """Change a user's role (owner only); the last owner cannot stop being one."""
        if role not in Role.ALL:
            raise ValidationError({'role': f'Choose one of: {", ".join(Role.ALL)}'})
        async with self.db.session() as session:
            await self._current_owner(session, acting)
            target = await session.get(User, user_id)
            if target is None:
                raise NotFound(f'User {user_id} does not exist')
            if target.role == Role.OWNER and role != Role.OWNER and await self._owner_count(session) <= 1:
                raise ValidationError({'role': 'At least one owner must remain'})
            target.role = role
            session.add(target)
            await session.commit()
            await session.refresh(target)
            return target

    async def change_password(self, user: User, *, current: str, new: str) -> User:
        """The signed-in user changes their own password; the current one is asked again (a borrowed session is
        not enough). Every other session of the user ends (``SessionRules``: the credential changed)."""
        async with self.db.session() as session:
            me = await session.get(User, user.id) if user.id is not None else None
        if me is None or not me.active:
            raise PermissionDenied('Sign in first')
        if not await asyncio.to_thread(self.hasher.verify, me.password_hash, current or ''):
            raise ValidationError({'current_password': 'This is not your current password'})
        return await self._set_password(me.id, new)

    async def reset_password(self, user_id: int, new: str, *, acting: User) -> User:
        """The owner sets another user's password (they forgot it); that user's sessions end."""
        async with self.db.session() as session:
            await self._current_owner(session, acting)
        return await self._set_password(user_id, new)

    async def _set_password(self, user_id: int | None, new: str) -> User:
        async with self.db.session() as session:
            target = await session.get(User, user_id) if user_id is not None else None
        if target is None:
            raise NotFound(f'User {user_id} does not exist')
        if (problem := password_problem(new, email=target.email, name=target.name)) is not None:
            raise ValidationError({'password': problem})
        hashed = await asyncio.to_thread(self.hasher.hash, new)
        async with self.db.session() as session:
            target = await session.get(User, user_id)
            if target is None:
                raise NotFound(f'User {user_id} does not exist')
            target.password_hash = hashed
            session.add(target)
            await session.commit()
            await session.refresh(target)
        self.throttle.succeeded(target.email)  # a locked-out user with a new password may try at once
        return target

    async def _current_owner(self, session: AsyncSession, acting: User) -> User:
        me = await session.get(User, acting.id) if acting is not None and acting.id is not None else None
        return require_role(me, (Role.OWNER,))

    @staticmethod
    async def _owner_count(session: AsyncSession) -> int:
        found = await session.exec(select(func.count()).select_from(User).where(User.role == Role.OWNER,
                                                                                 col(User.active)))
        return int(found.one())
