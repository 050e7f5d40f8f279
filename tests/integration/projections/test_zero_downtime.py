"""Readers querying the stable views never see an error or a partial result while a new version
is rebuilt, promoted and rolled back (repeatedly)."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg

from projections import operations
from tests.integration.projections.helpers import append, head
from tests.integration.projections.toy import CountersV1, CountersV2, open_toy

PROJECTORS = [CountersV1, CountersV2]


def _totals(url: str) -> tuple[Any, ...]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM counters), (SELECT sum(total) FROM counters),"
            " (SELECT count(*) FROM counter_adds)"
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_readers_never_fail_or_see_partial_results_during_rebuild_promote_and_rollback(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=3000, adds=3)
    operations.rebuild(database_url, "counters", 1, projectors=PROJECTORS, app_factory=open_toy)
    want = _totals(database_url)
    some_id = psycopg.connect(database_url).execute("SELECT id FROM counters LIMIT 1").fetchone()
    assert some_id is not None

    stop = threading.Event()
    failures: list[str] = []
    reads = [0]

    def read(prepared: bool) -> None:
        # prepared: psycopg's default (server-side prepared after 5 runs), explicit columns only;
        # otherwise no prepared statements, so `SELECT *` may follow the view's new columns.
        threshold = 0 if prepared else None
        with psycopg.connect(database_url, autocommit=True, prepare_threshold=threshold) as conn:
            while not stop.is_set():
                try:
                    got = tuple(
                        conn.execute(
                            "SELECT (SELECT count(*) FROM counters),"
                            " (SELECT sum(total) FROM counters),"
                            " (SELECT count(*) FROM counter_adds)"
                        ).fetchone()
                        or ()
                    )
                    if got != want:
                        failures.append(f"partial result {got} != {want}")
                    if prepared:
                        row = conn.execute(
                            "SELECT id, label, total FROM counters WHERE id = %s", some_id
                        ).fetchone()
                    else:
                        row = conn.execute(
                            "SELECT * FROM counters WHERE id = %s", some_id
                        ).fetchone()
                    if row is None:
                        failures.append("row vanished")
                    reads[0] += 1
                except psycopg.Error as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")

    readers = [threading.Thread(target=read, args=(i % 2 == 0,)) for i in range(6)]
    for reader in readers:
        reader.start()
    try:
        time.sleep(0.3)
        operations.migrate(database_url, projectors=PROJECTORS, app_factory=open_toy)
        operations.rebuild(
            database_url, "counters", 2, projectors=PROJECTORS, app_factory=open_toy, page_size=997
        )
        for _ in range(5):
            operations.promote(database_url, "counters", 2)
            time.sleep(0.2)
            assert operations.rollback(database_url, "counters") == 1
            time.sleep(0.2)
        operations.promote(database_url, "counters", 2)
        time.sleep(0.3)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert failures == []
    assert reads[0] > 100
    with psycopg.connect(database_url) as conn:
        columns = [c.name for c in conn.execute("SELECT * FROM counters LIMIT 0").description or []]
    assert "adds" in columns
    assert head(database_url) > 0
