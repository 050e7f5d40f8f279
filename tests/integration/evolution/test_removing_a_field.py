"""Removing a field in two phases, on the toy ``counters`` projection (every field of a real
submission is part of the ``/api/v1/`` contract, so none can be removed without breaking it).

Phase 1 stops writing and serving the field: readers name the columns they serve and no longer
name ``label``. Phase 2 declares a read-table version without the column (``counters`` v4),
builds it by replay, and promotes it. The events keep the field: history is never rewritten.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest

from projections import operations
from projections.projector import Table
from tests.integration.projections.helpers import append
from tests.integration.projections.toy import Counter, CountersV1, open_toy

DDL = Path(__file__).parent / "ddl"


class CountersV4(CountersV1):
    """v1 without ``label`` (the documents keep only what is still served)."""

    version = 4
    tables = (
        Table("counters", key=("id",), columns=("id", "total", "doc"), jsonb=frozenset({"doc"})),
        CountersV1.tables[1],
    )

    @classmethod
    def ddl_path(cls) -> Path:
        return DDL / cls.name / f"v{cls.version}.sql"

    def row(self, event: Counter.Created, position: int) -> dict[str, Any]:
        return {"id": event.originator_id, "total": 0, "doc": {"positions": [position]}}


PHASE_1_READ = "SELECT id, total FROM counters ORDER BY id LIMIT 20"
"""What phase 1 serves: ``label`` is no longer named."""


def _columns(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'counters' ORDER BY ordinal_position"
        ).fetchall()
    return [r[0] for r in rows]


def test_a_field_is_removed_in_two_phases_and_its_events_keep_it(database_url: str) -> None:
    both = [CountersV1, CountersV4]
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    try:
        append(app, counters=300, adds=3)
        operations.rebuild(database_url, "counters", 1, projectors=both, app_factory=open_toy)
        assert "label" in _columns(database_url)

        # Phase 1 is deployed: readers keep reading, without the field, during phase 2.
        failures: list[BaseException] = []
        reads = 0
        stop = threading.Event()

        def read() -> None:
            nonlocal reads
            with psycopg.connect(database_url, autocommit=True) as conn:
                while not stop.is_set():
                    try:
                        conn.execute(PHASE_1_READ).fetchall()
                        reads += 1
                    except psycopg.Error as exc:
                        failures.append(exc)

        reader = threading.Thread(target=read)
        reader.start()
        try:
            # Phase 2: the next version has no column; built by replay, then promoted.
            operations.migrate(database_url, projectors=both, app_factory=open_toy)
            operations.rebuild(database_url, "counters", 4, projectors=both, app_factory=open_toy)
            operations.promote(database_url, "counters", 4)
        finally:
            stop.set()
            reader.join()
        assert failures == []
        assert reads > 0
        assert _columns(database_url) == ["id", "total", "doc"]

        # A reader that skipped phase 1 would now fail: that is why phase 1 comes first.
        with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("SELECT label FROM counters")

        # The events still carry the field.
        first = app.recorder.select_notifications(start=1, limit=1)[0]
        created = app.mapper.to_domain_event(first)
        assert isinstance(created, Counter.Created)
        assert created.label == "c0"

        # Rolling back serves the column again (v1 kept following the log).
        assert operations.rollback(database_url, "counters") == 1
        assert "label" in _columns(database_url)
    finally:
        app.close()
