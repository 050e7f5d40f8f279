"""One loop that follows the log for every caught-up version a runner is active for.

Following each version on its own costs a page read, a decode (with decryption of personal
fields) and a transaction per version per page: with ten versions, a create waited for ten round
trips of each. Once a version's own thread has caught up with the log, it joins this loop: each
round reads one page per distinct position of its members (with the keys to decode it, one
statement), decodes every notification once and applies it to every member at that position in
ONE pipelined transaction that moves each member's position with its own compare-and-set and
sends each member's progress notification (one compare-and-set statement and one NOTIFY
statement for all members): three round trips per page in all. A member's
position is read from the catalogue when it joins; after that the loop tracks its own commits.

Every guarantee of the per-version path stays, because the shared path only ever commits all of
a group or nothing and hands anything unusual back to that path:
- exactly-once and crash safety: rows and positions of all members commit together, each behind
  its compare-and-set; a crash loses the whole transaction, which is then replayed;
- election: a member is a version whose thread holds its advisory lock; the thread stays in its
  lock session while joined and leaves when that session fails (within `poll_interval`); until
  then the compare-and-set rejects a commit that races a runner that took the lock over;
- quarantine and conflicts: on any error (a projector failure, a bad row, a moved position)
  the transaction rolls back and every member of that group is ejected: its own thread catches
  it up again and quarantines the rows of the event its version could not apply (see
  `projections.quarantine`); events on rows already quarantined are held here as there;
- a lagging (building) version joins only once its own thread found nothing left to catch up.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import psycopg

from projections.catalogue import FOLLOWED, read_versions
from projections.decoding import decrypts, page_mapper
from projections.pages import PageReader
from projections.projector import Event, ProjectionError
from projections.store import VersionStore, advance_all, check_advanced, notify_all

log = logging.getLogger(__name__)

Key = tuple[str, int]


class SharedFollower:
    """The shared loop of one runner process; `join`/`leave` are called by version threads."""

    def __init__(
        self,
        database_url: str,
        app: Any,
        *,
        page_size: int,
        poll_interval: float,
        stop: threading.Event,
        wait: Callable[[int], int],
    ) -> None:
        self.database_url = database_url
        self.app = app
        self.page_size = page_size
        self.poll_interval = poll_interval
        self._stop = stop
        self._wait = wait
        self._lock = threading.Lock()
        self._members: dict[Key, tuple[VersionStore, threading.Event]] = {}
        # The position each member is at after the loop's own last commit (see `round`).
        self._positions: dict[Key, int] = {}
        self._reader = PageReader(with_keys=decrypts(app.mapper))

    @property
    def members(self) -> set[Key]:
        """The versions the shared loop currently follows."""
        with self._lock:
            return set(self._members)

    def join(self, key: Key, store: VersionStore) -> threading.Event:
        """Follow `key` here from now on; the returned event is set when the loop hands the
        version back to its own thread (which then catches it up itself)."""
        ejected = threading.Event()
        with self._lock:
            self._members[key] = (store, ejected)
            self._positions.pop(key, None)  # its own thread moved it: read it again
        return ejected

    def leave(self, key: Key) -> None:
        """Stop following `key` here (its thread lost its lock session or the version ended)."""
        with self._lock:
            member = self._members.pop(key, None)
            self._positions.pop(key, None)
        if member is not None:
            member[1].set()

    def _eject(self, keys: list[Key]) -> None:
        for key in keys:
            self.leave(key)

    def run(self) -> None:
        """Follow until the runner stops; reconnect on connection errors."""
        seen = 0
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self.database_url,
                    autocommit=True,
                    application_name=f"projection shared loop pid={os.getpid()}",
                ) as conn:
                    while not self._stop.is_set():
                        if not self.round(conn):
                            seen = self._wait(seen)
            except psycopg.Error as exc:
                log.warning("shared projection loop reconnecting: %s", exc)
                self._eject(list(self.members))
                self._stop.wait(self.poll_interval)

    def round(self, conn: psycopg.Connection[Any]) -> bool:
        """Apply one page to each group of members at the same position; True when any moved."""
        with self._lock:
            members = {key: member[0] for key, member in self._members.items()}
            positions = {k: p for k, p in self._positions.items() if k in members}
            self._positions = dict(positions)
        if not members:
            return False
        if len(positions) < len(members):
            self._read_positions(conn, members, positions)
        groups: dict[int, list[Key]] = {}
        for key, at in positions.items():
            groups.setdefault(at, []).append(key)
        moved = False
        for position, keys in groups.items():
            try:
                last = self._commit_group(conn, {k: members[k] for k in keys}, position)
            except psycopg.OperationalError:
                self._eject(keys)
                raise
            except Exception as exc:
                # Hand the whole group back: each thread redoes its page on its own, where a
                # failing event is quarantined and a conflict ends in standing by.
                log.info("shared projection page at %s handed back (%s): %s", position, keys, exc)
                self._eject(keys)
                continue
            if last is not None:
                moved = True
                with self._lock:
                    for key in keys:
                        if key in self._members:
                            self._positions[key] = last
        return moved

    def _read_positions(
        self, conn: psycopg.Connection[Any], members: dict[Key, VersionStore], out: dict[Key, int]
    ) -> None:
        """The catalogue's positions of members the loop has not committed for yet (new ones).
        Afterwards the loop trusts its own commits: anything that moves a position elsewhere, or
        retires or fails a version, makes the next compare-and-set fail, which ejects it."""
        for info in read_versions(conn):
            key = (info.name, info.version)
            if key not in members or key in out:
                continue
            if info.state not in FOLLOWED or info.failed:
                self.leave(key)
                continue
            out[key] = info.position
            with self._lock:
                if key in self._members:
                    self._positions[key] = info.position

    def _commit_group(
        self, conn: psycopg.Connection[Any], stores: dict[Key, VersionStore], position: int
    ) -> int | None:
        """Apply the page after `position` to every store; the new position (None: no page)."""
        page = self._reader.read(conn, position, self.page_size)
        if not page:
            return None
        mapper = page_mapper(self.app.mapper, page.keys)
        decoded: list[Event] = []
        for n in page.notifications:
            if any(store.projector.wants(n.topic) for store in stores.values()):
                try:
                    domain_event = mapper.to_domain_event(n)
                except Exception as exc:
                    raise ProjectionError(n.id, n.topic, exc) from exc
                decoded.append(Event(n.id, n.topic, domain_event))
        last = page.last
        caught_up = len(page) < self.page_size
        # One pipeline for the whole transaction: BEGIN, every member's compare-and-set and row
        # loads travel together; one sync brings their results; then every member's writes and
        # notification and the COMMIT travel together.
        members = list(stores.values())
        with conn.pipeline() as pipeline, conn.transaction():
            advanced = advance_all(
                conn, members, expected=position, position=last, caught_up=caught_up
            )
            pending = [
                (
                    store,
                    store.begin(
                        conn,
                        [e for e in decoded if store.projector.wants(e.topic)],
                        expected=position,
                        position=last,
                        caught_up=caught_up,
                        advance=False,
                    ),
                )
                for store in members
            ]
            pipeline.sync()
            check_advanced(advanced, members, position)
            changes = [(store, store.finish(p)) for store, p in pending]
            for store, change in changes:
                store.write(conn, change, last, notify=False)
            notify_all(conn, members, last)
        return last
