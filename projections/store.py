"""The database side of one projection version: load a batch's rows, write its changes, and move
the tracking position with a compare-and-set, all in one transaction.

The compare-and-set runs first in the transaction, so it also takes the catalogue row's lock: a
second runner that read the same position blocks there and, once the first commits, finds the
position moved and fails with `PositionConflict` before writing anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from projections.projector import (
    Changes,
    Event,
    ProjectionError,
    Projector,
    Row,
    RowKey,
    Table,
    apply_batch,
    changes_of,
    keys_of,
)
from projections.quarantine import AGGREGATE, QuarantineKey, key_json

PROGRESS_CHANNEL = "registry_projection_progress"
"""NOTIFY channel: payload `<name>:<version>:<position>` after each commit (or `<name>:*:0`
after a promote/rollback)."""

_LOAD_CHUNK = 5000


def dumps_json(value: Any) -> bytes:
    """A JSONB value as JSON text: orjson, several times faster than `json.dumps` on documents
    (PostgreSQL stores the same jsonb either way; keys that are not strings become strings, as
    `json.dumps` makes them)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


@dataclass
class Pending:
    """A version's statements sent by `VersionStore.begin`, awaiting `finish`."""

    events: Sequence[Event]
    expected: int
    advance: psycopg.Cursor[Any] | None
    rows: dict[RowKey, Row | None]
    loads: list[tuple[str, psycopg.Cursor[Any]]]


class PositionConflict(Exception):
    """Raised when the stored position moved under us (another runner committed, or the version
    was retired or marked failed meanwhile); the transaction is rolled back."""


class _TableSql:
    """The pre-composed statements of one physical table.

    Two ways to write rows: live pages use one set-based statement per table (the rows as one
    JSON array, typed by the table's own row type); rebuild pages COPY into a temporary stage
    and merge it with one statement.
    """

    def __init__(self, table: Table, version: int) -> None:
        self.table = table
        self.physical = table.physical(version)
        ident = sql.Identifier(self.physical)
        cols = sql.SQL(", ").join(map(sql.Identifier, table.columns))
        keys = sql.SQL(", ").join(map(sql.Identifier, table.key))
        others = [c for c in table.columns if c not in table.key]
        if others:
            action: sql.Composable = sql.SQL("DO UPDATE SET ") + sql.SQL(", ").join(
                sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in others
            )
        else:
            action = sql.SQL("DO NOTHING")
        conflict = sql.SQL(" ON CONFLICT ({}) ").format(keys) + action
        rows = sql.SQL("jsonb_populate_recordset(NULL::{}, %s)").format(ident)
        # Rendered once: psycopg would walk a composed statement again on every execution.
        self.upsert = (
            sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(ident, cols, cols, rows)
            + conflict
        ).as_bytes()
        self.delete = (
            sql.SQL("DELETE FROM {} WHERE ({}) IN (SELECT {} FROM {})").format(
                ident, keys, keys, rows
            )
        ).as_bytes()
        stage = sql.Identifier(f"stage_{self.physical}")
        self.create_stage = (
            sql.SQL(
                "CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {} INCLUDING DEFAULTS)"
                " ON COMMIT DELETE ROWS"
            )
            .format(stage, ident)
            .as_bytes()
        )
        self.copy = sql.SQL("COPY {} ({}) FROM STDIN").format(stage, cols).as_bytes()
        self.merge = (
            sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(ident, cols, cols, stage)
            + conflict
        ).as_bytes()
        key = sql.Identifier(table.key[0])
        # Single-column keys: one `= ANY(array)` statement; composite keys: `IN (VALUES …)`.
        self.select = sql.SQL("SELECT * FROM {} WHERE {} = ANY(%s)").format(ident, key).as_bytes()
        if len(table.key) > 1:
            self.select_in = (
                sql.SQL("SELECT * FROM {} WHERE ({}) IN ").format(ident, keys).as_bytes()
            )
            self.key_tuple = b"(" + b", ".join([b"%s"] * len(table.key)) + b")"
        self._jsonb = [c in table.jsonb for c in table.columns]

    def records(self, rows: Sequence[Row]) -> Jsonb:
        """`rows` as the JSON array `upsert` takes (exactly the table's columns)."""
        columns = self.table.columns
        return Jsonb([{c: row[c] for c in columns} for row in rows], dumps=dumps_json)

    def keys(self, keys: Sequence[tuple[Any, ...]]) -> Jsonb:
        """`keys` as the JSON array `delete` takes."""
        names = self.table.key
        return Jsonb([dict(zip(names, k, strict=True)) for k in keys], dumps=dumps_json)

    def values(self, row: Row) -> list[Any]:
        """`row`'s values in column order, as COPY writes them."""
        return [
            Jsonb(value, dumps=dumps_json) if jsonb and value is not None else value
            for value, jsonb in zip(
                map(row.__getitem__, self.table.columns), self._jsonb, strict=True
            )
        ]


