"""API key queries: authentication lookups, a submission's keys, and last-use bookkeeping."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from projections.queries.base import QueryBase, keep

HASH_PREFIX_LENGTH = 16
TOUCH_INTERVAL = 60.0
"""Seconds between two `last_used_at` writes of one key from one process (the only throttle)."""
TOUCH_FLUSH_INTERVAL = 1.0
"""Seconds a key's last use waits, batched with others, before it is written."""
KEY_CACHE_SIZE = 10_000
"""Cached key lookups per process at most (the cache starts over when full)."""

KeyStamp = Callable[[], Hashable | None]
"""The `api_keys` projection's current stamp (`ProgressListener.stamp`); None: do not cache."""

KEY_QUERY = """SELECT a.submission_id, k
FROM api_keys a, jsonb_array_elements(a.keys) AS k
WHERE a.key_hashes @> %s AND k->>'key_hash' = %s"""

_KEYS = """SELECT k, u.last_used_at
FROM api_keys a
CROSS JOIN jsonb_array_elements(a.keys) AS k
LEFT JOIN key_usage u ON u.key_id = k->>'key_id'
WHERE {where}
ORDER BY k->>'created_at' DESC, k->>'key_id'"""
_KEYS_OF = _KEYS.format(where="a.owner_id = %s")
_ADMIN_KEYS = _KEYS.format(where="a.submission_id IS NULL")

_TOUCH = """INSERT INTO key_usage (key_id, last_used_at)
SELECT * FROM unnest(%s::text[], %s::timestamptz[])
ON CONFLICT (key_id) DO UPDATE SET last_used_at = EXCLUDED.last_used_at
WHERE key_usage.last_used_at < EXCLUDED.last_used_at"""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeyRecord:
    """A stored API key, as authentication needs it (never the plaintext)."""

    key_id: str
    submission_id: UUID | None
    """The submission the key belongs to; None for an admin key."""
    key_hash: str
    label: str
    scope: str
    is_active: bool
    created_at: str
    created_by: str

    @property
    def is_admin(self) -> bool:
        """Whether this is an admin key (scopes read|full) rather than a submission key."""
        return self.submission_id is None


def key_record(submission_id: UUID | None, k: Mapping[str, Any]) -> KeyRecord:
    """The record of one element ``k`` of an `api_keys` row's ``keys`` (its owner's
    ``submission_id``)."""
    return KeyRecord(
        key_id=str(k["key_id"]),
        submission_id=submission_id,
        key_hash=str(k["key_hash"]),
        label=str(k["label"]),
        scope=str(k["scope"]),
        is_active=bool(k["is_active"]),
        created_at=str(k["created_at"]),
        created_by=str(k["created_by"]),
    )


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    k = row["k"]
    used: datetime | None = row["last_used_at"]
    return {
        "id": k["key_id"],
        "label": k["label"],
        "scope": k["scope"],
        "is_active": k["is_active"],
        "created_at": k["created_at"],
        "created_by": k["created_by"],
        "last_used_at": used.isoformat() if used else None,
        "hash_prefix": str(k["key_hash"])[:HASH_PREFIX_LENGTH],
    }


