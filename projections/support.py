"""The support tables: what nothing in the event log fills, created and evolved by `migrate` only.

A read table can be rebuilt from the log, so it changes shape by a new side-by-side version (see
`projections.versions`). A support table holds state that exists nowhere else (the projection
catalogue, the subject keys, idempotency records, the side-effect follower's position), so it
changes by forward-only SQL migrations instead: `schema/ddl/<unit>/v<N>.sql`, applied in order,
each once, in one transaction with its row in `schema_migrations`. A released file is never
edited; a change is the next file (`ALTER TABLE …`).

Why files and a table of applied versions, not a migration tool (Alembic, yoyo, …): the tables
are few and small, their DDL already lives as plain SQL files beside the read tables' DDL, and
`migrate` already serialises schema changes with an advisory lock. What was missing was only the
record of what has been applied; it is one table and one loop. Each unit's `v1.sql` says
`IF NOT EXISTS`: before this existed, the processes created these tables themselves, so an
existing deployment already has them and records `v1` without change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg

from projections.projector import DDL_ROOT
from projections.versions import MIGRATE_LOCK

UNITS: tuple[str, ...] = (
    "projection_versions",
    "projection_dead_letters",
    "projection_quarantine",
    "subject_keys",
    "key_usage",
    "idempotency_keys",
    "worker_tracking",
    "ui_sessions",
    "rate_limit_windows",
    "mail_deliveries",
    "admin_accounts",
    "scheduler_runs",
)
"""Every support unit, in the order a fresh database creates them (`schema/ddl/<unit>/`)."""

RECORD = "schema_migrations"
"""The unit whose table records the applied files (its own `v1.sql` is always run first)."""

_FILE = re.compile(r"^v(\d+)\.sql$")


def files(unit: str, root: Path = DDL_ROOT) -> list[tuple[int, Path]]:
    """`(version, path)` of a unit's DDL files, by version; versions must be 1, 2, … without
    gaps (a gap means a file was renamed or lost, and applying around it would be wrong)."""
    found = sorted(
        (int(match.group(1)), path)
        for path in (root / unit).iterdir()
        if (match := _FILE.match(path.name))
    )
    if [version for version, _ in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"{root / unit}: versions must be v1.sql, v2.sql, … without gaps")
    return found


def migrate_support(
    conn: psycopg.Connection[Any], units: Sequence[str] = UNITS, root: Path = DDL_ROOT
) -> list[tuple[str, int]]:
    """Apply every support DDL file not applied yet, in order; return what was applied.

    Each file runs in its own transaction together with its `schema_migrations` row, under the
    migrate advisory lock: concurrent `migrate` runs apply each file exactly once."""
    applied: list[tuple[str, int]] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        conn.execute((root / RECORD / "v1.sql").read_text())
    for unit in units:
        for version, path in files(unit, root):
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
                done = conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE unit = %s AND version = %s",
                    (unit, version),
                ).fetchone()
                if done:
                    continue
                conn.execute(path.read_text())
                conn.execute(
                    "INSERT INTO schema_migrations (unit, version) VALUES (%s, %s)",
                    (unit, version),
                )
                applied.append((unit, version))
    return applied
