"""Read-your-writes: wait until the live version of a projection has reached a position.

One `ProgressListener` per process holds one connection that LISTENs on the runners' progress
channel and keeps an in-memory map of the live versions and their positions; a waiter blocks on a
lock of its own, so a `wait_for` costs no query and no connection. It also knows the subjects
whose rows the live versions have quarantined (`quarantined`). The listener re-reads the catalogue
at least every `poll_interval` seconds, so a lost notification delays a waiter by at most that
much, and it re-reads it at once after a promote, a rollback or a quarantine.

The same connection LISTENs on the erasure channel (`projections.erasure.ERASURE_CHANNEL`,
notified by the transaction that records an erasure) and hands each erased id to the callbacks
given to `on_erasure`, so per-process caches drop what they hold about that submission within a
notification's latency; after a reconnect (notifications may have been lost) they are called
with None: drop everything.

It also LISTENs on the reference-data channel (`projections.reference_catalog.REFERENCE_CHANNEL`,
notified in the transaction of every reference event and every EDAM/SPDX load) and counts those
notifications and its own reconnects: `reference_stamp` is that count while connected (None
while not), so the reference caches of this process (`domain.reference_cache`, the reference
catalogue) reuse a copy only while the stamp it was loaded under holds.

A notification wakes only the waiters it satisfies: every request thread waiting for a write used
to be woken by every notification of every projection (a condition variable's `notify_all`), to
find its position not reached yet and sleep again; with 16 waiters that was 16 thread switches per
notification.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg

from projections.erasure import ERASURE_CHANNEL
from projections.reference_catalog import REFERENCE_CHANNEL
from projections.store import PROGRESS_CHANNEL

#: Told the id of each erased submission (None: any may have been erased meanwhile).
ErasureCallback = Callable[[UUID | None], None]

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Waiter:
    """One blocked `wait_for`: released (by the listener) once its position is reached."""

    name: str
    position: int
    gate: threading.Lock = field(default_factory=threading.Lock)


class ProgressListener:
    """Tracks the positions of the live projection versions for `wait_for` (thread-safe)."""

    def __init__(self, database_url: str, *, poll_interval: float = 1.0) -> None:
        self._url = database_url
        self._poll_interval = poll_interval
        self._lock = threading.Lock()
        self._waiters: dict[str, list[_Waiter]] = {}
        self._live: dict[str, int] = {}
        self._positions: dict[tuple[str, int], int] = {}
        self._quarantined: dict[str, frozenset[str]] = {}
        self._ready = threading.Event()
        self._connected = False
        self._stop = threading.Event()
        self._on_erasure: list[ErasureCallback] = []
        self._references = 0  # reference notifications and reconnects seen
        self._thread = threading.Thread(target=self._run, name="projection-progress", daemon=True)
        self._thread.start()

    def on_erasure(self, callback: ErasureCallback) -> None:
        """Call ``callback(submission_id)`` in the listener thread for every erasure committed
        from now on, and ``callback(None)`` whenever notifications may have been missed."""
        with self._lock:
            self._on_erasure.append(callback)
        callback(None)  # erasures committed before this call are not announced again

    def _erased(self, subject: UUID | None) -> None:
        with self._lock:
            callbacks = list(self._on_erasure)
        for callback in callbacks:
            try:
                callback(subject)
            except Exception:  # one cache's failure must not stop the others or the listener
                log.exception("an erasure callback failed")

    def wait_for(self, name: str, position: int, timeout: float) -> bool:
        """Whether the live version of `name` reached `position` within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        self._ready.wait(timeout)
        with self._lock:
            if self._reached(name, position):
                return True
            waiter = _Waiter(name, position)
            waiter.gate.acquire()  # held until the listener releases it
            self._waiters.setdefault(name, []).append(waiter)
        try:
            waiter.gate.acquire(timeout=max(0.0, deadline - time.monotonic()))
        finally:
            with self._lock:
                waiting = self._waiters.get(name, [])
                if waiter in waiting:
                    waiting.remove(waiter)
                reached = self._reached(name, position)
        return reached

    def position(self, name: str) -> int | None:
        """The last known position of the live version of `name` (None if unknown)."""
        with self._lock:
            version = self._live.get(name)
            return None if version is None else self._positions.get((name, version))

    def stamp(self, name: str) -> tuple[int, int] | None:
        """`(live version, position)` of `name` while the listener is connected, else None.

        A value cached under a stamp stays valid until the stamp changes: the projection
        advanced (or was promoted); None means positions may be stale, so nothing is reused."""
        with self._lock:
            version = self._live.get(name)
            if not self._connected or version is None:
                return None
            return version, self._positions.get((name, version), -1)

    def reference_stamp(self) -> int | None:
        """Changes with every reference-data notification (and every reconnect) this process
        receives; None while the listener is not connected (a change may go unannounced)."""
        with self._lock:
            return self._references if self._connected else None

    def quarantined(self, name: str, subject: str) -> bool:
        """Whether the live version of `name` has quarantined the row of `subject` (an id, as
        text): a write on it is not shown there until an operator releases it."""
        with self._lock:
            return subject in self._quarantined.get(name, frozenset())

    def close(self) -> None:
        """Stop the listener thread (it closes its connection)."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _reached(self, name: str, position: int) -> bool:
        version = self._live.get(name)
        return version is not None and self._positions.get((name, version), -1) >= position

    def _release(self, names: Iterable[str]) -> None:
        """Release the waiters of `names` whose position is reached (the lock is held)."""
        for name in names:
            waiting = self._waiters.get(name)
            if not waiting:
                continue
            still = []
            for waiter in waiting:
                if self._reached(name, waiter.position):
                    waiter.gate.release()
                else:
                    still.append(waiter)
            self._waiters[name] = still

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {PROGRESS_CHANNEL}")
                    conn.execute(f"LISTEN {ERASURE_CHANNEL}")
                    conn.execute(f"LISTEN {REFERENCE_CHANNEL}")
                    with self._lock:  # while disconnected, reference changes went unannounced
                        self._references += 1
                    self._erased(None)  # while disconnected, erasures went unannounced
                    self._refresh(conn)
                    self._listen(conn)
            except psycopg.Error as exc:
                with self._lock:
                    self._connected = False
                log.warning("projection progress listener reconnecting: %s", exc)
                self._stop.wait(self._poll_interval)

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        last_poll = time.monotonic()
        while not self._stop.is_set():
            refresh = False
            for notify in conn.notifies(timeout=self._poll_interval / 2):
                if notify.channel == ERASURE_CHANNEL:
                    self._erased(_subject(notify.payload))
                    continue
                if notify.channel == REFERENCE_CHANNEL:
                    with self._lock:
                        self._references += 1
                    continue
                name, _, rest = notify.payload.partition(":")
                version, _, position = rest.partition(":")
                if version == "*":
                    refresh = True
                    break
                with self._lock:
                    key = (name, int(version))
                    self._positions[key] = max(self._positions.get(key, 0), int(position))
                    self._release((name,))
            if refresh or time.monotonic() - last_poll >= self._poll_interval:
                self._refresh(conn)
                last_poll = time.monotonic()

    def _refresh(self, conn: psycopg.Connection[Any]) -> None:
        try:
            rows = conn.execute(
                "SELECT name, version, state, position FROM projection_versions"
                " WHERE state <> 'retired'"
            ).fetchall()
        except psycopg.errors.UndefinedTable:
            rows = []
        held = _quarantined(conn)
        with self._lock:
            self._quarantined = held
            self._live = {name: version for name, version, state, _ in rows if state == "live"}
            # The catalogue is read after every notification handled so far: it is authoritative.
            self._positions = {(name, version): position for name, version, _, position in rows}
            self._connected = True
            self._release(list(self._waiters))
        self._ready.set()


def _subject(payload: str) -> UUID | None:
    """The erased id of a notification (None, i.e. everything, if it is not one)."""
    try:
        return UUID(payload)
    except ValueError:
        return None


def _quarantined(conn: psycopg.Connection[Any]) -> dict[str, frozenset[str]]:
    """The subjects (first key value, as text) of the live versions' quarantined rows."""
    try:
        rows = conn.execute(
            "SELECT q.name, q.row_key ->> 0 FROM projection_quarantine q"
            " JOIN projection_versions v ON v.name = q.name AND v.version = q.version"
            " WHERE v.state = 'live'"
        ).fetchall()
    except psycopg.errors.UndefinedTable:
        return {}
    held: dict[str, set[str]] = {}
    for name, subject in rows:
        held.setdefault(name, set()).add(str(subject))
    return {name: frozenset(subjects) for name, subjects in held.items()}
