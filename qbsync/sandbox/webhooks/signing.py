"""The ``intuit-signature`` header: base64(HMAC-SHA256(verifier token, exact body bytes)) (qbo-api.md 7.2)."""
from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ['SIGNATURE_HEADER', 'sign']

SIGNATURE_HEADER = 'intuit-signature'


def sign(body: bytes, verifier_token: str) -> str:
    """Sign the bytes that go on the wire; re-serialising parsed JSON would change them and break the signature."""
    return base64.b64encode(hmac.new(verifier_token.encode('utf-8'), body, hashlib.sha256).digest()).decode('ascii')
