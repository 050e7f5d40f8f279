"""A per-application cache of reference records (categories, centres, PIs) for validation.

Validating a create or PATCH looks up its category, centre and PIs; loading each aggregate from
the event store costs two queries (snapshot + events), about a quarter of a create's CPU in the
web process. Reference records change rarely, so a loaded record is reused for `max_age`
seconds.

The bound: a reference changed (e.g. deactivated) through THIS application is forgotten when it
is saved, so the change is seen at once in the same process. A change saved by another process
(another web worker) is seen here at most `max_age` seconds later (default 1 s,
`REFERENCE_CACHE_MAX_AGE`; 0 turns the cache off): for at most that long a just-deactivated
reference can still be newly selected through this process. Unknown ids are never cached, so a
new reference is selectable everywhere at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

DEFAULT_MAX_AGE = 1.0


class ReferenceCache:
    """Loaded reference aggregates by id, each reused for at most `max_age` seconds."""

    def __init__(
        self, max_age: float = DEFAULT_MAX_AGE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._records: dict[UUID, tuple[float, Any]] = {}

    def get(self, aggregate_id: UUID) -> Any | None:
        """The cached record, or None when absent or older than `max_age`."""
        with self._lock:
            entry = self._records.get(aggregate_id)
        if entry is None or self._clock() - entry[0] >= self.max_age:
            return None
        return entry[1]

    def put(self, aggregate_id: UUID, record: Any, loaded_at: float) -> None:
        """Remember `record`, loaded at `loaded_at` (a `clock()` value taken before loading, so
        a save that raced the load is never hidden for longer than the bound)."""
        if self.max_age <= 0:
            return
        with self._lock:
            self._records[aggregate_id] = (loaded_at, record)

    def now(self) -> float:
        """The cache's clock (pass its value to `put`)."""
        return self._clock()

    def forget(self, aggregate_ids: Iterable[UUID]) -> None:
        """Drop records this application just changed."""
        with self._lock:
            for aggregate_id in aggregate_ids:
                self._records.pop(aggregate_id, None)
