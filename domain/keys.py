"""API keys: generation, hashing and constant-time verification.

The plaintext (``secrets.token_urlsafe(48)``, 64 characters) is returned once and never stored,
not even in events: only its SHA-256 hex digest is. ``last_used_at`` is deliberately NOT an
event: recording every authenticated request would flood the log, so it lives in a small mutable
table outside the event store, updated at most once a minute per key by the web layer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

KEY_ENTROPY_BYTES = 48
SUBMISSION_SCOPES = frozenset({"read", "write"})
ADMIN_SCOPES = frozenset({"read", "full"})
INITIAL_KEY_LABEL = "Initial key"

_DUMMY_HASH = hashlib.sha256(b"dummy key for constant-time misses").hexdigest()


def generate_key() -> str:
    """A new plaintext key (64 URL-safe characters)."""
    return secrets.token_urlsafe(KEY_ENTROPY_BYTES)


def hash_key(plaintext: str) -> str:
    """The SHA-256 hex digest of the UTF-8 plaintext: the only form that is stored."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def verify(plaintext: str, stored_hash: str | None) -> bool:
    """True when ``plaintext`` hashes to ``stored_hash``; constant-time.

    Pass ``None`` when no key was found (or the key is revoked): a dummy comparison still runs so
    that unknown, revoked and wrong keys take the same time and fail the same way.
    """
    return matches(hash_key(plaintext), stored_hash)


def matches(candidate_hash: str, stored_hash: str | None) -> bool:
    """:func:`verify` for a key already hashed (``hash_key``): the same constant-time compare,
    the same dummy compare for ``None``."""
    if stored_hash is None:
        hmac.compare_digest(candidate_hash, _DUMMY_HASH)
        return False
    return hmac.compare_digest(candidate_hash, stored_hash)


def reset_label(admin_label: str, today: date) -> str:
    """Label of the write key issued by a reset: ``Admin reset YYYY-MM-DD by <admin label>``."""
    return f"Admin reset {today.isoformat()} by {admin_label}"


def actor_label(actor: str) -> str:
    """The label part of an actor string (``admin:alice`` -> ``alice``)."""
    return actor.split(":", 1)[1] if ":" in actor else actor
