"""One active scheduler among many: the PostgreSQL advisory lock, standby and takeover."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from uuid import uuid4

import psycopg
import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from workers.refresh import linked_submission_ids
from workers.scheduler import ScheduledJobs, SingleInstanceLock, run

pytestmark = pytest.mark.integration

JOBS = ScheduledJobs(lambda: None, lambda: None, lambda: None)


def _wait(done: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_only_one_instance_holds_the_lock_until_it_lets_go(database_url: str) -> None:
    first, second = SingleInstanceLock(database_url), SingleInstanceLock(database_url)
    try:
        assert first.try_acquire()
        assert first.try_acquire()  # re-entrant for the holder
        assert not second.try_acquire()
        first.release()
        assert second.try_acquire()
        assert not first.try_acquire()
    finally:
        first.release()
        second.release()


def test_a_killed_lock_connection_hands_the_lock_over(database_url: str) -> None:
    first, second = SingleInstanceLock(database_url), SingleInstanceLock(database_url)
    try:
        assert first.try_acquire()
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(
                # Only this test's database: the server is shared with other runs and tests.
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        assert not first.held()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


def test_a_standby_scheduler_takes_over_when_the_active_one_stops(database_url: str) -> None:
    active: list[str] = []

    def start(name: str, stop: threading.Event) -> threading.Thread:
        def note(scheduler: BackgroundScheduler) -> None:
            assert len(scheduler.get_jobs()) == 3
            active.append(name)

        thread = threading.Thread(
            target=run,
            args=(database_url, JOBS, stop),
            kwargs={"check_every": 0.05, "on_active": note},
        )
        thread.start()
        return thread

    stop_a, stop_b = threading.Event(), threading.Event()
    thread_a = start("a", stop_a)
    _wait(lambda: active == ["a"])
    thread_b = start("b", stop_b)
    time.sleep(0.5)
    assert active == ["a"]  # b waits on standby
    stop_a.set()
    thread_a.join(timeout=10)
    _wait(lambda: active == ["a", "b"])
    stop_b.set()
    thread_b.join(timeout=10)


def test_linked_submissions_are_read_from_the_biotools_read_table(database_url: str) -> None:
    linked, by_url, unlinked = uuid4(), uuid4(), uuid4()
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "CREATE TABLE biotools_records (submission_id uuid PRIMARY KEY, biotools_id text, "
            "state jsonb NOT NULL DEFAULT '{}')"
        )
        conn.execute(
            "INSERT INTO biotools_records VALUES (%s, 'blast', '{}'), "
            '(%s, NULL, \'{"biotools_url": "https://bio.tools/bwa"}\'), '
            '(%s, NULL, \'{"biotools_url": ""}\')',
            (linked, by_url, unlinked),
        )
        assert sorted(linked_submission_ids(conn)) == sorted([str(linked), str(by_url)])
