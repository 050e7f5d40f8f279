"""The store behind ``Idempotency-Key`` on submission creation (written by task A, the web API,
because the read side had none; it is infrastructure, not a projection: nothing in the event log
fills it).

One row per key (the support table ``idempotency_keys``, created by ``registry migrate``): the
SHA-256 of the header (never the header itself), the hash of the request body, and the first
response, sealed by the web layer with a key derived from the header. A row expires ``ttl``
seconds after the first request (``REGISTRY_IDEMPOTENCY_TTL``, default 24 hours): a claim treats
an expired row as absent, and :func:`sweep` (a scheduler job) deletes expired rows so the table
does not grow with every create ever made. A claim whose request never finished (a crashed
process) is given up after ``ABANDONED_AFTER`` seconds so the client can retry.

The row names the submission the first response created (``submission_id``). The first response
holds names, e-mails and the initial key, so erasing the submission drops it in the erasure's
transaction (``projections.erasure``): the row stays, until it expires, as a tombstone
(``request_hash`` = ``ERASED``, no response) on which a repeat of the key is told ``erased`` (the
API's 410) instead of registering the erased submission again. A response completed after the
erasure is not kept either.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
from psycopg_pool import ConnectionPool

DEFAULT_TTL = 24 * 3600.0
ABANDONED_AFTER = 120
#: The ``request_hash`` of a row whose submission was erased (no SHA-256 hex looks like it).
ERASED = "erased"

_EXPIRE = f"""DELETE FROM idempotency_keys WHERE key_hash = %s AND (
    created_at < now() - make_interval(secs => %s)
    OR (response IS NULL AND request_hash <> '{ERASED}'
        AND created_at < now() - make_interval(secs => %s)))"""
_CLAIM = """INSERT INTO idempotency_keys (key_hash, request_hash) VALUES (%s, %s)
ON CONFLICT (key_hash) DO NOTHING RETURNING key_hash"""
_READ = "SELECT request_hash, response FROM idempotency_keys WHERE key_hash = %s"
# Not for a submission erased meanwhile: its erasure already deleted what it could find.
_COMPLETE = """UPDATE idempotency_keys SET response = %s, submission_id = %s WHERE key_hash = %s
AND NOT EXISTS (SELECT FROM registry_subject_keys WHERE subject = %s AND key IS NULL)"""
_RELEASE = "DELETE FROM idempotency_keys WHERE key_hash = %s AND response IS NULL"
_SWEEP = f"""DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => %s)
    OR (response IS NULL AND request_hash <> '{ERASED}'
        AND created_at < now() - make_interval(secs => %s))"""


def sweep(conn: psycopg.Connection[Any], ttl: float = DEFAULT_TTL) -> int:
    """Delete every expired record (and every claim abandoned by a crashed request); return how
    many. Safe at any time: a claim already treats such rows as absent."""
    with conn.transaction():
        return conn.execute(_SWEEP, (ttl, ABANDONED_AFTER)).rowcount


_ERASED = f"""UPDATE idempotency_keys SET request_hash = '{ERASED}', submission_id = %s
WHERE key_hash = %s AND response IS NULL"""


class IdempotencyStore:
    """PostgreSQL implementation of the web's ``IdempotencyStore`` port."""

    def __init__(self, pool: ConnectionPool[Any], *, ttl: float = DEFAULT_TTL) -> None:
        self._pool = pool
        self._ttl = ttl

    def claim(self, key_hash: str, request_hash: str) -> tuple[str, bytes | None]:
        """``new`` (claimed now), ``done`` (with the sealed first response), ``busy`` (the
        first request is still running), ``mismatch`` (same key, different body) or
        ``erased`` (the submission the first request created was erased)."""
        with self._pool.connection() as conn:
            conn.execute(_EXPIRE, (key_hash, self._ttl, ABANDONED_AFTER), prepare=False)
            if conn.execute(_CLAIM, (key_hash, request_hash), prepare=False).fetchone():
                return "new", None
            row = conn.execute(_READ, (key_hash,), prepare=False).fetchone()
        if row is None:  # expired between the two statements: the client may simply retry
            return "busy", None
        stored_hash, response = row
        if stored_hash == ERASED:
            return "erased", None
        if stored_hash != request_hash:
            return "mismatch", None
        if response is None:
            return "busy", None
        return "done", bytes(response)

    def complete(self, key_hash: str, stored: bytes, submission_id: UUID) -> None:
        """Keep the sealed first response, which created ``submission_id`` (or only the
        erasure's tombstone when that submission was erased meanwhile)."""
        with self._pool.connection() as conn:
            done = conn.execute(
                _COMPLETE, (stored, submission_id, key_hash, submission_id), prepare=False
            )
            if done.rowcount == 0:
                conn.execute(_ERASED, (submission_id, key_hash), prepare=False)

    def release(self, key_hash: str) -> None:
        """Drop an unfinished claim (its request failed)."""
        with self._pool.connection() as conn:
            conn.execute(_RELEASE, (key_hash,), prepare=False)
