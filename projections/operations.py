"""The operations the CLI offers: `migrate`, `status`, `check`, `ddl`, `rebuild`, `promote`,
`rollback`, `retire`, and the `readiness` check of the web process.

Every function takes the database URL and, optionally, the projectors the code declares (default:
`projections.projectors.PROJECTORS`) and the factory of the upstream application (default:
`projections.eventstore.open_registry`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from projections.catalogue import (
    FOLLOWED,
    CatalogueError,
    State,
    max_position,
    plan_promote,
    plan_rollback,
    read_versions,
)
from projections.eventstore import open_registry
from projections.follow import ProgressCallback, VersionFailed, catch_up
from projections.projector import Projector
from projections.quarantine import counts as quarantine_counts
from projections.quarantine import keys_of as quarantine_keys
from projections.store import VersionStore
from projections.support import migrate_support
from projections.versions import (
    EVENTS_TABLE,
    MIGRATE_LOCK,
    ensure_declared,
    ensure_version,
    lock_key,
    promote_newest_on_empty_log,
    retire_version,
    switch,
)

AppFactory = Callable[..., Any]
"""Called as `factory(database_url, create_tables=bool)`; returns an eventsourcing Application."""


def _declared(projectors: Sequence[type[Projector]] | None) -> list[type[Projector]]:
    if projectors is None:
        from projections.projectors import PROJECTORS

        projectors = PROJECTORS
    return sorted(projectors, key=lambda p: (p.name, p.version))


def _projector(
    projectors: Sequence[type[Projector]] | None, name: str, version: int
) -> type[Projector]:
    for projector in _declared(projectors):
        if (projector.name, projector.version) == (name, version):
            return projector
    raise CatalogueError(f"the code declares no projection {name} v{version}")


def migrate(
    database_url: str,
    *,
    projectors: Sequence[type[Projector]] | None = None,
    app_factory: AppFactory = open_registry,
) -> None:
    """Create the event store, the support tables (`projections.support`: the catalogue, the
    dead letters, subject keys, key usage, idempotency records, the follower's position), and
    the read tables the
    declared versions need (`versions.ensure_declared`): on a fresh database only the newest
    version of each projection, live at once; on an existing one the newer versions, building,
    while the live version keeps serving until promoted. On an empty event log the newest
    versions are made live whatever the catalogue says (`versions.promote_newest_on_empty_log`).
    Idempotent; safe to run twice, also concurrently (an advisory lock serialises it)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK,))
        try:
            app = app_factory(database_url, create_tables=True)
            app.close()
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK,))
        migrate_support(conn)
        declared = _declared(projectors)
        ensure_declared(conn, declared)
        promote_newest_on_empty_log(conn, declared)


@dataclass(frozen=True)
class VersionStatus:
    """One line of `status`."""

    name: str
    version: int
    state: str
    position: int
    head: int
    declared: bool
    built_at: datetime | None
    promoted_at: datetime | None
    failed_at: datetime | None
    error: str | None
    #: Rows set aside by events the version could not apply (`projections.quarantine`).
    quarantined: int = 0

    @property
    def lag(self) -> int:
        """Notifications between this version's position and the log's head."""
        return max(0, self.head - self.position)

    @property
    def live(self) -> bool:
        """Whether readers are served by this version."""
        return self.state == State.LIVE.value


def status(
    database_url: str, *, projectors: Sequence[type[Projector]] | None = None
) -> list[VersionStatus]:
    """Every projection version in the catalogue (and, as state `missing`, those the code
    declares that `migrate` would create), with positions and lag against
    `max(notification_id)`."""
    declared = {(p.name, p.version) for p in _declared(projectors)}
    with psycopg.connect(database_url, autocommit=True) as conn:
        try:
            head = max_position(conn, EVENTS_TABLE)
            versions = read_versions(conn)
            held = quarantine_counts(conn)
        except psycopg.errors.UndefinedTable:  # not migrated yet: everything is missing
            head, versions, held = 0, [], {}
    result = [
        VersionStatus(
            v.name,
            v.version,
            v.state.value,
            v.position,
            head,
            (v.name, v.version) in declared,
            v.built_at,
            v.promoted_at,
            v.failed_at,
            v.error,
            held.get((v.name, v.version), 0),
        )
        for v in versions
    ]
    newest_known: dict[str, int] = {}
    for v in versions:
        newest_known[v.name] = max(newest_known.get(v.name, 0), v.version)
    newest_declared: dict[str, int] = {}
    for name, version in declared:
        newest_declared[name] = max(newest_declared.get(name, 0), version)
    for name, version in sorted(declared):
        # Missing: what `migrate` would create (older declared versions it never creates).
        if version <= newest_known.get(name, newest_declared[name] - 1):
            continue
        result.append(
            VersionStatus(name, version, "missing", 0, head, True, None, None, None, None)
        )
    return sorted(result, key=lambda s: (s.name, s.version))


