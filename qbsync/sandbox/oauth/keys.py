"""The sandbox's own keys: an RSA key that signs OpenID id_tokens (RS256, published as JWKS) and an HMAC key for
consent-form tickets.

RS256 is what Intuit's discovery document advertises and what intuitlib verifies against ``jwks_uri``, so the
sandbox signs that way too. Keys live only in memory: a restart invalidates outstanding id_tokens and consent forms,
which is harmless (id_tokens are checked once, at sign-in).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ['SigningKeys', 'b64url']


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


class SigningKeys:
    def __init__(self) -> None:
        self.kid = secrets.token_hex(8)
        self._hmac_key = secrets.token_bytes(32)
        self._rsa: rsa.RSAPrivateKey | None = None
        self._lock = threading.Lock()

    def _private_key(self) -> rsa.RSAPrivateKey:
        """Generated on first use: most sandboxes (and tests) never sign an id_token, and keygen costs ~100 ms."""
        with self._lock:
            if self._rsa is None:
                self._rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return self._rsa

    def sign_jwt(self, claims: dict[str, object]) -> str:
        header = {'alg': 'RS256', 'kid': self.kid, 'typ': 'JWT'}
        signing_input = f'{b64url(_json(header))}.{b64url(_json(claims))}'
        signature = self._private_key().sign(signing_input.encode('ascii'), padding.PKCS1v15(), hashes.SHA256())
        return f'{signing_input}.{b64url(signature)}'

    def jwks(self) -> dict[str, object]:
        numbers = self._private_key().public_key().public_numbers()
        return {'keys': [{
            'kty': 'RSA', 'alg': 'RS256', 'use': 'sig', 'kid': self.kid,
            'n': b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, 'big')),
            'e': b64url(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, 'big')),
        }]}

    def mac(self, message: str) -> str:
        return b64url(hmac.new(self._hmac_key, message.encode(), hashlib.sha256).digest())

    def mac_matches(self, message: str, mac: str) -> bool:
        return hmac.compare_digest(self.mac(message), mac)


def _json(value: dict[str, object]) -> bytes:
    return json.dumps(value, separators=(',', ':'), sort_keys=True).encode()
