"""Read-your-writes: `ProgressListener.wait_for` returns once the live version reaches a write."""

from __future__ import annotations

import threading
import time

import psycopg

from projections import operations
from projections.progress import ProgressListener
from projections.store import PROGRESS_CHANNEL
from tests.integration.projections.helpers import kill, position, start_runner, upgraded
from tests.integration.projections.toy import CountersV1, CountersV2, open_toy


def test_waiting_for_a_write_returns_once_the_live_version_has_applied_it(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    listener = ProgressListener(database_url)
    runner = start_runner(database_url, "1", 100)
    try:
        latencies = []
        for i in range(30):
            counter = app.create(f"r{i}")
            written = app.recorder.max_notification_id()
            assert written is not None
            started = time.monotonic()
            assert listener.wait_for("counters", written, timeout=10)
            latencies.append(time.monotonic() - started)
            assert position(database_url, "counters", 1) >= written
            assert counter.id
        # Already reached: answered from memory, many times a second.
        started = time.monotonic()
        for _ in range(2000):
            assert listener.wait_for("counters", written, timeout=1)
        assert time.monotonic() - started < 1
        assert sorted(latencies)[len(latencies) // 2] < 0.5
    finally:
        kill(runner)
        listener.close()


def test_waiting_times_out_when_no_runner_applies_the_write(database_url: str) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    listener = ProgressListener(database_url)
    try:
        app.create("nobody projects me")
        written = app.recorder.max_notification_id()
        assert written is not None
        started = time.monotonic()
        assert not listener.wait_for("counters", written, timeout=0.3)
        assert 0.25 < time.monotonic() - started < 1.5
        assert not listener.wait_for("no such projection", 0, timeout=0.1)
    finally:
        listener.close()


def test_waiting_follows_the_view_to_a_newly_promoted_version(database_url: str) -> None:
    app = upgraded(database_url, [CountersV1], [CountersV1, CountersV2])
    app.create("before")
    operations.rebuild(database_url, "counters", 1, projectors=[CountersV1], app_factory=open_toy)
    operations.rebuild(database_url, "counters", 2, projectors=[CountersV2], app_factory=open_toy)
    listener = ProgressListener(database_url)
    try:
        operations.promote(database_url, "counters", 2)
        app.create("after")
        written = app.recorder.max_notification_id()
        assert written is not None
        assert not listener.wait_for("counters", written, timeout=0.3)
        operations.rebuild(
            database_url, "counters", 1, projectors=[CountersV1], app_factory=open_toy
        )
        assert not listener.wait_for("counters", written, timeout=0.3)  # v1 is not live
        operations.rebuild(
            database_url, "counters", 2, projectors=[CountersV2], app_factory=open_toy
        )
        assert listener.wait_for("counters", written, timeout=3)
    finally:
        listener.close()


def test_a_progress_notification_releases_exactly_the_waiters_it_reaches(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    listener = ProgressListener(database_url)
    outcomes: dict[int, bool] = {}
    try:
        app.create("first")
        app.create("second")
        second = app.recorder.max_notification_id()
        assert second is not None
        first = second - 1

        def wait(position: int) -> None:
            outcomes[position] = listener.wait_for("counters", position, timeout=20)

        waiters = {p: threading.Thread(target=wait, args=(p,)) for p in (first, second)}
        for thread in waiters.values():
            thread.start()
        deadline = time.monotonic() + 10
        while len(listener._waiters.get("counters", [])) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        with psycopg.connect(database_url, autocommit=True) as conn:
            # What a runner sends after committing a page (no runner runs here).
            conn.execute("SELECT pg_notify(%s, %s)", (PROGRESS_CHANNEL, f"counters:1:{first}"))
            waiters[first].join(timeout=10)
            assert outcomes == {first: True}
            assert waiters[second].is_alive()
            conn.execute("SELECT pg_notify(%s, %s)", (PROGRESS_CHANNEL, f"counters:1:{second}"))
            waiters[second].join(timeout=10)
        assert outcomes == {first: True, second: True}
        assert listener._waiters["counters"] == []
    finally:
        listener.close()
