"""A per-application cache of reference records (categories, centres, PIs) for validation.

Validating a create or PATCH looks up its category, centre and PIs; loading each aggregate from
the event store costs two queries (snapshot + events), about a quarter of a create's CPU in the
web process. Reference records change rarely, so a loaded record is reused.

The bound: a reference changed (e.g. deactivated) through THIS application is forgotten when it
is saved, so the change is seen at once in the same process. A change saved by another process
or host is seen here as follows:

- when the cache `follow`s a stamp (the composition root gives every web process the stamp of
  its notification listener, `projections.progress.ProgressListener.reference_stamp`, which
  changes with every reference event committed anywhere, announced by a NOTIFY in the events'
  own transaction), a record is reused only while the stamp it was loaded under is unchanged:
  the change is honoured here once that NOTIFY has arrived (milliseconds after the commit, so
  before the writer's response in practice; at worst the listener's poll interval, 1 s, after
  its connection broke, and nothing is reused while it is down, the stamp being None);
- in a process that follows nothing (a worker, a one-shot command), at most `max_age` seconds
  later (default 1 s, `REFERENCE_CACHE_MAX_AGE`; 0 turns the cache off).

`max_age` bounds a reuse in either case. Unknown ids are never cached, so a new reference is
selectable everywhere at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any
from uuid import UUID

DEFAULT_MAX_AGE = 1.0

#: The current invalidation stamp (a record is reused only under the stamp it was loaded
#: under); None: changes may go unannounced right now, reuse nothing.
Stamp = Callable[[], Hashable | None]

#: What `now` returns and `put` takes: the clock and the stamp before a load.
Mark = tuple[float, Hashable | None]


class ReferenceCache:
    """Loaded reference aggregates by id, each reused for at most `max_age` seconds and, once
    the cache `follow`s a stamp, only while that stamp is unchanged."""

    def __init__(
        self, max_age: float = DEFAULT_MAX_AGE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_age = max_age
        self._clock = clock
        self._stamp: Stamp | None = None
        self._lock = threading.Lock()
        self._records: dict[UUID, tuple[Mark, Any]] = {}

    def follow(self, stamp: Stamp) -> None:
        """Reuse a record only while ``stamp()`` returns what it returned before its load."""
        self._stamp = stamp
        with self._lock:
            self._records.clear()

    def get(self, aggregate_id: UUID) -> Any | None:
        """The cached record, or None when absent, older than `max_age` or loaded under another
        stamp than the current one."""
        with self._lock:
            entry = self._records.get(aggregate_id)
        if entry is None:
            return None
        (loaded_at, stamp), record = entry
        if self._clock() - loaded_at >= self.max_age:
            return None
        if self._stamp is not None and (stamp is None or self._stamp() != stamp):
            return None
        return record

    def put(self, aggregate_id: UUID, record: Any, mark: Mark) -> None:
        """Remember `record`, loaded after `mark` was taken (`now()` before loading, so a save
        that raced the load is never hidden: its notification changes the stamp)."""
        if self.max_age <= 0 or (self._stamp is not None and mark[1] is None):
            return
        with self._lock:
            self._records[aggregate_id] = (mark, record)

    def now(self) -> Mark:
        """The clock and the stamp now (pass it to `put`)."""
        return self._clock(), None if self._stamp is None else self._stamp()

    def forget(self, aggregate_ids: Iterable[UUID]) -> None:
        """Drop records this application just changed."""
        with self._lock:
            for aggregate_id in aggregate_ids:
                self._records.pop(aggregate_id, None)
