"""Catching one projection version up with the notification log, page by page.

Both the batched rebuild and live following use `catch_up`: a page is every notification after
the stored position (`id > position`, so permanent gaps in ids are harmless), applied in one
transaction. Rebuild pages are large (thousands of notifications, COPY writes, asynchronous
commit); live pages are whatever arrived since the last wake-up.

An event the projector cannot handle (it cannot be decoded, `keys`/`apply`/`complete` raise, or
the database refuses the row it makes) quarantines the rows it touches: the events before it are
committed, the rows are set aside with their snapshots, the event is held and recorded in
`projection_dead_letters`, and the version goes on with every other row (see
`projections.quarantine`). Every later event on a quarantined row is held too, so a row is never
built from part of its events. `release` puts the held events through again after a fix.
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
from projections.projector import ProjectionError, RowKey
from projections.quarantine import AGGREGATE, keys_of
from projections.store import PROGRESS_CHANNEL, VersionStore


class VersionFailed(Exception):
    """Raised when a projection version is marked failed (stopped by hand: it is not followed)."""


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
    advance: bool = True,
) -> int:
    """Commit one page; an event that cannot be applied is quarantined (see the module
    docstring) and the rest of the page committed around it. `advance=False` applies held
    events again without moving the position (`release`)."""
    try:
        events = store.decode(page, mapper)
        store.commit(
            conn,
            events,
            expected=position,
            position=page[-1].id,
            bulk=bulk,
            caught_up=caught_up,
            advance=advance,
        )
    except ProjectionError as exc:
        before = [n for n in page if n.id < exc.position]
        if before:
            position = commit_page(
                conn, store, mapper, before, position, bulk=bulk, caught_up=False, advance=advance
            )
        bad = next(n for n in page if n.id == exc.position)
        _quarantine(conn, store, mapper, position if advance else None, bad, exc.cause)
        position = bad.id
        after = [n for n in page if n.id > exc.position]
        if after:
            position = commit_page(
                conn,
                store,
                mapper,
                after,
                position,
                bulk=bulk,
                caught_up=caught_up,
                advance=advance,
            )
    except _ROW_ERRORS as exc:
        if len(page) == 1:
            _quarantine(conn, store, mapper, position if advance else None, page[0], exc)
        else:
            # Which event wrote the bad row? Replay the page one event at a time to find it.
            for notification in page:
                position = commit_page(
                    conn,
                    store,
                    mapper,
                    [notification],
                    position,
                    bulk=bulk,
                    caught_up=False,
                    advance=advance,
                )
    last: int = page[-1].id
    return last


def _quarantine(
    conn: psycopg.Connection[Any],
    store: VersionStore,
    mapper: Any,
    position: int | None,
    notification: Any,
    cause: BaseException,
) -> None:
    store.quarantine(
        conn,
        expected=position,
        notification=notification,
        keys=_rows_of(store, mapper, notification),
        error=f"{type(cause).__name__}: {cause}",
        traceback="".join(traceback.format_exception(cause)),
    )


def _rows_of(store: VersionStore, mapper: Any, notification: Any) -> list[RowKey]:
    """The rows the event touches; its aggregate when they cannot be worked out."""
    try:
        keys = list(store.projector.keys(mapper.to_domain_event(notification)))
    except Exception:  # an event that cannot be decoded or keyed: any reason is the same here
        keys = []
    return keys or [(AGGREGATE, (notification.originator_id,))]


@dataclass(frozen=True)
class Released:
    """The outcome of `release`: held events applied, skipped, and rows still quarantined."""

    applied: int
    skipped: int
    still_quarantined: int


def release(conn: psycopg.Connection[Any], store: VersionStore, app: Any) -> Released:
    """Put every quarantined row of the version back as it was before its event and apply the
    held events again in order (skipping those an operator asked to skip), in ONE transaction:
    an event that fails again is quarantined again, with its rows. Only the holder of the
    version's lock (its runner, or a command when no runner is) may call this."""
    reader = PageReader(with_keys=decrypts(app.mapper))
    try:
        with conn.transaction():
            conn.execute(
                "SELECT 1 FROM projection_versions WHERE name = %s AND version = %s FOR UPDATE",
                (store.name, store.version),
            )
            held, skip = store.take_quarantine(conn)
            wanted = [p for p in held if p not in skip]
            if wanted:
                page = reader.read_ids(conn, wanted)
                commit_page(
                    conn,
                    store,
                    page_mapper(app.mapper, page.keys),
                    page.notifications,
                    0,
                    bulk=False,
                    caught_up=False,
                    advance=False,
                )
            conn.execute("SELECT pg_notify(%s, %s)", (PROGRESS_CHANNEL, f"{store.name}:*:0"))
    finally:
        store.quarantined = keys_of(conn, store.name, store.version)
    still = len(store.quarantined)
    return Released(len(wanted), len(held) - len(wanted), still)
