"""Shared helpers of the projection integration tests."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from projections import operations
from projections.projector import Event, Projector, Row, RowKey, replay
from projections.store import VersionStore
from tests.integration.projections.toy import Counter, Toy, open_toy

ROOT = Path(__file__).resolve().parents[3]


def append(app: Toy, counters: int, adds: int, *, per_save: int = 100, seed: int = 0) -> None:
    """Append `counters` Created events, `adds` Added events each, and close every 7th."""
    rnd = random.Random(seed)
    for start in range(0, counters, per_save):
        batch = [Counter(f"c{i}") for i in range(start, min(counters, start + per_save))]
        for counter in batch:
            for _ in range(adds):
                counter.add(rnd.choice([1, 2, 5, 10, 100]))
            if rnd.random() < 1 / 7:
                counter.close()
        app.save(*batch)


def upgraded(url: str, live: list[type[Projector]], declared: list[type[Projector]]) -> Toy:
    """A deployment that served `live` and recorded an event, then migrated by a release that
    declares `declared`: its newer versions are building while `live` keeps serving. (On an
    empty log `migrate` would make the newest versions live at once.)"""
    operations.migrate(url, projectors=live, app_factory=open_toy)
    app = open_toy(url)
    app.create("deployed")
    operations.migrate(url, projectors=declared, app_factory=open_toy)
    return app


def events(app: Toy, projector: Projector, stop: int | None = None) -> Iterator[Event]:
    """Every event of the log (up to `stop`) the projector wants, decoded, in order."""
    store = VersionStore(projector)
    position = 0
    while page := app.recorder.select_notifications(
        position, 1000, stop=stop, inclusive_of_start=False
    ):
        yield from store.decode(page, app.mapper)
        position = page[-1].id


def expected(app: Toy, projector: Projector) -> dict[RowKey, Row]:
    """The rows a from-scratch replay produces (pure, in memory)."""
    return replay(projector, events(app, projector))


def actual(url: str, projector: Projector) -> dict[RowKey, Row]:
    """The rows in the version's tables."""
    rows: dict[RowKey, Row] = {}
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        for table in projector.tables:
            cur.execute(f"SELECT * FROM {table.physical(projector.version)}")
            for row in cur.fetchall():
                rows[(table.name, table.key_of(row))] = row
    return rows


def digest(url: str, table: str, order: str) -> tuple[int, str]:
    """Row count and an md5 over the whole content of a table."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY {order}), ''))"
            f" FROM {table} t"
        ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


def position(url: str, name: str, version: int) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT position FROM projection_versions WHERE name = %s AND version = %s",
            (name, version),
        ).fetchone()
    return int(row[0]) if row else -1


def head(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT coalesce(max(notification_id), 0) FROM registry_events"
        ).fetchone()
    assert row is not None
    return int(row[0])


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    """Poll `predicate` until it is truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def start_runner(url: str, versions: str, page_size: int, *extra: str) -> subprocess.Popen[bytes]:
    """A runner process over the toy application (stop it with `kill`)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.projections.run_runner",
            url,
            versions,
            str(page_size),
            *extra,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: a pipe nobody reads would block a chatty runner.
        stderr=tempfile.TemporaryFile(),
    )


def kill(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
    proc.wait(timeout=15)


def active_runner_pids(url: str) -> list[int]:
    """OS pids of the runner processes holding an advisory lock (from their application_name)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()"
        ).fetchall()
    return [int(r[0].rsplit("pid=", 1)[1]) for r in rows if "pid=" in r[0]]
