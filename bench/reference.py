"""The physical references: what PostgreSQL does for the same work from plain Python.

Each reference step runs ``concurrency`` threads, each on its own psycopg connection to the same
database with the same (default) connection settings as the registry's pool, sharing a request
count, and records every operation's latency like the HTTP load generator does.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from bench.cluster import connect
from bench.load import StepResult

#: Runs operation number ``i`` on a connection.
Operation = Callable[[psycopg.Connection[Any], int], None]

RAW_TABLE = "bench_raw_inserts"
MINIMAL_EVENTS = "bench_minimal_events"
MINIMAL_ROWS = "bench_minimal_submissions"


def run_threads(
    database_url: str, operation: Operation, concurrency: int, count: int, *, autocommit: bool
) -> StepResult:
    """Run ``count`` operations on ``concurrency`` threads with one connection each."""
    result = StepResult()
    numbers = itertools.count()
    lock = threading.Lock()
    connections = [connect(database_url, autocommit=autocommit) for _ in range(concurrency)]
    barrier = threading.Barrier(concurrency + 1)

    def worker(conn: psycopg.Connection[Any]) -> None:
        barrier.wait()
        while True:
            with lock:
                i = next(numbers)
            if i >= count:
                return
            t0 = time.perf_counter()
            status = 200
            try:
                operation(conn, i)
            except psycopg.Error as exc:
                status = 0
                if result.first_error is None:
                    result.first_error = repr(exc)
            elapsed = time.perf_counter() - t0
            with lock:
                result.latencies.append(elapsed)
                result.statuses.append(status)

    threads = [threading.Thread(target=worker, args=(c,)) for c in connections]
    try:
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        result.seconds = time.perf_counter() - started
    finally:
        for conn in connections:
            conn.close()
    return result


def create_raw_table(database_url: str) -> None:
    """The bare table of the INSERT+COMMIT reference: a key and a document, no index else."""
    with connect(database_url, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} (id bigserial PRIMARY KEY, doc jsonb NOT NULL)"
        )


def raw_inserts(
    database_url: str, document: dict[str, Any], concurrency: int, count: int
) -> StepResult:
    """Single-row INSERT then COMMIT, ``count`` times on ``concurrency`` connections."""
    statement = f"INSERT INTO {RAW_TABLE} (doc) VALUES (%s)"

    def insert(conn: psycopg.Connection[Any], i: int) -> None:
        conn.execute(statement, (Jsonb({**document, "n": i}),))
        conn.commit()

    return run_threads(database_url, insert, concurrency, count, autocommit=False)


def raw_selects(
    database_url: str,
    statement: str,
    params: Callable[[int], Sequence[Any]],
    concurrency: int,
    count: int,
) -> StepResult:
    """SELECT number ``i`` with ``params(i)`` (all rows fetched), ``count`` times on
    ``concurrency`` connections."""

    def select(conn: psycopg.Connection[Any], i: int) -> None:
        conn.execute(statement, params(i)).fetchall()

    return run_threads(database_url, select, concurrency, count, autocommit=True)


@dataclass(frozen=True)
class MinimalCreate:
    """What the minimal-create reference writes: a registered submission's first event and its
    ``submissions`` row, each under a fresh id."""

    topic: str
    state: bytes
    row: dict[str, Any]


def create_minimal_tables(database_url: str, probe_id: uuid.UUID) -> MinimalCreate:
    """Tables shaped as the event store's and the live ``submissions`` version's (indexes
    included), and the probe submission's first event and row as the template."""
    with connect(database_url, autocommit=True) as conn:
        found = conn.execute(
            "SELECT version FROM projection_versions WHERE name = 'submissions' AND state = 'live'"
        ).fetchone()
        if found is None:
            raise RuntimeError("no live submissions version")
        table = f"submissions_v{int(found[0])}"
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {MINIMAL_EVENTS} (LIKE registry_events INCLUDING ALL)"
        )
        conn.execute(f"CREATE TABLE IF NOT EXISTS {MINIMAL_ROWS} (LIKE {table} INCLUDING ALL)")
        event = conn.execute(
            "SELECT topic, state FROM registry_events WHERE originator_id = %s"
            " ORDER BY originator_version LIMIT 1",
            (probe_id,),
        ).fetchone()
        row = conn.execute(f"SELECT to_jsonb(s) FROM {table} s WHERE s.id = %s", (probe_id,))
        doc = row.fetchone()
    if event is None or doc is None:
        raise RuntimeError("the probe submission has no event or no row")
    return MinimalCreate(str(event[0]), bytes(event[1]), dict(doc[0]))


def minimal_creates(
    database_url: str, template: MinimalCreate, concurrency: int, count: int
) -> StepResult:
    """The SQL a create cannot avoid, ``count`` times on ``concurrency`` connections: the event
    INSERT and the ``submissions`` row upsert in one transaction, pipelined (one round trip).
    No table lock (the registry's event store takes one to keep notification ids in commit
    order), no encryption, no JSON encoding of the event: a floor, not a design."""
    insert_event = (
        f"INSERT INTO {MINIMAL_EVENTS} (originator_id, originator_version, topic, state)"
        " VALUES (%s, 1, %s, %s)"
    )
    upsert_row = (
        f"INSERT INTO {MINIMAL_ROWS} SELECT * FROM jsonb_populate_record(NULL::{MINIMAL_ROWS}, %s)"
        " ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, version = EXCLUDED.version,"
        " updated_at = EXCLUDED.updated_at"
    )

    def create(conn: psycopg.Connection[Any], i: int) -> None:
        new = uuid.uuid4()
        row = {**template.row, "id": str(new), "doc": {**template.row["doc"], "id": str(new)}}
        with conn.pipeline():
            conn.execute(insert_event, (new, template.topic, template.state))
            conn.execute(upsert_row, (Jsonb(row),))
            conn.commit()

    return run_threads(database_url, create, concurrency, count, autocommit=False)
