"""Group commit: the saves of concurrent commands share one event-store transaction.

eventsourcing's PostgreSQL recorder serialises writers with a table lock, so one transaction per
command caps the write rate at one commit round trip (and one fsync) per command. Here each
command still loads, decides, validates AND encodes its events (personal-field encryption, which
may fetch or mint a key in the vault, and JSON) in its own thread; only the insert of the encoded
events is handed to one committer thread, which writes everything that arrived meanwhile in ONE
transaction. Work done in the committer is serial for the whole process, so it does nothing but
that insert; snapshots are taken afterwards, again in the caller's thread.

Outcomes stay separate and conflicts exact: when the shared transaction fails on the
``(originator_id, originator_version)`` key, the committer inserts each command's events on their
own, so exactly the commands that lost a race get their ``IntegrityError`` and every other command
commits as if it had been alone. A command never waits longer than one transaction for company:
the committer takes whatever is queued when it becomes free (no timer).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Notification, Recording, StoredEvent

__all__ = ["GroupCommitter"]


@dataclass
class _Request:
    processing: ProcessingEvent[Any]
    stored: list[StoredEvent]
    future: Future[list[Recording[Any]]] = field(default_factory=Future)


class GroupCommitter:
    """Saves aggregates of concurrent callers in shared transactions of up to ``max_batch``."""

    def __init__(self, app: Application[Any], *, max_batch: int = 256) -> None:
        self._app = app
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._closed = False
        self._thread.start()

    def save(self, *aggregates: Any) -> list[Recording[Any]]:
        """Save the aggregates' pending events, possibly together with other callers' events.

        Blocks until the events are committed; raises ``IntegrityError`` when this caller's
        events conflict with stored ones, exactly as ``Application.save`` would.
        """
        if self._closed:
            raise RuntimeError("the group committer is closed")
        processing: ProcessingEvent[Any] = ProcessingEvent()
        processing.collect_events(*aggregates)
        if not processing.events:
            return []
        # Encoded here, in parallel with other callers, not in the single committer thread.
        stored = [self._app.mapper.to_stored_event(e) for e in processing.events]
        request = _Request(processing, stored)
        self._queue.put(request)
        recordings = request.future.result()
        # The rest of Application.save() after recording: may load and store (a snapshot).
        self._app._take_snapshots(processing)
        self._app._notify(recordings)
        return recordings

    def close(self) -> None:
        """Stop the committer thread after it has written what is queued."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: Sequence[_Request]) -> None:
        if len(batch) > 1:
            try:
                recordings = self._insert(batch)
            except IntegrityError:
                pass  # somebody in the batch lost a race: find out who, one by one
            except BaseException as exc:  # the database is gone: everyone in the batch fails
                for request in batch:
                    request.future.set_exception(exc)
                return
            else:
                start = 0
                for request in batch:
                    end = start + len(request.stored)
                    request.future.set_result(recordings[start:end])
                    start = end
                return
        for request in batch:
            try:
                request.future.set_result(self._insert([request]))
            except BaseException as exc:  # handed to the caller, who raises it in its thread
                request.future.set_exception(exc)

    def _insert(self, batch: Sequence[_Request]) -> list[Recording[Any]]:
        """One transaction for the batch's encoded events (what ``EventStore.put`` does after
        encoding), then the repository cache update of ``Application._record``."""
        events = [e for request in batch for e in request.processing.events]
        stored = [s for request in batch for s in request.stored]
        ids = self._app.recorder.insert_events(stored)
        recordings: list[Recording[Any]] = []
        if ids:
            for domain_event, s, notification_id in zip(events, stored, ids, strict=True):
                notification = Notification(
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                    id=notification_id,
                )
                recordings.append(Recording(domain_event, notification))
        cache = self._app.repository.cache
        if cache and not self._app.repository.fastforward:
            for request in batch:
                for aggregate_id, aggregate in request.processing.aggregates.items():
                    cache.put(aggregate_id, aggregate)
        return recordings