def check(
    database_url: str, *, projectors: Sequence[type[Projector]] | None = None, max_lag: int = 0
) -> list[str]:
    """Problems that make the deployment not what the code expects (empty when all is well):
    the newest declared version of each projection must be live, caught up (lag <= `max_lag`)
    and not failed, and no followed version may be failed."""
    lines = status(database_url, projectors=projectors)
    problems = [
        f"{s.name} v{s.version} failed: {s.error}"
        for s in lines
        if s.failed_at is not None and s.state in FOLLOWED
    ]
    problems += [
        f"{s.name} v{s.version}: {s.quarantined} row(s) quarantined"
        " (registry projections quarantine list)"
        for s in lines
        if s.quarantined
    ]
    newest: dict[str, int] = {}
    for projector in _declared(projectors):
        newest[projector.name] = max(newest.get(projector.name, 0), projector.version)
    by_key = {(s.name, s.version): s for s in lines}
    for name, version in sorted(newest.items()):
        line = by_key[(name, version)]
        if line.state == "missing":
            problems.append(f"{name} v{version} does not exist yet: run migrate")
        elif not line.live:
            problems.append(f"{name} v{version} is {line.state}, not live (lag {line.lag})")
        elif line.lag > max_lag:
            problems.append(f"{name} v{version} is live but {line.lag} events behind")
    return problems


def readiness(
    database_url: str, *, projectors: Sequence[type[Projector]] | None = None
) -> list[str]:
    """Problems that should make a process report not-ready: a projection the code declares
    with no live version, or a live version that failed (its dead letter stopped it)."""
    lines = status(database_url, projectors=projectors)
    problems = [f"{s.name} v{s.version} failed: {s.error}" for s in lines if s.live and s.failed_at]
    live = {s.name for s in lines if s.live}
    problems += [
        f"{name} has no live version"
        for name in sorted({p.name for p in _declared(projectors)})
        if name not in live
    ]
    return problems


def ddl(name: str, version: int, *, projectors: Sequence[type[Projector]] | None = None) -> str:
    """The DDL of one projection version (the file `schema/ddl/<name>/v<N>.sql`)."""
    return _projector(projectors, name, version).ddl_path().read_text()


def rebuild(
    database_url: str,
    name: str,
    version: int,
    *,
    progress: ProgressCallback | None = None,
    reset: bool = False,
    page_size: int = 5000,
    projectors: Sequence[type[Projector]] | None = None,
    app_factory: AppFactory = open_registry,
) -> int:
    """Build (or resume building) a version by batched replay until it has caught up; return its
    position. Creates the version if missing and clears a failure (so a fixed projector resumes at
    the event that stopped it). `reset=True` first empties a non-live version to start from zero.
    If a runner is already active on the version, reports its progress until it catches up.
    An event the projector cannot apply quarantines its rows (`projections.quarantine`);
    `reset=True` also forgets the version's quarantined rows."""
    projector = _projector(projectors, name, version)
    with psycopg.connect(database_url, autocommit=True) as conn:
        ensure_version(conn, projector)
        with conn.transaction():
            info = next(
                v for v in read_versions(conn, name, for_update=True) if v.version == version
            )
            if info.state is State.RETIRED:
                raise CatalogueError(f"{name} v{version} is retired")
            if reset and info.state is State.LIVE:
                raise CatalogueError(f"{name} v{version} is live; it cannot be reset")
            if reset:
                for table in info.tables:
                    conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table)))
                for support in ("projection_quarantine", "projection_held_events"):
                    conn.execute(
                        sql.SQL("DELETE FROM {} WHERE name = %s AND version = %s").format(
                            sql.Identifier(support)
                        ),
                        (name, version),
                    )
            conn.execute(
                "UPDATE projection_versions SET failed_at = NULL, error = NULL,"
                " position = CASE WHEN %s THEN 0 ELSE position END,"
                " built_at = CASE WHEN %s THEN NULL ELSE built_at END"
                " WHERE name = %s AND version = %s",
                (reset, reset, name, version),
            )
        locked = conn.execute(
            "SELECT pg_try_advisory_lock(%s)", (lock_key("projection", name, version),)
        ).fetchone()
        if not (locked and locked[0]):
            return _watch(conn, name, version, progress)
        app = app_factory(database_url, create_tables=False)
        try:
            position = next(v for v in read_versions(conn, name) if v.version == version).position
            store = VersionStore(projector())
            store.quarantined = quarantine_keys(conn, name, version)
            return catch_up(
                conn,
                store,
                app,
                position=position,
                page_size=page_size,
                bulk=True,
                progress=progress,
                head=max_position(conn, EVENTS_TABLE),
            )
        finally:
            app.close()


def _watch(
    conn: psycopg.Connection[Any], name: str, version: int, progress: ProgressCallback | None
) -> int:
    from projections.follow import Progress

    started, first = time.monotonic(), None
    head = max_position(conn, EVENTS_TABLE)  # fixed: under steady writes "lag 0" may never occur
    while True:
        info = next(v for v in read_versions(conn, name) if v.version == version)
        first = info.position if first is None else first
        if progress is not None:
            elapsed = time.monotonic() - started
            progress(Progress(name, version, info.position, head, info.position - first, elapsed))
        if info.failed:
            raise VersionFailed(f"{name} v{version} failed: {info.error}")
        if info.position >= head:
            return info.position
        time.sleep(0.5)


def promote(database_url: str, name: str, version: int, *, timeout: float = 5.0) -> None:
    """Point the view(s) of `name` at `version` in one short transaction once it has caught up
    (waiting up to `timeout` s for its runner); raises `CatalogueError` otherwise."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        switch(conn, name, lambda vs: (version, plan_promote(vs, version)), timeout=timeout)


def rollback(database_url: str, name: str, *, timeout: float = 5.0) -> int:
    """Point the view(s) of `name` back at the previously live version; return its number."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        return switch(conn, name, plan_rollback, timeout=timeout)


def retire(database_url: str, name: str, version: int, *, timeout: float = 5.0) -> None:
    """Drop an old version's tables and mark it retired; never the live version."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        retire_version(conn, name, version, timeout)
