"""Quarantined rows: what a projection version does with an event it cannot apply.

One bad event must not stop a read table that authentication and every write depend on. So the
version quarantines the rows that event touches and goes on with everything else (the policy is
described in `projections/__init__.py`):

- `projection_quarantine` (DDL: `schema/ddl/projection_quarantine/`) has one entry per
  quarantined row (`row_table`, `row_key`: the key values as JSON), with the row as it was before
  the event (`snapshot`, NULL when there was none), the event that failed and why. An event
  whose rows cannot be worked out (it cannot be decoded, or `keys` failed) quarantines its
  aggregate instead: `row_table` '' and `row_key` [its id].
- `projection_held_events` lists, per version, every event that was not applied because it
  touched a quarantined row: the one that failed, and each later one on those rows.
- `requested` marks entries an operator wants retried (`retry`) or whose failed event should be
  dropped (`skip`); the runner active on the version does it (it is the only writer of its
  tables), or the command itself when no runner is.

Release (`projections.follow.release`): the rows go back to their snapshots, the entries and the
held events are deleted, and the held events (minus skipped ones) are applied again in order, in
one transaction; one that fails again is quarantined again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import psycopg
from psycopg.rows import dict_row

# Entries of a retired version (its tables are gone) are history, not a problem.
_NOT_RETIRED = (
    "JOIN projection_versions v ON v.name = q.name AND v.version = q.version"
    " WHERE v.state <> 'retired'"
)

AGGREGATE = ""
"""The `row_table` of an entry that quarantines a whole aggregate (its rows are unknown)."""

QuarantineKey = tuple[str, str]
"""`(row_table, key as JSON text)` as the runner compares them."""


def key_json(values: Iterable[Any]) -> str:
    """A row key's values as the JSON text entries are compared by (UUIDs as strings)."""
    return orjson.dumps(list(values)).decode()


@dataclass(frozen=True)
class Entry:
    """One quarantined row (or aggregate) of a projection version."""

    name: str
    version: int
    row_table: str
    row_key: list[Any]
    position: int
    topic: str
    originator_id: str | None
    error: str
    quarantined_at: datetime
    requested: str | None

    @property
    def subject(self) -> str:
        """The first key value (a submission's, an owner's or a record's id), as text."""
        return str(self.row_key[0]) if self.row_key else ""


def keys_of(conn: psycopg.Connection[Any], name: str, version: int) -> set[QuarantineKey]:
    """The quarantined rows of one version (empty before the table exists)."""
    try:
        rows = conn.execute(
            "SELECT row_table, row_key FROM projection_quarantine WHERE name = %s AND version = %s",
            (name, version),
        ).fetchall()
    except psycopg.errors.UndefinedTable:
        if not conn.autocommit:
            conn.rollback()
        return set()
    return {(str(table), key_json(key)) for table, key in rows}


def entries(conn: psycopg.Connection[Any], name: str | None = None) -> list[Entry]:
    """Every quarantined row (of one projection, or all), oldest first."""
    query = (
        "SELECT q.name, q.version, q.row_table, q.row_key, q.position, q.topic,"
        " q.originator_id, q.error, q.quarantined_at, q.requested"
        f" FROM projection_quarantine q {_NOT_RETIRED}"
    )
    params: list[Any] = []
    if name is not None:
        query += " AND q.name = %s"
        params.append(name)
    query += " ORDER BY q.position, q.name, q.version, q.row_table, q.row_key"
    try:
        with conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)
            return [Entry(**row) for row in cur.fetchall()]
    except psycopg.errors.UndefinedTable:
        return []


def counts(conn: psycopg.Connection[Any]) -> dict[tuple[str, int], int]:
    """Quarantined rows per (name, version)."""
    try:
        rows = conn.execute(
            f"SELECT q.name, q.version, count(*) FROM projection_quarantine q {_NOT_RETIRED}"
            " GROUP BY q.name, q.version"
        ).fetchall()
    except psycopg.errors.UndefinedTable:
        return {}
    return {(str(n), int(v)): int(c) for n, v, c in rows}


def requested(conn: psycopg.Connection[Any]) -> set[tuple[str, int]]:
    """The versions with entries an operator asked to retry or skip."""
    try:
        rows = conn.execute(
            "SELECT DISTINCT name, version FROM projection_quarantine WHERE requested IS NOT NULL"
        ).fetchall()
    except psycopg.errors.UndefinedTable:
        return set()
    return {(str(n), int(v)) for n, v in rows}