class KeyQueries(QueryBase):
    """Key lookups and `touch_key`."""

    _touched: dict[str, float]
    _touch_lock: threading.Lock
    _pending_touches: dict[str, datetime]
    _touch_flusher: threading.Thread | None
    _key_stamp: KeyStamp | None
    _key_cache: dict[str, tuple[Hashable, KeyRecord]]

    def api_key(self, key_hash: str) -> KeyRecord | None:
        """The key whose SHA-256 hex is ``key_hash`` (active or revoked), or None.

        With a `_key_stamp`, a found key is reused until the `api_keys` projection advances: the
        stamp is taken before the query, so a revoke projected meanwhile is never hidden, and a
        revoke's response (which waits for `api_keys` in its process) is sent only after the
        stamp there has changed. Other processes see the same NOTIFY at about the same time."""
        stamp, cached = self._cached_key(key_hash)
        if cached is not None:
            return cached
        record = self._api_key(key_hash)
        self._remember_key(stamp, key_hash, record)
        return record

    def _cached_key(self, key_hash: str) -> tuple[Hashable | None, KeyRecord | None]:
        """The `api_keys` stamp to cache a lookup under (taken now, before any query), and the
        record cached for ``key_hash`` under that very stamp, if any."""
        stamp = self._key_stamp() if self._key_stamp is not None else None
        if stamp is None:
            return None, None
        cached = self._key_cache.get(key_hash)
        return stamp, cached[1] if cached is not None and cached[0] == stamp else None

    def _remember_key(
        self, stamp: Hashable | None, key_hash: str, record: KeyRecord | None
    ) -> None:
        if stamp is not None and record is not None:
            keep(self._key_cache, key_hash, (stamp, record), KEY_CACHE_SIZE)

    def _forget_keys_of(self, submission_id: UUID | None) -> None:
        """Drop the cached keys of an erased submission (None: every cached key)."""
        if submission_id is None:
            self._key_cache.clear()
            return
        for key_hash, (_, record) in list(self._key_cache.items()):
            if record.submission_id == submission_id:
                self._key_cache.pop(key_hash, None)

    def _api_key(self, key_hash: str) -> KeyRecord | None:
        row = self._one(KEY_QUERY, (Jsonb([key_hash]), key_hash))
        return None if row is None else key_record(row["submission_id"], row["k"])

    def keys_of(self, submission_id: UUID | str) -> list[dict[str, Any]]:
        """The submission's keys, newest first: ``{id, label, scope, is_active, created_at,
        created_by, last_used_at, hash_prefix}`` (16 hex characters, never the whole hash)."""
        try:
            sid = submission_id if isinstance(submission_id, UUID) else UUID(str(submission_id))
        except ValueError:
            return []
        self.flush_touches()
        return [_listed(row) for row in self._all(_KEYS_OF, (sid,))]

    def admin_keys(self) -> list[dict[str, Any]]:
        """Every admin key, newest first, in the same shape as ``keys_of``."""
        self.flush_touches()
        return [_listed(row) for row in self._all(_ADMIN_KEYS)]

    def touch_key(self, key_id: str) -> None:
        """Record that ``key_id`` was just used: at most one write per key per minute (a
        per-process memory skips the rest; the statement's condition guards across processes).

        The use is written within `TOUCH_FLUSH_INTERVAL` seconds, batched with the other keys
        used meanwhile (one statement instead of a transaction per request); this process's
        ``keys_of`` and ``admin_keys`` write what is pending first."""
        now = time.monotonic()
        with self._touch_lock:
            last = self._touched.get(key_id)
            if last is not None and now - last < TOUCH_INTERVAL:
                return
            self._touched[key_id] = now
            self._pending_touches[key_id] = datetime.now(UTC)
            if self._touch_flusher is None:
                self._touch_flusher = threading.Thread(
                    target=self._flush_touches_periodically, name="key-touches", daemon=True
                )
                self._touch_flusher.start()

    def flush_touches(self) -> None:
        """Write the pending last uses now (one statement)."""
        with self._touch_lock:
            pending, self._pending_touches = self._pending_touches, {}
        if not pending:
            return
        with self._pool.connection() as conn, conn.transaction():
            # Bookkeeping to the minute: losing the last write in a crash is harmless, so no
            # WAL flush is waited for.
            conn.execute("SET LOCAL synchronous_commit = off")
            conn.execute(_TOUCH, (list(pending), list(pending.values())))

    def _flush_touches_periodically(self) -> None:
        while True:
            time.sleep(TOUCH_FLUSH_INTERVAL)
            with self._touch_lock:
                if self._pool.closed:  # the process is shutting down: a lost use is harmless
                    self._pending_touches = {}
                if not self._pending_touches:  # idle: the next use starts a new thread
                    self._touch_flusher = None
                    return
            try:
                self.flush_touches()
            except Exception:  # the next round writes the next uses; a lost one is harmless
                log.warning("writing keys' last use failed", exc_info=True)
