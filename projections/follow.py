"""Catching one projection version up with the notification log, page by page.

Both the batched rebuild and live following use `catch_up`: a page is every notification after
the stored position (`id > position`, so permanent gaps in ids are harmless), applied in one
transaction. Rebuild pages are large (thousands of notifications, COPY writes, asynchronous
commit); live pages are whatever arrived since the last wake-up.

An event the projector cannot handle stops the version: the events before it are committed, the
event is recorded in `projection_dead_letters`, the version is marked failed and
`VersionFailed` is raised. Skipping it instead would silently corrupt the read model; stopping
is visible in `status`/`check`/readiness, and a fix followed by `rebuild` (which resumes at that
event) repairs it.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from projections.decoding import decrypts, page_mapper
from projections.pages import PageReader
from projections.projector import ProjectionError
from projections.store import VersionStore


class VersionFailed(Exception):
    """Raised when a projection version stopped on an event it cannot handle (now dead-lettered)."""


@dataclass(frozen=True)
class Progress:
    """A progress report of a catch-up: where the version is and how fast it moves."""

    name: str
    version: int
    position: int
    head: int
    events: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Notifications processed per second so far."""
        return self.events / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate (None before the rate is known)."""
        rate = self.rate
        return (self.head - self.position) / rate if rate > 0 else None


ProgressCallback = Callable[[Progress], None]

# Errors a bad row (a projector bug) causes; connection problems are not among them.
_ROW_ERRORS = (psycopg.errors.DataError, psycopg.errors.IntegrityError, psycopg.ProgrammingError)


def catch_up(
    conn: psycopg.Connection[Any],
    store: VersionStore,
    app: Any,
    *,
    position: int,
    page_size: int,
    bulk: bool,
    progress: ProgressCallback | None = None,
    head: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Apply every notification after `position` until a short page; return the new position.

    `app` is the upstream eventsourcing Application (its mapper decodes; pages are read on
    `conn`, see `projections.pages`).
    """
    started = time.monotonic()
    done = 0
    reader = PageReader(with_keys=decrypts(app.mapper))
    while not should_stop():
        page = reader.read(conn, position, page_size)
        if not page:
            store.mark_built(conn)
            break
        position = commit_page(
            conn,
            store,
            page_mapper(app.mapper, page.keys),
            page.notifications,
            position,
            bulk=bulk,
            caught_up=len(page) < page_size,
        )
        done += len(page)
        if progress is not None:
            top = max(head or 0, position)
            progress(
                Progress(store.name, store.version, position, top, done, time.monotonic() - started)
            )
        if len(page) < page_size:
            break
    return position


def commit_page(
    conn: psycopg.Connection[Any],
    store: VersionStore,
    mapper: Any,
    page: Sequence[Any],
    position: int,
    *,
    bulk: bool,
    caught_up: bool,
) -> int:
    """Commit one page (or, on failure, the part before the bad event and a dead letter)."""
    try:
        events = store.decode(page, mapper)
        store.commit(
            conn, events, expected=position, position=page[-1].id, bulk=bulk, caught_up=caught_up
        )
    except ProjectionError as exc:
        before = [n for n in page if n.id < exc.position]
        if before:
            position = commit_page(
                conn, store, mapper, before, position, bulk=bulk, caught_up=False
            )
        bad = next(n for n in page if n.id == exc.position)
        _dead_letter(conn, store, position, bad, exc.cause)
    except _ROW_ERRORS as exc:
        if len(page) == 1:
            _dead_letter(conn, store, position, page[0], exc)
        # Which event wrote the bad row? Replay the page one event at a time to find it.
        for notification in page:
            position = commit_page(
                conn, store, mapper, [notification], position, bulk=bulk, caught_up=False
            )
    last: int = page[-1].id
    return last


def _dead_letter(
    conn: psycopg.Connection[Any],
    store: VersionStore,
    position: int,
    notification: Any,
    cause: BaseException,
) -> None:
    store.record_dead_letter(
        conn,
        expected=position,
        notification=notification,
        error=f"{type(cause).__name__}: {cause}",
        traceback="".join(traceback.format_exception(cause)),
    )
    raise VersionFailed(
        f"{store.name} v{store.version} stopped at event {notification.id}"
        f" ({notification.topic}): {type(cause).__name__}: {cause}"
    ) from cause
