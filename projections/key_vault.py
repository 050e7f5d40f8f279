"""The PostgreSQL implementation of the domain's `KeyVault` port (erasure by crypto-shredding).

Table `registry_subject_keys(subject, key)` (DDL `schema/ddl/subject_keys/v1.sql`, outside the
event store). Destroying a key sets it to NULL instead of deleting the row: the row is the
tombstone that keeps an erased subject erased (a later `key_for(create=True)` must not mint a
fresh key), exactly like the in-memory vault of the domain.

Keys are cached for a few seconds: the domain's mapper asks for the key of every Submission event
it encodes or decodes. A destroyed key is never cached as a key: the vault remembers the
destroyed subjects for good (`is_destroyed`). A destroy in this process (the domain's
`erase_submission`) applies at once; one in another process reaches this cache through the
erasure notification the event store sends in the erasure's transaction (`forget_erased`, which
`registry.webapp` subscribes to the process's `ProgressListener`), and at the latest after `ttl`
seconds in a process without a listener. Nothing decoded with a key cached past an erasure is
served: every read that decodes a submission's events also reads its `Erased` event.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import psycopg
from psycopg.sql import SQL, Composable, Literal
from psycopg_pool import ConnectionPool

from projections.eventstore import OneTripRecorder

DEFAULT_TTL = 5.0
KEY_BYTES = 32

# One statement in autocommit mode, so minting costs one round trip (not BEGIN, SET, INSERT and
# COMMIT). `set_config(..., true)` lasts until the end of the statement's own transaction, whose
# commit then skips its WAL flush: the event that needs this key commits synchronously later, and
# that flush covers this earlier commit record too (WAL is flushed in order); a key lost with a
# crash before it is a key no event uses.
_CREATE = """WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true)),
ins AS (
    INSERT INTO registry_subject_keys (subject, key) SELECT %s, %s FROM cfg
    ON CONFLICT (subject) DO NOTHING RETURNING key
)
SELECT key FROM ins
UNION ALL
SELECT key FROM registry_subject_keys WHERE subject = %s"""


class PostgresKeyVault:
    """Per-subject 32-byte keys in PostgreSQL; a destroyed subject stays destroyed."""

    def __init__(self, pool: ConnectionPool[Any], *, ttl: float = DEFAULT_TTL) -> None:
        self._pool = pool
        self._ttl = ttl
        self._lock = threading.Lock()
        self._cache: dict[UUID, tuple[float, bytes]] = {}
        #: Subjects whose key is known to be destroyed (for good: never cached as a key again).
        self._destroyed: set[UUID] = set()

    def key_for(self, subject: UUID, create: bool) -> bytes | None:
        """The subject's key; with `create`, one is made when the subject has none yet.
        None when the key was destroyed (or is missing and `create` is false)."""
        now = time.monotonic()
        with self._lock:
            if subject in self._destroyed:
                return None
            cached = self._cache.get(subject)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        with self._pool.connection() as conn:
            previous = conn.autocommit
            conn.autocommit = True
            try:
                rows = self._fetch(conn, subject, create)
            finally:
                if not conn.closed:
                    conn.autocommit = previous
        if not rows:
            return None
        with self._lock:
            if rows[0][0] is None or subject in self._destroyed:
                # Destroyed (maybe while this lookup ran: the notification won the race).
                self._cache.pop(subject, None)
                self._destroyed.add(subject)
                return None
            key = bytes(rows[0][0])
            self._cache[subject] = (now, key)
        return key

    @staticmethod
    def _fetch(conn: psycopg.Connection[Any], subject: UUID, create: bool) -> list[Any]:
        if create:
            rows = conn.execute(
                _CREATE, (subject, os.urandom(KEY_BYTES), subject), prepare=False
            ).fetchall()
            if rows:
                return rows
            # A concurrent creator won after this statement's snapshot; its row is committed now.
        return conn.execute(
            "SELECT key FROM registry_subject_keys WHERE subject = %s", (subject,), prepare=False
        ).fetchall()

    def destroy(self, subject: UUID) -> None:
        """Destroy the subject's key for good (the row stays as a tombstone)."""
        with self._pool.connection() as conn:
            conn.execute(
                "INSERT INTO registry_subject_keys (subject, key) VALUES (%s, NULL)"
                " ON CONFLICT (subject) DO UPDATE SET key = NULL",
                (subject,),
                prepare=False,
            )
        self.forget_erased(subject)

    def is_destroyed(self, subject: UUID) -> bool:
        """Whether the subject's key was destroyed (a missing key is not destroyed)."""
        self.key_for(subject, create=False)
        with self._lock:
            return subject in self._destroyed

    def forget_erased(self, subject: UUID | None) -> None:
        """The erasure of `subject` committed: drop its cached key for good. None: erasures
        may have been missed (a lost notification), so every cached key is read again."""
        with self._lock:
            if subject is None:
                self._cache.clear()
                return
            self._cache.pop(subject, None)
            self._destroyed.add(subject)


class EventsKeyVault(PostgresKeyVault):
    """A `PostgresKeyVault` whose new submissions' keys are stored with their first events.

    The key of a newly registered submission (whose random id cannot have a key yet) is made in
    memory (`mint_fresh`, used by the domain's mapper) and inserted by the event store's recorder
    in the same transaction as the submission's first event (`pending_insert`, then `written`):
    no round trip and no transaction of its own per create, and never an event without its key
    or a key without its event. Until `store_with` has given it a recorder, it mints every key
    in the table first, as `PostgresKeyVault` does.
    """

    #: Keys of creates that never committed (their transaction failed) are dropped beyond this.
    MAX_PENDING = 10_000

    def __init__(self, pool: ConnectionPool[Any], *, ttl: float = DEFAULT_TTL) -> None:
        super().__init__(pool, ttl=ttl)
        self._pending: dict[UUID, bytes] = {}
        self._stored_by_recorder = False

    def store_with(self, recorder: OneTripRecorder) -> None:
        """Have `recorder` insert the fresh keys with the events (it must record every event
        of the application this vault serves)."""
        recorder.pending_keys = self
        self._stored_by_recorder = True

    def mint_fresh(self, subject: UUID) -> bytes:
        """A new key for a subject that has none, kept until its events are written."""
        if not self._stored_by_recorder:
            stored = self.key_for(subject, create=True)
            if stored is None:
                raise RuntimeError(f"subject {subject} was erased before it was registered")
            return stored
        key = os.urandom(KEY_BYTES)
        with self._lock:
            self._pending[subject] = key
            self._cache[subject] = (time.monotonic(), key)
            while len(self._pending) > self.MAX_PENDING:
                del self._pending[next(iter(self._pending))]
        return key

    def pending_insert(self, subjects: Iterable[UUID]) -> tuple[Composable, list[UUID]] | None:
        """The INSERT of the pending keys of `subjects` (None when there are none), and them."""
        with self._lock:
            rows = [(s, self._pending[s]) for s in subjects if s in self._pending]
        if not rows:
            return None
        statement = SQL(
            "INSERT INTO registry_subject_keys (subject, key)"
            " SELECT * FROM unnest({}::uuid[], {}::bytea[])"
        ).format(Literal([s for s, _ in rows]), Literal([k for _, k in rows]))
        return statement, [s for s, _ in rows]

    def written(self, subjects: Iterable[UUID]) -> None:
        """The keys of `subjects` were committed with their events."""
        with self._lock:
            for subject in subjects:
                self._pending.pop(subject, None)
