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

from psycopg_pool import ConnectionPool

from projections.queries.admin_activity import AdminActivityQueries
from projections.queries.admin_list import AdminListQueries
from projections.queries.catalogue import CatalogueQueries
from projections.queries.keys import KeyQueries, KeyRecord, KeyStamp
from projections.queries.reference import ReferenceQueries
from projections.queries.submissions import EventSource, as_of_document


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


__all__ = ["EventSource", "KeyRecord", "ReadModel", "as_of_document"]
