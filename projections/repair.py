"""Operator commands on quarantined rows (`registry projections quarantine list|retry|skip`).

`retry` asks for every quarantined row of a version to be released (after a fix is deployed:
its held events are applied again, see `projections.follow.release`); `skip` also drops one
event, the one that failed (its position, as `list` shows it), and releases the rest. Only the
holder of the version's lock writes its tables: a request is marked on the entries, the runner
active on the version picks it up within about a second, and the command waits for it. With no
runner running, the command takes the lock and releases the rows itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from projections.catalogue import CatalogueError
from projections.eventstore import open_registry
from projections.follow import Released, release
from projections.projector import Projector
from projections.quarantine import Entry, counts, entries
from projections.store import VersionStore
from projections.versions import lock_key

AppFactory = Callable[..., Any]


@dataclass(frozen=True)
class Outcome:
    """What a `retry`/`skip` achieved: `released` is None when a runner did it (then only the
    rows still quarantined afterwards are known)."""

    released: Released | None
    still_quarantined: int


def listing(database_url: str, name: str | None = None) -> list[Entry]:
    """Every quarantined row (of one projection, or all)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        return entries(conn, name)


def warnings(database_url: str) -> list[str]:
    """One line per projection version with quarantined rows (for readiness and `check`)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        found = counts(conn)
    return [
        f"{name} v{version}: {n} row(s) quarantined (registry projections quarantine list)"
        for (name, version), n in sorted(found.items())
    ]


def retry(
    database_url: str,
    name: str,
    version: int,
    *,
    skip: int | None = None,
    timeout: float = 30.0,
    projectors: Sequence[type[Projector]] | None = None,
    app_factory: AppFactory = open_registry,
) -> Outcome:
    """Release the version's quarantined rows, first dropping the held event at `skip` (a
    position that quarantined rows); raises `CatalogueError` when there is nothing to do."""
    projector = _declared(projectors, name, version)
    with psycopg.connect(database_url, autocommit=True) as conn:
        with conn.transaction():
            marked = conn.execute(
                "UPDATE projection_quarantine SET requested = 'retry'"
                " WHERE name = %s AND version = %s",
                (name, version),
            ).rowcount
            if skip is not None:
                skipped = conn.execute(
                    "UPDATE projection_quarantine SET requested = 'skip'"
                    " WHERE name = %s AND version = %s AND position = %s",
                    (name, version, skip),
                ).rowcount
                if not skipped:
                    raise CatalogueError(f"no row of {name} v{version} waits on event {skip}")
        if not marked:
            raise CatalogueError(f"{name} v{version} has no quarantined rows")
        key = (name, version)
        locked = conn.execute(
            "SELECT pg_try_advisory_lock(%s)", (lock_key("projection", *key),)
        ).fetchone()
        if locked and locked[0]:
            app = app_factory(database_url, create_tables=False)
            try:
                released = release(conn, VersionStore(projector()), app)
            finally:
                app.close()
                conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key("projection", *key),))
            return Outcome(released, released.still_quarantined)
        return Outcome(None, _wait_for_runner(conn, name, version, timeout))


def _wait_for_runner(conn: psycopg.Connection[Any], name: str, version: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE requested IS NOT NULL), count(*)"
            " FROM projection_quarantine WHERE name = %s AND version = %s",
            (name, version),
        ).fetchone()
        waiting, total = (int(row[0]), int(row[1])) if row else (0, 0)
        if waiting == 0:
            return total
        if time.monotonic() > deadline:
            raise CatalogueError(
                f"the runner of {name} v{version} did not take the request within {timeout} s"
            )
        time.sleep(0.2)


def _declared(
    projectors: Sequence[type[Projector]] | None, name: str, version: int
) -> type[Projector]:
    if projectors is None:
        from projections.projectors import PROJECTORS

        projectors = PROJECTORS
    for projector in projectors:
        if (projector.name, projector.version) == (name, version):
            return projector
    raise CatalogueError(f"the code declares no projection {name} v{version}")


__all__ = ["Entry", "Outcome", "listing", "retry", "warnings"]
