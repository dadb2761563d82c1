"""Secrets handling: token encryption at rest, password hashing, OAuth state values.

Nothing here logs or returns a secret in clear text other than to its caller.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ['TokenCipher', 'TokenDecryptionError', 'PasswordHasher', 'new_oauth_state', 'hash_oauth_state',
           'state_matches']


class TokenDecryptionError(InvalidToken):
    """The stored token was not made with any configured key (wrong/removed key) or was tampered with."""


class TokenCipher:
    """Authenticated encryption (Fernet) under a list of keys, newest first.

    New values are always encrypted with the first key; any listed key decrypts. Rotation: put the new key first,
    ``rotate()`` every stored value, then drop the old key.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError('TokenCipher needs at least one Fernet key')
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except (ValueError, TypeError) as error:
            raise ValueError('QUICKBOOKS_TOKEN_ENCRYPTION_KEY must hold Fernet keys (32 url-safe base64 bytes), '
                             'comma separated, newest first') from error

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as error:
            raise TokenDecryptionError('stored token cannot be decrypted with the configured keys') from error

    def rotate(self, token: str) -> str:
        """Re-encrypt under the newest key (the value must decrypt under one of the keys)."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as error:
            raise TokenDecryptionError('stored token cannot be decrypted with the configured keys') from error


class PasswordHasher:
    """argon2id via argon2-cffi; ``verify`` tells when a stored hash uses outdated parameters.

    The default parameters are argon2-cffi's (RFC 9106 low-memory profile). Tests pass cheaper ones.
    """

    def __init__(self, *, time_cost: int | None = None, memory_cost: int | None = None,
                 parallelism: int | None = None) -> None:
        options = {name: value for name, value in
                   (('time_cost', time_cost), ('memory_cost', memory_cost), ('parallelism', parallelism))
                   if value is not None}
        self._hasher = Argon2Hasher(**options)
        self._dummy = ''  # made on first use: verified against for unknown users, so timing reveals no emails

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def burn(self, password: str) -> None:
        """Spend the time a real verification would, for unknown users."""
        if not self._dummy:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        self.verify(self._dummy, password)


def new_oauth_state() -> str:
    """An unguessable OAuth ``state`` value (256 bits); only its hash is stored."""
    return secrets.token_urlsafe(32)


def hash_oauth_state(state: str) -> str:
    """sha256 hex (64 chars): what OAuthState.state_hash keeps, so a database leak reveals no usable state."""
    return hashlib.sha256(state.encode()).hexdigest()


def state_matches(state: str, state_hash: str) -> bool:
    return hmac.compare_digest(hash_oauth_state(state), state_hash)
