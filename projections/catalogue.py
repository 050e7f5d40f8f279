"""The projection catalogue: every version of every projection, its state and its position.

States: `building` (created, being built or following, never served), `live` (the view points
at it; at most one per name), `standby` (was live, still followed so `rollback` is instant),
`retired` (tables dropped). A failure (`failed_at`, `error`) is orthogonal to the state: a failed
version keeps its state and stops until a fix and `rebuild` clear it.

The transition rules are pure functions over `VersionInfo` lists, unit-tested without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import psycopg
from psycopg.rows import dict_row


class State(StrEnum):
    """The lifecycle state of one projection version."""

    BUILDING = "building"
    LIVE = "live"
    STANDBY = "standby"
    RETIRED = "retired"


FOLLOWED = (State.BUILDING, State.LIVE, State.STANDBY)
"""States whose versions runners keep following."""


class CatalogueError(Exception):
    """Raised when an operation is not allowed in the catalogue's current state."""


@dataclass(frozen=True)
class VersionInfo:
    """One catalogue row."""

    name: str
    version: int
    state: State
    position: int
    tables: tuple[str, ...] = ()
    created_at: datetime | None = None
    built_at: datetime | None = None
    promoted_at: datetime | None = None
    retired_at: datetime | None = None
    failed_at: datetime | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        """Whether a dead letter stopped this version."""
        return self.failed_at is not None


def live_of(versions: Sequence[VersionInfo]) -> VersionInfo | None:
    """The live version among `versions`, if any."""
    return next((v for v in versions if v.state is State.LIVE), None)


def _find(versions: Sequence[VersionInfo], version: int) -> VersionInfo:
    for info in versions:
        if info.version == version:
            return info
    raise CatalogueError(f"version {version} is not in the catalogue")


def plan_promote(versions: Sequence[VersionInfo], version: int) -> dict[int, State]:
    """New states for promoting `version`: it becomes live, the current live one standby."""
    target = _find(versions, version)
    if target.state is State.LIVE:
        return {}
    if target.state is State.RETIRED:
        raise CatalogueError(f"{target.name} v{version} is retired")
    if target.failed:
        raise CatalogueError(f"{target.name} v{version} failed: {target.error}")
    plan = {version: State.LIVE}
    current = live_of(versions)
    if current is not None:
        plan[current.version] = State.STANDBY
    return plan


def plan_rollback(versions: Sequence[VersionInfo]) -> tuple[int, dict[int, State]]:
    """The version to go back to (the standby promoted most recently) and the new states."""
    current = live_of(versions)
    if current is None:
        raise CatalogueError("no version is live")
    previous = [v for v in versions if v.state is State.STANDBY and v.promoted_at is not None]
    if not previous:
        raise CatalogueError(f"{current.name} has no previous version to roll back to")
    target = max(previous, key=lambda v: v.promoted_at or datetime.min)
    if target.failed:
        raise CatalogueError(f"{target.name} v{target.version} failed: {target.error}")
    return target.version, {target.version: State.LIVE, current.version: State.STANDBY}


def plan_retire(versions: Sequence[VersionInfo], version: int) -> dict[int, State]:
    """New states for retiring `version`; the live version can never be retired."""
    target = _find(versions, version)
    if target.state is State.LIVE:
        raise CatalogueError(f"{target.name} v{version} is live; promote another version first")
    if target.state is State.RETIRED:
        return {}
    return {version: State.RETIRED}


def _info(row: dict[str, Any]) -> VersionInfo:
    return VersionInfo(
        name=row["name"],
        version=row["version"],
        state=State(row["state"]),
        position=row["position"],
        tables=tuple(row["tables"]),
        created_at=row["created_at"],
        built_at=row["built_at"],
        promoted_at=row["promoted_at"],
        retired_at=row["retired_at"],
        failed_at=row["failed_at"],
        error=row["error"],
    )


def read_versions(
    conn: psycopg.Connection[Any], name: str | None = None, *, for_update: bool = False
) -> list[VersionInfo]:
    """Catalogue rows (of one projection, or all), ordered by name and version."""
    query = "SELECT * FROM projection_versions"
    params: list[Any] = []
    if name is not None:
        query += " WHERE name = %s"
        params.append(name)
    query += " ORDER BY name, version"
    if for_update:
        query += " FOR UPDATE"
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)
        return [_info(r) for r in cur.fetchall()]


def set_states(conn: psycopg.Connection[Any], name: str, plan: dict[int, State]) -> None:
    """Write a transition plan; demotions first so the one-live index never sees two."""
    for version, state in sorted(plan.items(), key=lambda item: item[1] is State.LIVE):
        conn.execute(
            "UPDATE projection_versions SET state = %s,"
            " promoted_at = CASE WHEN %s = 'live' THEN now() ELSE promoted_at END,"
            " retired_at = CASE WHEN %s = 'retired' THEN now() ELSE retired_at END"
            " WHERE name = %s AND version = %s",
            (state.value, state.value, state.value, name, version),
        )


def max_position(conn: psycopg.Connection[Any], events_table: str) -> int:
    """The highest notification id in the event store (0 when it is empty)."""
    row = conn.execute(
        psycopg.sql.SQL("SELECT coalesce(max(notification_id), 0) FROM {}").format(
            psycopg.sql.Identifier(events_table)
        )
    ).fetchone()
    return int(row[0]) if row else 0
