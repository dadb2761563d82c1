"""Token encryption with key rotation, password hashing, OAuth state values."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken

from qbsync.security import (PasswordHasher, TokenCipher, TokenDecryptionError, hash_oauth_state, new_oauth_state,
                             state_matches)

from data_support import FAST_HASHER_OPTIONS

SECRET = '{"access_token": "at-1", "refresh_token": "rt-1"}'


def _key() -> str:
    return Fernet.generate_key().decode()


def test_encrypt_round_trips_and_hides_the_value() -> None:
    cipher = TokenCipher([_key()])
    token = cipher.encrypt(SECRET)
    assert 'rt-1' not in token and token != SECRET
    assert cipher.decrypt(token) == SECRET
    assert cipher.encrypt(SECRET) != token  # random IV: equal secrets do not give equal tokens


def test_new_key_first_still_reads_old_tokens_and_rotate_moves_them_to_the_new_key() -> None:
    old, new = _key(), _key()
    stored = TokenCipher([old]).encrypt(SECRET)
    both = TokenCipher([new, old])
    assert both.decrypt(stored) == SECRET
    rotated = both.rotate(stored)
    assert TokenCipher([new]).decrypt(rotated) == SECRET
    with pytest.raises(TokenDecryptionError):
        TokenCipher([old]).decrypt(rotated)
    assert TokenCipher([new]).decrypt(both.encrypt(SECRET)) == SECRET  # writes use the first key


def test_wrong_key_or_tampering_raises() -> None:
    token = TokenCipher([_key()]).encrypt(SECRET)
    with pytest.raises(TokenDecryptionError):
        TokenCipher([_key()]).decrypt(token)
    with pytest.raises(InvalidToken):  # callers catching cryptography's own error are served too
        TokenCipher([_key()]).rotate(token)
    cipher = TokenCipher([_key()])
    token = cipher.encrypt(SECRET)
    with pytest.raises(TokenDecryptionError):
        cipher.decrypt(token[:-4] + ('AAAA' if not token.endswith('AAAA') else 'BBBB'))


def test_keys_must_be_fernet_keys() -> None:
    with pytest.raises(ValueError, match='Fernet keys'):
        TokenCipher(['not-a-key'])
    with pytest.raises(ValueError):
        TokenCipher([])


def test_passwords_are_hashed_verified_and_flagged_for_rehash() -> None:
    fast = PasswordHasher(**FAST_HASHER_OPTIONS)
    hashed = fast.hash('correct horse battery')
    assert hashed != 'correct horse battery' and hashed.startswith('$argon2id$')
    assert fast.verify(hashed, 'correct horse battery')
    assert not fast.verify(hashed, 'correct horse batterY')
    assert not fast.verify('not a hash', 'anything')
    assert fast.hash('same') != fast.hash('same')  # salted
    assert not fast.needs_rehash(hashed)
    assert PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).needs_rehash(hashed)


def test_oauth_state_values_are_random_and_stored_only_as_hashes() -> None:
    first, second = new_oauth_state(), new_oauth_state()
    assert first != second and len(first) >= 40
    digest = hash_oauth_state(first)
    assert len(digest) == 64 and first not in digest
    assert state_matches(first, digest)
    assert not state_matches(second, digest)
