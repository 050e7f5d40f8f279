"""Measure a batched rebuild against a raw COPY of as many rows, in one run on one database.

usage: python -m projections.bench_rebuild DATABASE_URL [--events 100000] [--page-size 5000]

The database should be empty (a scratch database): the benchmark appends `--events` events of a
small benchmark aggregate (one `Created` and three `Updated` per item) to `registry_events`,
rebuilds a one-table projection of them (one JSONB document row per item, every event read,
decoded and applied), then COPYs one row per event into a bare table. It prints events/s of both,
their ratio and the peak RSS of the process (flat in the log's length: the log is streamed).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from projections import operations
from projections.eventstore import event_store_env
from projections.projector import Projector, RowKey, Rows, Table

_DDL = tempfile.mkdtemp(prefix="bench_ddl_")


class BenchItem(Aggregate):
    """A benchmark aggregate: created once, updated a few times."""

    @event("Created")
    def __init__(self, label: str) -> None:
        self.label = label

    @event("Updated")
    def update(self, value: int) -> None:
        self.value = value


class BenchApp(Application[UUID]):
    """Writes to `registry_events`, like the real Registry application."""

    name = "registry"


def open_bench(database_url: str, *, create_tables: bool = False, **_: Any) -> BenchApp:
    """The app factory handed to the projection operations."""
    return BenchApp(env=event_store_env(database_url, create_tables=create_tables))


class BenchItems(Projector):
    """One row per item: the label, the last value and the count of updates."""

    name = "bench_items"
    version = 1
    tables = (Table("bench_items", ("id",), ("id", "label", "value", "doc"), frozenset({"doc"})),)

    @classmethod
    def ddl_path(cls) -> Path:
        path = Path(_DDL) / "bench_items_v1.sql"
        path.write_text(
            "CREATE TABLE bench_items_v1 (id uuid CONSTRAINT bench_items_v1_pkey PRIMARY KEY,"
            " label text NOT NULL, value integer, doc jsonb NOT NULL)"
        )
        return path

    def keys(self, event: Any) -> list[RowKey]:
        return [("bench_items", (event.originator_id,))]

    def apply(self, rows: Rows, event: Any, position: int) -> None:
        key: RowKey = ("bench_items", (event.originator_id,))
        if isinstance(event, BenchItem.Created):
            rows[key] = self._created(event, position)
        else:
            row = rows[key]
            assert row is not None
            row["value"] = event.value
            row["doc"]["updates"] += 1

    @staticmethod
    def _created(event: Any, position: int) -> dict[str, Any]:
        return {
            "id": event.originator_id,
            "label": event.label,
            "value": None,
            "doc": {"updates": 0, "created": position},
        }


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(database_url: str, events: int = 100_000, page_size: int = 5000) -> dict[str, float]:
    """Run the benchmark; return its measurements (seconds, events/s, ratio, MiB)."""
    operations.migrate(database_url, projectors=[BenchItems], app_factory=open_bench)
    app = open_bench(database_url)
    started = time.perf_counter()
    for _ in range(0, events, 800):
        items = [BenchItem(f"item {i}") for i in range(200)]
        for item in items:
            for value in range(3):
                item.update(value)
        app.save(*items)
    append_s = time.perf_counter() - started
    appended = app.recorder.max_notification_id() or 0
    app.close()
    rss_before = _rss_mib()

    started = time.perf_counter()
    operations.rebuild(
        database_url,
        "bench_items",
        1,
        projectors=[BenchItems],
        app_factory=open_bench,
        page_size=page_size,
    )
    rebuild_s = time.perf_counter() - started
    rss_after = _rss_mib()

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_copy (id bigint PRIMARY KEY, label text, value integer, doc jsonb)"
        )
        started = time.perf_counter()
        statement = "COPY bench_copy (id, label, value, doc) FROM STDIN"
        with conn.transaction(), conn.cursor() as cur, cur.copy(statement) as copy:
            for i in range(appended):
                copy.write_row((i, f"item {i}", i % 3, '{"updates": 3, "created": 1}'))
        copy_s = time.perf_counter() - started
    return {
        "events": appended,
        "append_s": append_s,
        "rebuild_s": rebuild_s,
        "rebuild_events_per_s": appended / rebuild_s,
        "copy_s": copy_s,
        "copy_rows_per_s": appended / copy_s,
        "rebuild_to_copy_ratio": rebuild_s / copy_s,
        "peak_rss_before_rebuild_mib": rss_before,
        "peak_rss_after_rebuild_mib": rss_after,
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=5000)
    args = parser.parse_args()
    for key, value in bench(args.database_url, args.events, args.page_size).items():
        print(f"{key:30} {value:12.2f}")


if __name__ == "__main__":
    main()
