"""The projection runner (`registry project`): follows the log for every projection version.

One thread per version the code declares and the catalogue lists as building, live or standby
(and not failed). A thread is active only while it holds that version's session-level advisory
lock on a dedicated connection, so any number of runner processes on any number of hosts can run:
one is active per version, the others retry the lock every `lock_retry` seconds and take over
within about that long once the active one dies (its connection closes, the lock is released).
Even if two ever believed they were active, the position compare-and-set makes the second commit
fail instead of applying anything twice.

Active threads wake on the eventsourcing NOTIFY sent with every insert into the events table and
poll at least every `poll_interval` seconds, so a lost notification cannot stall them.

A thread whose version has caught up with the log hands the following to the runner's shared
loop (`projections.shared`, with `shared=True`, the default): one page read, one decode and one
transaction for all caught-up versions instead of one each. The thread keeps its lock session,
re-checks the catalogue every `poll_interval` and takes the version back when the loop ejects it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Any

import psycopg

from projections.catalogue import (
    FOLLOWED,
    CatalogueError,
    State,
    live_of,
    plan_promote,
    read_versions,
)
from projections.follow import catch_up, release
from projections.projector import Projector
from projections.quarantine import keys_of, requested
from projections.shared import SharedFollower
from projections.store import PositionConflict, VersionStore
from projections.versions import EVENTS_TABLE, ensure_declared, lock_key, switch

log = logging.getLogger(__name__)


class Runner:
    """Runs every declared projection version; `auto_promote` also creates missing versions and
    promotes a newer version as soon as it has caught up (`REGISTRY_AUTO_PROMOTE`).

    `app` is the upstream eventsourcing application (default: `open_registry(database_url)`, with
    CREATE_TABLE=n) and `projectors` the declared versions (default: `PROJECTORS`)."""

    def __init__(
        self,
        database_url: str,
        app: Any = None,
        projectors: Sequence[type[Projector]] | None = None,
        *,
        auto_promote: bool = False,
        page_size: int = 5000,
        poll_interval: float = 1.0,
        lock_retry: float = 1.0,
        shared: bool = True,
    ) -> None:
        self.database_url = database_url
        if app is None:
            from projections.eventstore import open_registry

            app = open_registry(database_url)
        if projectors is None:
            from projections.projectors import PROJECTORS

            projectors = PROJECTORS
        self.app = app
        self.projectors = {(p.name, p.version): p for p in projectors}
        self.auto_promote = auto_promote
        self.page_size = page_size
        self.poll_interval = poll_interval
        self.lock_retry = lock_retry
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._generation = 0
        self._workers: dict[tuple[str, int], threading.Thread] = {}
        self._active: set[tuple[str, int]] = set()
        # Versions with quarantined rows an operator asked to retry or skip (the supervisor
        # reads them every `lock_retry`; the version's thread releases them).
        self._requested: set[tuple[str, int]] = set()
        self._threads: list[threading.Thread] = []
        self.shared = (
            SharedFollower(
                database_url,
                app,
                page_size=page_size,
                poll_interval=poll_interval,
                stop=self._stop,
                wait=self._wait,
            )
            if shared
            else None
        )

    @property
    def active(self) -> set[tuple[str, int]]:
        """The (name, version) pairs this runner is currently the active runner of."""
        return set(self._active)

    def start(self) -> None:
        """Start the listener and supervisor threads."""
        targets = [(self._listen, "listen"), (self._supervise, "supervise")]
        if self.shared is not None:
            targets.append((self.shared.run, "shared"))
        for target, name in targets:
            thread = threading.Thread(target=target, name=f"projections-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Ask every thread to stop and wait for them (locks are released with the sessions)."""
        self._stop.set()
        self._wake()
        for thread in [*self._threads, *self._workers.values()]:
            thread.join(timeout=10)

    def run_forever(self) -> None:
        """Start, then block until `stop()` is called from another thread or a signal handler."""
        self.start()
        self._stop.wait()
        self.stop()

    def _wake(self) -> None:
        with self._cond:
            self._generation += 1
            self._cond.notify_all()

    def _wait(self, seen: int) -> int:
        with self._cond:
            self._cond.wait_for(
                lambda: self._generation != seen or self._stop.is_set(), self.poll_interval
            )
            return self._generation

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.database_url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {EVENTS_TABLE}")
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self._wake()
            except psycopg.Error as exc:
                log.warning("event listener reconnecting: %s", exc)
                self._stop.wait(self.poll_interval)

    def _supervise(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.database_url, autocommit=True) as conn:
                    while not self._stop.is_set():
                        self._spawn(conn)
                        self._stop.wait(self.lock_retry)
            except psycopg.Error as exc:
                log.warning("projection supervisor reconnecting: %s", exc)
                self._stop.wait(self.poll_interval)

    def _spawn(self, conn: psycopg.Connection[Any]) -> None:
        self._requested = requested(conn)
        if self.auto_promote:
            ensure_declared(conn, list(self.projectors.values()))
        for info in read_versions(conn):
            key = (info.name, info.version)
            if key not in self.projectors or info.state not in FOLLOWED or info.failed:
                continue
            worker = self._workers.get(key)
            if worker is None or not worker.is_alive():
                worker = threading.Thread(
                    target=self._work, args=(key,), name=f"projection-{key[0]}-v{key[1]}"
                )
                worker.daemon = True
                self._workers[key] = worker
                worker.start()

    def _work(self, key: tuple[str, int]) -> None:
        """Compete for the version's lock; while holding it, follow the log (and release its
        quarantined rows when an operator asks). Returns when the version is retired, marked
        failed or no longer followed, or the runner stops."""
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self.database_url,
                    autocommit=True,
                    application_name=f"projection {key[0]} v{key[1]} pid={os.getpid()}",
                ) as lock_conn:
                    # Standing by keeps this one session open and retries the lock on it.
                    while not self._stop.is_set():
                        row = lock_conn.execute(
                            "SELECT pg_try_advisory_lock(%s)", (lock_key("projection", *key),)
                        ).fetchone()
                        if row and row[0]:
                            self._active.add(key)
                            try:
                                if not self._follow(key, lock_conn):
                                    return
                            finally:
                                self._active.discard(key)
                        self._stop.wait(self.lock_retry)
            except PositionConflict as exc:
                log.warning("%s lost a race, standing by: %s", key, exc)
            except psycopg.Error as exc:
                log.warning("%s runner reconnecting: %s", key, exc)
            except Exception:
                log.exception("%s runner crashed; restarting it", key)
            self._stop.wait(self.lock_retry)

    def _follow(self, key: tuple[str, int], lock_conn: psycopg.Connection[Any]) -> bool:
        """Follow while active; False when the version should no longer be followed."""
        store = VersionStore(self.projectors[key]())
        # The session that holds the advisory lock also does the work: a session-level lock
        # outlives the transactions run on it, and one connection per followed version (not two)
        # keeps a runner of many versions within a server's connection limit.
        conn = lock_conn
        store.quarantined = keys_of(conn, *key)
        seen = self._generation
        while not self._stop.is_set():
            versions = read_versions(conn, key[0])
            info = next((v for v in versions if v.version == key[1]), None)
            if info is None or info.state not in FOLLOWED or info.failed:
                return False
            if key in self._requested:
                self._requested.discard(key)
                outcome = release(conn, store, self.app)
                log.warning("%s v%s quarantine released: %s", key[0], key[1], outcome)
            building = info.built_at is None
            position = catch_up(
                conn,
                store,
                self.app,
                position=info.position,
                page_size=self.page_size,
                bulk=building,
                should_stop=self._stop.is_set,
            )
            if self.auto_promote and self._should_promote(info, versions):
                try:
                    switch(conn, key[0], lambda vs: (key[1], plan_promote(vs, key[1])), timeout=5)
                    log.info("auto-promoted %s v%s at %s", key[0], key[1], position)
                except CatalogueError as exc:
                    log.warning("auto-promote of %s deferred: %s", key, exc)
            if self._stop.is_set():
                break
            if self.shared is not None and not building:
                # `catch_up` returns only after a short page: the version has caught up, even if
                # it moved. Under a steady write load a page is rarely empty, so waiting for one
                # (as before) kept every version on its own page read, decode and transaction.
                if not self._follow_shared(key, store, conn):
                    return False
            elif position == info.position:
                seen = self._wait(seen)
        return True

    def _follow_shared(
        self, key: tuple[str, int], store: VersionStore, conn: psycopg.Connection[Any]
    ) -> bool:
        """Let the shared loop follow the caught-up version until it hands it back (True) or
        the version should no longer be followed (False). Checking the catalogue on the lock
        session every `poll_interval` also notices a lost session, which ends the membership."""
        assert self.shared is not None
        ejected = self.shared.join(key, store)
        try:
            while not self._stop.is_set() and not ejected.wait(self.poll_interval):
                versions = read_versions(conn, key[0])
                info = next((v for v in versions if v.version == key[1]), None)
                if info is None or info.state not in FOLLOWED or info.failed:
                    return False
                if self.auto_promote and self._should_promote(info, versions):
                    return True
                if key in self._requested:  # released by this thread, outside the loop
                    return True
            return True
        finally:
            self.shared.leave(key)

    @staticmethod
    def _should_promote(info: Any, versions: Sequence[Any]) -> bool:
        live = live_of(versions)
        return (
            info.state is State.BUILDING
            and info.promoted_at is None
            and (live is None or live.version < info.version)
        )
