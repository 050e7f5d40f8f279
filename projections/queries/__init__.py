"""The read queries: the only SQL the web runs. `ReadModel(pool)` answers every read endpoint with
plain dicts in the wire shape of spec §3.3 (the web adds only `links`).

Rules the queries follow: one statement (one round trip) per call, reading the stable views
(never a versioned table) with named result columns, so that a prepared statement survives a
promote (`projections.queries.base`).
"""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from projections.queries.catalogue import CatalogueQueries
from projections.queries.event_cache import EventCache
from projections.queries.keys import KEY_QUERY, KeyQueries, KeyRecord, KeyStamp, key_record
from projections.queries.reference import ReferenceQueries
from projections.queries.submission_sql import DETAIL
from projections.queries.submissions import (
    EventSource,
    HistoryCache,
    as_of_document,
    served,
)
from projections.queries.timeline import TimelineQueries


class ReadModel(TimelineQueries, ReferenceQueries, KeyQueries, CatalogueQueries):
    """Every read query of the API, over one connection pool.

    ``registry`` (the domain application, optional) is needed only by ``submission_as_of``,
    which reads the submission's events from its event store. ``key_stamp`` (e.g.
    ``lambda: progress.stamp("api_keys")``) turns on the per-process cache of key lookups.
    """

    def __init__(
        self,
        pool: ConnectionPool[Any],
        registry: EventSource | None = None,
        *,
        key_stamp: KeyStamp | None = None,
    ) -> None:
        super().__init__(pool)
        self.registry = registry
        self._touched = {}
        self._touch_lock = threading.Lock()
        self._pending_touches = {}
        self._touch_flusher = None
        self._key_stamp = key_stamp
        self._key_cache = {}
        self._event_cache = EventCache()
        self._counts = {}
        self._keys = {}
        self._histories = HistoryCache()

    def forget_erased(self, submission_id: UUID | None) -> None:
        """The erasure of ``submission_id`` committed: drop everything this process holds
        about it (decoded events, history text, cached keys of its owners). None: erasures
        may have been missed (the notification listener reconnected), so drop everything.
        Subscribed to the process's erasure notifications (``registry.webapp``)."""
        self._forget_submission(submission_id)
        self._forget_keys_of(submission_id)

    def submission_for_key(
        self, key_hash: str, submission_id: UUID
    ) -> tuple[KeyRecord | None, dict[str, Any] | None]:
        """``api_key(key_hash)`` and, when that key is an admin key or the submission's own,
        ``submission(submission_id)`` (else None): one round trip when the key is not cached.

        A detail GET with an owner's key not used before in this process paid two round trips
        and two pool checkouts (key, then detail); the key is cached as ``api_key`` caches it
        (stamp taken before the statements)."""
        stamp, cached = self._cached_key(key_hash)
        if cached is not None:
            visible = cached.submission_id is None or cached.submission_id == submission_id
            return cached, self.submission(submission_id) if visible else None
        key_row, doc_row = self._detail_for_key(key_hash, submission_id)
        if key_row is None:
            return None, None
        record = key_record(key_row["submission_id"], key_row["k"])
        self._remember_key(stamp, key_hash, record)
        visible = record.submission_id is None or record.submission_id == submission_id
        return record, served(doc_row) if visible and doc_row is not None else None

    def _detail_for_key(
        self, key_hash: str, submission_id: UUID
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The key's row and the detail's row: the two prepared statements sent in one pipeline
        (one round trip). One statement joining both took the server ~250 us longer per call
        than the two (loopback, 600 keys, plans generic or custom alike)."""
        key_params = (Jsonb([key_hash]), key_hash)
        try:
            with self._connection() as conn:
                with conn.pipeline():
                    key_cur = conn.cursor(row_factory=dict_row)
                    doc_cur = conn.cursor(row_factory=dict_row)
                    key_cur.execute(KEY_QUERY, key_params, prepare=True)
                    doc_cur.execute(DETAIL, (submission_id,), prepare=True)
                return key_cur.fetchone(), doc_cur.fetchone()
        except psycopg.errors.FeatureNotSupported:
            # A promote changed a view's result types under a prepared statement: the single
            # statements forget them and run again (`projections.queries.base.execute`).
            return self._one(KEY_QUERY, key_params), self._one(DETAIL, (submission_id,))


__all__ = ["EventSource", "KeyRecord", "ReadModel", "as_of_document"]
