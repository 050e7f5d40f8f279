"""Creating projection versions and switching the stable views between them.

A switch is `DROP VIEW` + `CREATE VIEW` in one short transaction (a `CREATE OR REPLACE VIEW`
cannot change columns) with a short `lock_timeout`, retried: while it waits for readers, readers
queue behind it, so it must give up quickly and try again rather than stall them. It also locks
the catalogue rows, which pauses the old version's runner for that instant, and only switches when
the target's position is at least the old live version's: a reader never sees the view go back.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from psycopg import sql

from projections.catalogue import (
    CATALOGUE_DDL,
    CatalogueError,
    State,
    VersionInfo,
    live_of,
    max_position,
    read_versions,
    set_states,
)
from projections.projector import Projector
from projections.quarantine import QUARANTINE_DDL
from projections.store import PROGRESS_CHANNEL

EVENTS_TABLE = "registry_events"
"""The Registry application's events table (eventsourcing names it `<app name>_events`); its
name is also the channel eventsourcing NOTIFYs on every insert."""

SWITCH_LOCK_TIMEOUT = "200ms"


def lock_key(*parts: object) -> int:
    """A stable signed 64-bit advisory-lock key for e.g. `("projection", name, version)`."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


MIGRATE_LOCK = lock_key("registry", "migrate")


def create_catalogue(conn: psycopg.Connection[Any]) -> None:
    """Create the catalogue, dead-letter and quarantine tables if they do not exist."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        conn.execute(CATALOGUE_DDL)
        conn.execute(QUARANTINE_DDL)


def ensure_version(
    conn: psycopg.Connection[Any], projector: type[Projector], *, live_if_first: bool = False
) -> bool:
    """Create a version's tables (its DDL file) and catalogue row unless it exists; with
    `live_if_first`, make it live when no version of its projection exists yet. Returns whether
    it created anything. Serialised across processes by an advisory lock."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        versions = read_versions(conn, projector.name)
        if any(v.version == projector.version for v in versions):
            return False
        conn.execute(projector.ddl_path().read_text())
        tables = projector.physical_tables()
        for table in tables:
            found = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
            if found is None or found[0] is None:
                raise CatalogueError(f"{projector.ddl_path()} did not create table {table}")
        conn.execute(
            "INSERT INTO projection_versions (name, version, state, tables)"
            " VALUES (%s, %s, %s, %s)",
            (projector.name, projector.version, State.BUILDING.value, tables),
        )
        if live_if_first and not versions:
            info = VersionInfo(projector.name, projector.version, State.BUILDING, 0, tuple(tables))
            _repoint(conn, info, None)
            set_states(conn, projector.name, {projector.version: State.LIVE})
        return True


def base_of(physical: str) -> str:
    """`biotools_functions_v3` -> `biotools_functions` (the view's name)."""
    return physical.rsplit("_v", 1)[0]


def _repoint(conn: psycopg.Connection[Any], target: VersionInfo, old: VersionInfo | None) -> None:
    bases = {base_of(t): t for t in target.tables}
    for base, physical in bases.items():
        conn.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(sql.Identifier(base)))
        conn.execute(
            sql.SQL("CREATE VIEW {} AS SELECT * FROM {}").format(
                sql.Identifier(base), sql.Identifier(physical)
            )
        )
    for physical in old.tables if old else ():
        if base_of(physical) not in bases:
            conn.execute(
                sql.SQL("DROP VIEW IF EXISTS {}").format(sql.Identifier(base_of(physical)))
            )


class _NotYet(Exception):
    pass


Plan = Callable[[Sequence[VersionInfo]], tuple[int, dict[int, State]]]


def switch(conn: psycopg.Connection[Any], name: str, plan: Plan, *, timeout: float) -> int:
    """Make the version `plan` chooses live once it has caught up; return its number.

    Raises `CatalogueError` when the plan is refused or the target has not caught up within
    `timeout` seconds (position below the log's head as of the call, or below the live version).
    """
    head = max_position(conn, EVENTS_TABLE)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = '{SWITCH_LOCK_TIMEOUT}'")
                versions = read_versions(conn, name, for_update=True)
                if not versions:
                    raise CatalogueError(f"no projection called {name!r} in the catalogue")
                number, states = plan(versions)
                if not states:
                    return number
                target = next(v for v in versions if v.version == number)
                current = live_of(versions)
                floor = max(head, current.position if current else 0)
                if target.position < floor:
                    raise _NotYet(f"{name} v{number} is at {target.position}, not yet at {floor}")
                _repoint(conn, target, current)
                set_states(conn, name, states)
                conn.execute("SELECT pg_notify(%s, %s)", (PROGRESS_CHANNEL, f"{name}:*:0"))
                return number
        except (_NotYet, psycopg.errors.LockNotAvailable) as exc:
            if time.monotonic() > deadline:
                raise CatalogueError(f"refused: {exc}") from exc
            time.sleep(0.05)


def retire_version(conn: psycopg.Connection[Any], name: str, version: int, timeout: float) -> None:
    """Drop a non-live version's tables and mark it retired (its runner stops)."""
    from projections.catalogue import plan_retire

    deadline = time.monotonic() + timeout
    while True:
        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = '{SWITCH_LOCK_TIMEOUT}'")
                versions = read_versions(conn, name, for_update=True)
                states = plan_retire(versions, version)
                if not states:
                    return
                info = next(v for v in versions if v.version == version)
                for physical in info.tables:
                    conn.execute(
                        sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(physical))
                    )
                set_states(conn, name, states)
                conn.execute("SELECT pg_notify(%s, %s)", (PROGRESS_CHANNEL, f"{name}:*:0"))
                return
        except psycopg.errors.LockNotAvailable as exc:
            if time.monotonic() > deadline:
                raise CatalogueError(f"could not lock {name} v{version}: {exc}") from exc
            time.sleep(0.05)
