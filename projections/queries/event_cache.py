"""A per-process cache of decoded events of recently read aggregates, for `as_of` reads.

`as_of` folds all events of a submission (and of its bio.tools record): for a submission with a
thousand changes, reading and decoding (incl. decrypting personal fields) them was nearly all of
a request (30 ms against 2.4 ms from the cache, median, `docs/erasure.md`). The cache keeps the
decoded events of the last `size` aggregates read and brings an entry up to date with one query
for the events after its last version, so it is never stale.

Decrypted personal values must not outlive an erasure in memory: an entry is dropped when its
fast-forward meets the `Erased` event, and at once when the erasure is announced to the process
(`forget`, wired to the erasure notification by `ReadModel.forget_erased`). An aggregate
forgotten as erased is never cached again (a read that raced the erasure cannot put it back).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any
from uuid import UUID

from projections.projectors.events import kind

DEFAULT_SIZE = 64
#: Erased ids remembered at most (erasures are rare; past this the oldest are forgotten).
MAX_TOMBSTONES = 100_000


class EventCache:
    """Decoded events by aggregate id, fast-forwarded on every read (thread-safe)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._events: OrderedDict[UUID, tuple[Any, ...]] = OrderedDict()
        self._erased: OrderedDict[UUID, None] = OrderedDict()

    def events(self, store: Any, aggregate_id: UUID) -> tuple[Any, ...]:
        """Every event of the aggregate in `store` (an eventsourcing `EventStore`), oldest first."""
        with self._lock:
            known = self._events.get(aggregate_id, ())
        after = known[-1].originator_version if known else None
        new = tuple(store.get(aggregate_id, gt=after))
        events = known + new
        with self._lock:
            erased = aggregate_id in self._erased
        if erased or any(kind(e) == "Submission.Erased" for e in new):
            if known:  # decoded before the erasure: read again, personal values now erased
                events = tuple(store.get(aggregate_id))
            with self._lock:
                self._events.pop(aggregate_id, None)
            return events
        with self._lock:
            if events:
                self._events[aggregate_id] = events
                self._events.move_to_end(aggregate_id)
                while len(self._events) > self.size:
                    self._events.popitem(last=False)
        return events

    def forget(self, aggregate_id: UUID | None) -> None:
        """Drop the erased aggregate's entry and keep it out; None drops every entry
        (erasures may have been missed)."""
        with self._lock:
            if aggregate_id is None:
                self._events.clear()
                return
            self._events.pop(aggregate_id, None)
            self._erased[aggregate_id] = None
            while len(self._erased) > MAX_TOMBSTONES:
                self._erased.popitem(last=False)
