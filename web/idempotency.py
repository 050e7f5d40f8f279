"""Sealing the first response to an idempotent create.

That response holds a one-time plaintext key, so it is stored encrypted (AES-GCM) under a key
derived from the client's ``Idempotency-Key`` itself: only a client that presents the same
Idempotency-Key again can get it back, and the store (looked up by a hash of the header) never
holds a readable secret.
"""

from __future__ import annotations

import hashlib
import os

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def _cipher(idempotency_key: str) -> AESGCM:
    return AESGCM(hashlib.sha256(b"seal:" + idempotency_key.encode()).digest())


def seal(idempotency_key: str, status: int, headers: dict[str, str], body: bytes) -> bytes:
    """Encrypt a response for the store."""
    plain = orjson.dumps({"status": status, "headers": headers, "body": body.decode()})
    nonce = os.urandom(12)
    return nonce + _cipher(idempotency_key).encrypt(nonce, plain, None)


def open_stored(idempotency_key: str, sealed: bytes) -> tuple[int, dict[str, str], bytes]:
    """Decrypt a stored response: ``(status, headers, body)``."""
    plain = _cipher(idempotency_key).decrypt(sealed[:12], sealed[12:], None)
    data = orjson.loads(plain)
    return int(data["status"]), dict(data["headers"]), str(data["body"]).encode()
