"""Upserting reference data (EDAM terms, SPDX licences) into their versioned tables.

Reference data does not come from events: it is loaded from pip-installed packages into plain
tables whose DDL lives in `schema/ddl/<name>/v<N>.sql`. One load is one transaction: the DDL is
applied (idempotent), rows are added or updated only where something differs, and rows that left
the source are flagged (obsolete or deprecated), never deleted. The load's transaction NOTIFYs
`REFERENCE_CHANNEL`, so the catalogue cached by every web process on every host is read again.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from projections.reference_catalog import REFERENCE_CHANNEL

__all__ = ["LoadSummary", "Progress", "apply_ddl", "upsert_rows"]

#: Called as ``progress(done, total)`` while rows are written.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LoadSummary:
    """What one load did: rows in the source, rows added, source rows whose values changed, rows
    newly flagged obsolete (EDAM) or deprecated (SPDX), whether by the source or because they left
    it, and the source's version."""

    total: int
    added: int
    updated: int
    newly_obsolete: int
    version: str


def ddl_text(name: str, version: int) -> str:
    """The DDL file `schema/ddl/<name>/v<version>.sql`."""
    resource = importlib.resources.files("schema").joinpath(f"ddl/{name}/v{version}.sql")
    return resource.read_text(encoding="utf-8")


def apply_ddl(conn: psycopg.Connection[Any], name: str, version: int) -> None:
    """Create the table version (and its stable view, if absent); a no-op when present."""
    # Two loaders starting at once must not race on CREATE TABLE IF NOT EXISTS.
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"ddl:{name}_v{version}",))
    conn.execute(ddl_text(name, version).encode())


def upsert_rows(
    conn: psycopg.Connection[Any],
    *,
    table: str,
    key: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    flag: str,
    version: str,
    progress: Progress | None = None,
) -> LoadSummary:
    """Upsert `rows` (values in `columns` order) into `table` by `key`, then set `flag` on every
    row whose key is not in `rows`. Runs inside the caller's transaction. `progress(done,
    total)` is called as rows are sent."""
    ident = sql.Identifier
    cols = sql.SQL(", ").join(map(ident, columns))
    tbl, tmp, key_id, flag_id = ident(table), ident(f"_load_{table}"), ident(key), ident(flag)

    current_before = {
        r[0]
        for r in conn.execute(
            sql.SQL("SELECT {} FROM {} WHERE NOT {}").format(key_id, tbl, flag_id)
        ).fetchall()
    }
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(tmp, tbl)
    )
    with conn.cursor() as cur:
        with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(tmp, cols)) as copy:
            for done, row in enumerate(rows, start=1):
                copy.write_row(row)
                if progress is not None:
                    progress(done, len(rows))
        non_key = [c for c in columns if c != key]
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = EXCLUDED.{}").format(ident(c), ident(c)) for c in non_key
        )
        # Only rows that really differ are written, so `updated` counts real changes.
        changed = sql.SQL("({}) IS DISTINCT FROM ({})").format(
            sql.SQL(", ").join(sql.SQL("{}.{}").format(tbl, ident(c)) for c in non_key),
            sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(ident(c)) for c in non_key),
        )
        outcome = cur.execute(
            sql.SQL(
                "INSERT INTO {tbl} ({cols}) SELECT {cols} FROM {tmp} "
                "ON CONFLICT ({key}) DO UPDATE SET {assign} WHERE {changed} "
                "RETURNING (xmax = 0)"
            ).format(tbl=tbl, cols=cols, tmp=tmp, key=key_id, assign=assignments, changed=changed)
        ).fetchall()
        added = sum(1 for (inserted,) in outcome if inserted)
        updated = len(outcome) - added
        cur.execute(
            sql.SQL(
                "UPDATE {tbl} SET {flag} = true "
                "WHERE NOT {flag} AND {key} NOT IN (SELECT {key} FROM {tmp})"
            ).format(tbl=tbl, flag=flag_id, key=key_id, tmp=tmp)
        )
        flagged_now = {
            r[0]
            for r in cur.execute(
                sql.SQL("SELECT {} FROM {} WHERE {}").format(key_id, tbl, flag_id)
            ).fetchall()
        }
        cur.execute(sql.SQL("DROP TABLE {}").format(tmp))
        # Delivered at commit: every process's cached catalogue is read again (all hosts).
        cur.execute("SELECT pg_notify(%s, %s)", (REFERENCE_CHANNEL, table))
    return LoadSummary(
        total=len(rows),
        added=added,
        updated=updated,
        newly_obsolete=len(current_before & flagged_now),
        version=version,
    )
