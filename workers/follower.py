"""The follower of the event log: enqueues side effects only for committed events.

It reads the registry's notification log after its own tracking position, turns each event into
zero or more jobs (`send_mail`, `sync_biotools`), enqueues them, and then advances its position
(compare-and-set). Delivery is at least once: a crash between enqueueing and saving the position
enqueues the same jobs again, which the actors absorb (identical sync records are not recorded,
mails get deterministic Message-IDs). One active follower at a time, by advisory lock.

`registry migrate` calls `start_tracking` so that a new database's follower begins at the start
of the log: a link or a registration committed before the first worker ever ran still gets its
sync and mails. A follower that finds no position (a database migrated before this existed)
begins at the log's head: history is not re-mailed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import psycopg

from domain.submission import Submission
from workers.scheduler import SingleInstanceLock

__all__ = [
    "FOLLOWER_LOCK_KEY",
    "Job",
    "SideEffectFollower",
    "side_effects",
    "start_tracking",
]

log = logging.getLogger(__name__)

FOLLOWER_LOCK_KEY = 0x72656766_6F6C6C6F  # "regfollo"

DEFAULT_NAME = "side-effects"

Job = tuple[str, tuple[Any, ...]]  # (actor name, arguments)
Enqueue = Callable[[str, tuple[Any, ...]], None]


def start_tracking(conn: psycopg.Connection[Any], head: int, name: str = DEFAULT_NAME) -> None:
    """Give the follower `name` the position `head`, unless it has one already (then nothing
    changes). The table is a support table: `registry migrate` creates it."""
    conn.execute(
        "INSERT INTO worker_tracking (name, position) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (name, head),
    )


def side_effects(event: Any, position: int) -> list[Job]:
    """The jobs one committed event calls for (spec §2.5, decisions item 4)."""
    submission_id = str(event.originator_id)
    if isinstance(event, Submission.Registered):
        return [("send_mail", ("created", submission_id, position))]
    if isinstance(event, Submission.Amended):
        # Admin field edits send nothing; an edit without changes records no event at all.
        if event.by_admin or not event.changes:
            return []
        return [("send_mail", ("updated", submission_id, position))]
    if isinstance(event, Submission.StatusChanged):
        return [("send_mail", ("status_changed", submission_id, position))]
    if isinstance(event, Submission.BioToolsLinked):
        return [("sync_biotools", (submission_id,))]
    return []


class SideEffectFollower:
    """Follows `app`'s notification log under the tracking name `name`."""

    def __init__(
        self,
        database_url: str,
        app: Any,
        enqueue: Enqueue,
        *,
        name: str = DEFAULT_NAME,
        page_size: int = 500,
    ) -> None:
        self.database_url = database_url
        self.app = app
        self.enqueue = enqueue
        self.name = name
        self.page_size = page_size

    def _position(self, conn: psycopg.Connection[Any]) -> int:
        row = conn.execute(
            "SELECT position FROM worker_tracking WHERE name = %s", (self.name,)
        ).fetchone()
        if row is not None:
            return int(row[0])
        start_tracking(conn, int(self.app.recorder.max_notification_id() or 0), self.name)
        return self._position(conn)

    def _advance(self, conn: psycopg.Connection[Any], expected: int, position: int) -> None:
        done = conn.execute(
            "UPDATE worker_tracking SET position = %s WHERE name = %s AND position = %s",
            (position, self.name, expected),
        )
        if done.rowcount != 1:
            raise RuntimeError(f"follower {self.name!r}: another instance moved the position")

    def run_once(self) -> int:
        """Enqueue the jobs of every event after the tracking position; returns the number of
        events read."""
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return self._drain(conn)

    def _drain(self, conn: psycopg.Connection[Any]) -> int:
        read = 0
        position = self._position(conn)
        while True:
            page: Sequence[Any] = self.app.recorder.select_notifications(
                position, self.page_size, inclusive_of_start=False
            )
            if not page:
                return read
            for notification in page:
                event = self.app.mapper.to_domain_event(notification)
                for actor_name, args in side_effects(event, notification.id):
                    self.enqueue(actor_name, args)
            last = int(page[-1].id)
            self._advance(conn, position, last)
            position = last
            read += len(page)
            if len(page) < self.page_size:
                return read

    def run(self, stop: threading.Event, *, interval: float = 0.5) -> None:
        """Follow until `stop` is set, while holding the follower lock (standby otherwise).

        One connection serves every poll (a new one only after an error), so following an idle
        log costs one query per interval, not a connection.
        """
        lock = SingleInstanceLock(self.database_url, FOLLOWER_LOCK_KEY)
        conn: psycopg.Connection[Any] | None = None
        try:
            while not stop.is_set():
                if lock.try_acquire():
                    try:
                        if conn is None or conn.closed:
                            conn = psycopg.connect(self.database_url, autocommit=True)
                        self._drain(conn)
                    except Exception as exc:  # keep following; the position was not advanced
                        log.warning("side-effect follower %s failed; retrying: %s", self.name, exc)
                        if conn is not None:
                            conn.close()
                        conn = None
                stop.wait(interval)
        finally:
            if conn is not None:
                conn.close()
            lock.release()


def dramatiq_enqueue(actors: dict[str, Any]) -> Enqueue:
    """An `Enqueue` that sends to the named dramatiq actors (e.g. from `workers.actors`)."""

    def enqueue(actor_name: str, args: tuple[Any, ...]) -> None:
        actors[actor_name].send(*args)

    return enqueue
