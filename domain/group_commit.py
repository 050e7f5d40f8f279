"""Group commit: the saves of concurrent commands share one event-store transaction.

eventsourcing's PostgreSQL recorder serialises writers with a table lock, so one transaction per
command caps the write rate at one commit round trip (and one fsync) per command. Here each
command still loads, decides and validates in its own thread; only its save is handed to one
committer thread, which writes everything that arrived meanwhile in ONE transaction.

Outcomes stay separate and conflicts exact: when the shared transaction fails on the
``(originator_id, originator_version)`` key, the committer saves each command's events on their
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
from eventsourcing.persistence import IntegrityError, Recording

__all__ = ["GroupCommitter"]


@dataclass
class _Request:
    processing: ProcessingEvent[Any]
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
        request = _Request(processing)
        self._queue.put(request)
        return request.future.result()

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
            combined: ProcessingEvent[Any] = ProcessingEvent()
            for request in batch:
                combined.events.extend(request.processing.events)
                combined.aggregates.update(request.processing.aggregates)
            try:
                recordings = self._record(combined)
            except IntegrityError:
                pass  # somebody in the batch lost a race: find out who, one by one
            except BaseException as exc:  # the database is gone: everyone in the batch fails
                for request in batch:
                    request.future.set_exception(exc)
                return
            else:
                start = 0
                for request in batch:
                    end = start + len(request.processing.events)
                    request.future.set_result(recordings[start:end])
                    start = end
                return
        for request in batch:
            try:
                request.future.set_result(self._record(request.processing))
            except BaseException as exc:  # handed to the caller, who raises it in its thread
                request.future.set_exception(exc)

    def _record(self, processing: ProcessingEvent[Any]) -> list[Recording[Any]]:
        # The same steps as Application.save() after collecting the events.
        recordings = self._app._record(processing)
        self._app._take_snapshots(processing)
        self._app._notify(recordings)
        return recordings
