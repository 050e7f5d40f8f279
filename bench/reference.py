"""The physical references: what PostgreSQL does for the same work from plain Python.

Each reference step runs ``concurrency`` threads, each on its own psycopg connection to the same
database with the same (default) connection settings as the registry's pool, sharing a request
count, and records every operation's latency like the HTTP load generator does.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from bench.cluster import connect
from bench.load import StepResult

#: Runs operation number ``i`` on a connection.
Operation = Callable[[psycopg.Connection[Any], int], None]

RAW_TABLE = "bench_raw_inserts"


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
