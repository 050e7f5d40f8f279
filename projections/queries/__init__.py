"""The read queries: the only SQL the web runs. `ReadModel(pool)` answers every read endpoint with
plain dicts in the wire shape of spec §3.3 (the web adds only `links`).

Rules the queries follow: one round trip per call (one statement, or two in one pipeline where
a request needs both), reading the stable views
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

from projections.queries.admin_activity import AdminActivityQueries
from projections.queries.admin_list import AdminListQueries
from projections.queries.catalogue import CatalogueQueries
from projections.queries.keys import KEY_QUERY, KeyQueries, KeyRecord, KeyStamp, key_record
from projections.queries.reference import ReferenceQueries
from projections.queries.submission_sql import DETAIL
from projections.queries.submissions import EventSource, as_of_document, served


class ReadModel(
    AdminListQueries, AdminActivityQueries, ReferenceQueries, KeyQueries, CatalogueQueries
):
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
        self._counts = {}

    def forget_erased(self, submission_id: UUID | None) -> None:
        """The erasure of ``submission_id`` committed: drop everything this process holds
        about it (cached keys of its owners). None: erasures may have been missed (the
        notification listener reconnected), so drop everything. Subscribed to the process's
        erasure notifications (``registry.webapp``)."""
        self._forget_keys_of(submission_id)

    def submission_for_key(
        self, key_hash: str, submission_id: UUID
    ) -> tuple[KeyRecord | None, dict[str, Any] | None]:
        """``(api_key(key_hash), submission(submission_id))``: when the key is not cached, both
        statements go in one pipeline (one pool checkout, one round trip). Whether the key may
        see the document is the caller's to decide (``web.auth.require_owner_or_admin``).

        A detail read by its owner's key is the API's commonest authenticated request; with
        more keys in use than ``KEY_CACHE_SIZE`` (the bench reads with ~20,000) the two
        separate calls served 16-23 % fewer details per second (README, issue 19). The key
        cache serves the detail target (``TARGET_DETAIL_RATE``, ``bench/report.py``); this path
        is kept correct by ``tests/integration/web/test_key_cache_api.py`` (a revoked key refused
        at once) and ``test_reference_and_key_queries.py`` (cached or not, the same answers)."""
        stamp, cached = self._cached_key(key_hash)
        if cached is not None:
            return cached, self.submission(submission_id)
        key_params = (Jsonb([key_hash]), key_hash)
        try:
            with self._connection() as conn:
                with conn.pipeline():
                    key_cur = conn.cursor(row_factory=dict_row)
                    doc_cur = conn.cursor(row_factory=dict_row)
                    key_cur.execute(KEY_QUERY, key_params, prepare=True)
                    doc_cur.execute(DETAIL, (submission_id,), prepare=True)
                key_row, doc_row = key_cur.fetchone(), doc_cur.fetchone()
        except psycopg.errors.FeatureNotSupported:
            # A promote changed a view's result types under a prepared statement: the single
            # statements forget them and run again (`projections.queries.base.execute`).
            key_row, doc_row = self._one(KEY_QUERY, key_params), self._one(DETAIL, (submission_id,))
        record = None if key_row is None else key_record(key_row["submission_id"], key_row["k"])
        self._remember_key(stamp, key_hash, record)
        return record, None if doc_row is None else served(doc_row, full_record=True)


__all__ = ["EventSource", "KeyRecord", "ReadModel", "as_of_document"]
