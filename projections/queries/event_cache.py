"""A per-process cache of decoded events of recently read aggregates, for `as_of` reads.

`as_of` folds all events of a submission (and of its bio.tools record): for a submission with a
thousand changes, reading and decoding (incl. decrypting personal fields) them was nearly all of
a request. The cache keeps the decoded events of the last `size` aggregates read and brings an
entry up to date with one query for the events after its last version, so it is never stale.
Stored events are immutable and only ever appended; an erased submission ends with `Erased`, which
the fast-forward reads like any other event (its entry is then dropped, so no decrypted personal
data stays in memory).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any
from uuid import UUID

from projections.projectors.events import kind

DEFAULT_SIZE = 64


class EventCache:
    """Decoded events by aggregate id, fast-forwarded on every read (thread-safe)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._events: OrderedDict[UUID, tuple[Any, ...]] = OrderedDict()

    def events(self, store: Any, aggregate_id: UUID) -> tuple[Any, ...]:
        """Every event of the aggregate in `store` (an eventsourcing `EventStore`), oldest first."""
        with self._lock:
            known = self._events.get(aggregate_id, ())
        after = known[-1].originator_version if known else None
        new = tuple(store.get(aggregate_id, gt=after))
        events = known + new
        with self._lock:
            if any(kind(e) == "Submission.Erased" for e in new):
                self._events.pop(aggregate_id, None)
            elif events:
                self._events[aggregate_id] = events
                self._events.move_to_end(aggregate_id)
                while len(self._events) > self.size:
                    self._events.popitem(last=False)
        return events