class VersionStore:
    """Reads and writes the tables of one projector version on a caller-supplied connection."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector
        self.name = projector.name
        self.version = projector.version
        self._tables = {t.name: _TableSql(t, projector.version) for t in projector.tables}
        #: The version's quarantined rows as this store knows them (the runner loads them when
        #: it takes the version over; `quarantine` and `release` keep them current).
        self.quarantined: set[QuarantineKey] = set()

    def holds(self, event: Event) -> bool:
        """Whether `event` touches a quarantined row (or aggregate): it is held, not applied."""
        if not self.quarantined:
            return False
        origin = getattr(event.domain_event, "originator_id", None)
        if (AGGREGATE, key_json([origin])) in self.quarantined:
            return True
        return any(
            (table, key_json(key)) in self.quarantined
            for table, key in self.projector.keys(event.domain_event)
        )

    def decode(self, notifications: Sequence[Any], mapper: Any) -> list[Event]:
        """Decode the wanted notifications; an undecodable one raises `ProjectionError`."""
        events = []
        for n in notifications:
            if not self.projector.wants(n.topic):
                continue
            try:
                events.append(Event(n.id, n.topic, mapper.to_domain_event(n)))
            except Exception as exc:
                raise ProjectionError(n.id, n.topic, exc) from exc
        return events

    def commit(
        self,
        conn: psycopg.Connection[Any],
        events: Sequence[Event],
        *,
        expected: int,
        position: int,
        bulk: bool = False,
        caught_up: bool = False,
        advance: bool = True,
    ) -> None:
        """Apply `events` and move the position from `expected` to `position`, atomically
        (`advance=False`: apply only, the position stays; for held events released again;
        `bulk=True`: a rebuild page, written with COPY and committed asynchronously).

        Raises `PositionConflict` (nothing written) when the stored position is not `expected`,
        and `ProjectionError` (nothing written) when the projector fails on an event.
        """
        with conn.transaction():
            if bulk:
                # Safe for a rebuildable view: rows and position commit together, so a crash
                # loses at most a tail of batches that are then replayed.
                conn.execute("SET LOCAL synchronous_commit = off")
            pending = self.begin(
                conn,
                events,
                expected=expected,
                position=position,
                caught_up=caught_up,
                advance=advance,
            )
            self.write(conn, self.finish(pending), position, copy=bulk, notify=advance)

    def begin(
        self,
        conn: psycopg.Connection[Any],
        events: Sequence[Event],
        *,
        expected: int,
        position: int,
        caught_up: bool = False,
        advance: bool = True,
    ) -> Pending:
        """Send the position's compare-and-set and the loads of the rows `events` need, without
        waiting for their results (in pipeline mode, many versions' statements share a trip).
        `advance=False`: the caller moves the position itself (`advance_all`)."""
        cas = (
            conn.execute(
                "UPDATE projection_versions SET position = %s,"
                " built_at = CASE WHEN built_at IS NULL AND %s THEN now() ELSE built_at END"
                " WHERE name = %s AND version = %s AND position = %s"
                " AND state <> 'retired' AND failed_at IS NULL",
                (position, caught_up, self.name, self.version, expected),
            )
            if advance
            else None
        )
        rows: dict[RowKey, Row | None] = {}
        by_table: dict[str, list[tuple[Any, ...]]] = {}
        for table, key in keys_of(self.projector, events) if events else ():
            if (table, key) not in rows:
                rows[(table, key)] = None
                by_table.setdefault(table, []).append(key)
        loads = []
        for table, wanted in by_table.items():
            tsql = self._table(table)
            for start in range(0, len(wanted), _LOAD_CHUNK):
                chunk = wanted[start : start + _LOAD_CHUNK]
                cur = conn.cursor(row_factory=dict_row)
                if len(tsql.table.key) == 1:
                    cur.execute(tsql.select, ([k[0] for k in chunk],))
                else:
                    # Plain bytes: composing a placeholder per key value was 5% of a live page.
                    values = b", ".join([tsql.key_tuple] * len(chunk))
                    cur.execute(
                        tsql.select_in + b"(" + values + b")", [v for k in chunk for v in k]
                    )
                loads.append((table, cur))
        return Pending(events, expected, cas, rows, loads)

    def finish(self, pending: Pending) -> Changes:
        """Check the compare-and-set, collect the loaded rows and apply the events to them."""
        if pending.advance is not None and pending.advance.rowcount != 1:
            raise PositionConflict(
                f"{self.name} v{self.version}: position is no longer {pending.expected}"
            )
        rows = pending.rows
        events = pending.events
        held = [e for e in events if self.holds(e)] if self.quarantined else []
        if held:
            events = [e for e in events if e not in held]
        existing: set[RowKey] = set()
        for table, cur in pending.loads:
            key_of = self._table(table).table.key_of
            with cur:
                for row in cur.fetchall():
                    row_key = (table, key_of(row))
                    if row_key not in rows:
                        raise TypeError(
                            f"{self._table(table).physical}: loaded key {row_key[1]!r} matches no"
                            " requested key; key values must have the type the column loads as"
                        )
                    rows[row_key] = row
                    existing.add(row_key)
        if events:
            apply_batch(self.projector, rows, events)
        changes = changes_of(rows, existing)
        changes.held = [e.position for e in held]
        return changes

    def write(
        self,
        conn: psycopg.Connection[Any],
        changes: Changes,
        position: int,
        *,
        copy: bool = False,
        notify: bool = True,
    ) -> None:
        """Write the changes and send the progress notification of `position`; `copy=True`
        (rebuild pages; not in pipeline mode) writes the rows with COPY; `notify=False`: the
        caller notifies (`notify_all`)."""
        self._write(conn, changes, copy)
        if changes.held:
            conn.execute(
                "INSERT INTO projection_held_events (name, version, position)"
                " SELECT %s, %s, unnest(%s::bigint[]) ON CONFLICT DO NOTHING",
                (self.name, self.version, changes.held),
            )
        if notify:
            conn.execute(
                "SELECT pg_notify(%s, %s)",
                (PROGRESS_CHANNEL, f"{self.name}:{self.version}:{position}"),
            )

    def mark_built(self, conn: psycopg.Connection[Any]) -> None:
        """Record that this version has caught up with the log once (if not recorded yet)."""
        conn.execute(
            "UPDATE projection_versions SET built_at = now()"
            " WHERE name = %s AND version = %s AND built_at IS NULL",
            (self.name, self.version),
        )

    def _write(self, conn: psycopg.Connection[Any], changes: Changes, copy: bool = False) -> None:
        for table, keys in changes.deletes.items():
            tsql = self._table(table)
            conn.execute(tsql.delete, (tsql.keys(keys),))
        for table, rows in changes.upserts.items():
            tsql = self._table(table)
            if copy:
                conn.execute(tsql.create_stage)
                with conn.cursor() as cur:
                    with cur.copy(tsql.copy) as out:
                        for row in rows:
                            out.write_row(tsql.values(row))
                    cur.execute(tsql.merge)
            else:
                conn.execute(tsql.upsert, (tsql.records(rows),))

    def _table(self, name: str) -> _TableSql:
        try:
            return self._tables[name]
        except KeyError:
            raise KeyError(f"{self.name} v{self.version} declares no table {name!r}") from None

    def quarantine(
        self,
        conn: psycopg.Connection[Any],
        *,
        expected: int | None,
        notification: Any,
        keys: Sequence[RowKey],
        error: str,
        traceback: str,
    ) -> None:
        """Quarantine the rows `keys` (`(AGGREGATE, (id,))`: a whole aggregate) for the event
        `notification` that could not be applied, hold the event, record it as a dead letter,
        and move the position from `expected` past it (None: the position stays, for an event
        released again). The rows keep what the projector's `while_quarantined` says; their
        snapshots (the rows before the event) are kept for the release."""
        marked: set[QuarantineKey] = set()
        with conn.transaction():
            if expected is not None:
                cur = conn.execute(
                    "UPDATE projection_versions SET position = %s"
                    " WHERE name = %s AND version = %s AND position = %s"
                    " AND state <> 'retired' AND failed_at IS NULL",
                    (notification.id, self.name, self.version, expected),
                )
                if cur.rowcount != 1:
                    raise PositionConflict(f"{self.name} v{self.version} moved meanwhile")
            for table, key in keys:
                snapshot = None
                if table != AGGREGATE:
                    snapshot = self._set_aside(conn, (table, key))
                conn.execute(
                    "INSERT INTO projection_quarantine (name, version, row_table, row_key,"
                    " snapshot, position, topic, originator_id, originator_version, error,"
                    " traceback) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT DO NOTHING",
                    (
                        self.name,
                        self.version,
                        table,
                        Jsonb(list(key), dumps=dumps_json),
                        snapshot,
                        notification.id,
                        notification.topic,
                        str(notification.originator_id),
                        notification.originator_version,
                        storable(error),
                        storable(traceback),
                    ),
                )
                marked.add((table, key_json(key)))
            conn.execute(
                "INSERT INTO projection_held_events (name, version, position)"
                " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (self.name, self.version, notification.id),
            )
            conn.execute(
                "INSERT INTO projection_dead_letters (name, version, position, topic,"
                " originator_id, originator_version, error, traceback)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    self.name,
                    self.version,
                    notification.id,
                    notification.topic,
                    str(notification.originator_id),
                    notification.originator_version,
                    storable(error),
                    storable(traceback),
                ),
            )
            # Readers re-read the catalogue: positions (waiters move on) and quarantined rows.
            conn.execute("SELECT pg_notify(%s, %s)", (PROGRESS_CHANNEL, f"{self.name}:*:0"))
        self.quarantined |= marked

    def _set_aside(self, conn: psycopg.Connection[Any], key: RowKey) -> Jsonb | None:
        """The row's snapshot (None: no row); the table keeps `while_quarantined`'s row."""
        tsql = self._table(key[0])
        with conn.cursor(row_factory=dict_row) as cur:
            if len(tsql.table.key) == 1:
                cur.execute(tsql.select, ([key[1][0]],))
            else:
                cur.execute(tsql.select_in + b"(" + tsql.key_tuple + b")", list(key[1]))
            row = cur.fetchone()
        kept = self.projector.while_quarantined(key, row)
        if kept is None and row is not None:
            self._write(conn, Changes(deletes={key[0]: [key[1]]}))
        elif kept is not None and kept != row:
            self._write(conn, Changes(upserts={key[0]: [kept]}))
        if row is None:
            return None
        return Jsonb({c: row[c] for c in tsql.table.columns}, dumps=dumps_json)

    def take_quarantine(self, conn: psycopg.Connection[Any]) -> tuple[list[int], set[int]]:
        """In the caller's transaction: put every quarantined row back as it was before its
        event, delete the entries and held events; return the held positions (in order) and
        the positions an operator asked to skip."""
        rows = conn.execute(
            "DELETE FROM projection_quarantine WHERE name = %s AND version = %s"
            " RETURNING row_table, row_key, snapshot, position, requested",
            (self.name, self.version),
        ).fetchall()
        skip = {int(position) for *_, position, wish in rows if wish == "skip"}
        restore = Changes()
        for table, key, snapshot, _, _ in rows:
            if table == AGGREGATE:
                continue
            if snapshot is None:
                restore.deletes.setdefault(table, []).append(tuple(key))
            else:
                restore.upserts.setdefault(table, []).append(snapshot)
        # The keys and snapshots are JSON: the statements type them by the table's row type.
        self._write(conn, restore)
        held = conn.execute(
            "DELETE FROM projection_held_events WHERE name = %s AND version = %s"
            " RETURNING position",
            (self.name, self.version),
        ).fetchall()
        self.quarantined.clear()
        return sorted(int(p) for (p,) in held), skip


def storable(text: str) -> str:
    """`text` as a PostgreSQL text value: the error of an event that carried a NUL character
    may quote it, and a refused error message would stop the version after all."""
    return text.replace("\x00", "\\x00")


def advance_all(
    conn: psycopg.Connection[Any],
    stores: Sequence[VersionStore],
    *,
    expected: int,
    position: int,
    caught_up: bool,
) -> psycopg.Cursor[Any]:
    """Send ONE compare-and-set moving every store's version from `expected` to `position`; its
    rows are the versions it moved (check them with `check_advanced`)."""
    return conn.execute(
        "UPDATE projection_versions v SET position = %s,"
        " built_at = CASE WHEN v.built_at IS NULL AND %s THEN now() ELSE v.built_at END"
        " FROM unnest(%s::text[], %s::int[]) AS m(name, version)"
        " WHERE v.name = m.name AND v.version = m.version AND v.position = %s"
        " AND v.state <> 'retired' AND v.failed_at IS NULL"
        " RETURNING v.name, v.version",
        (
            position,
            caught_up,
            [s.name for s in stores],
            [s.version for s in stores],
            expected,
        ),
    )


def check_advanced(cur: psycopg.Cursor[Any], stores: Sequence[VersionStore], expected: int) -> None:
    """Raise `PositionConflict` unless `advance_all` moved every store's version."""
    moved = {(str(name), int(version)) for name, version in cur.fetchall()}
    stuck = [f"{s.name} v{s.version}" for s in stores if (s.name, s.version) not in moved]
    if stuck:
        raise PositionConflict(f"{', '.join(stuck)}: position is no longer {expected}")


def notify_all(
    conn: psycopg.Connection[Any], stores: Sequence[VersionStore], position: int
) -> None:
    """Send every store's progress notification of `position` in one statement."""
    conn.execute(
        "SELECT pg_notify(%s, p) FROM unnest(%s::text[]) AS p",
        (PROGRESS_CHANNEL, [f"{s.name}:{s.version}:{position}" for s in stores]),
    )
