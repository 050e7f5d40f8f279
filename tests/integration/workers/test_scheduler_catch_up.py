"""No scheduled run is lost to a takeover: the instance that becomes active runs at once every
job whose cron time passed since its last completed run (`scheduler_runs`)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from projections.support import migrate_support
from workers.scheduler import RunLedger, ScheduledJobs, build_scheduler, catch_up, run

pytestmark = pytest.mark.integration


def _migrated(database_url: str) -> RunLedger:
    with psycopg.connect(database_url, autocommit=True) as conn:
        migrate_support(conn)
    return RunLedger(database_url)


def test_a_daily_run_missed_while_no_scheduler_was_active_runs_at_takeover(
    database_url: str,
) -> None:
    ledger = _migrated(database_url)
    # The dead host's scheduler last completed the refresh two days ago (it died before, or
    # in the middle of, yesterday's run).
    ledger.done("biotools-refresh", datetime.now(UTC) - timedelta(days=2))
    refreshed = threading.Event()
    jobs = ScheduledJobs(refreshed.set, lambda: None, lambda: None)
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(database_url, jobs, stop), daemon=True)
    thread.start()
    try:
        assert refreshed.wait(10), "the missed refresh did not run at takeover"
    finally:
        stop.set()
        thread.join(timeout=15)
    last = ledger.last("biotools-refresh")
    assert last is not None
    assert last > datetime.now(UTC) - timedelta(minutes=1)  # and its completion is recorded


def test_a_job_that_ran_after_its_last_cron_time_is_not_run_again(database_url: str) -> None:
    ledger = _migrated(database_url)
    now = datetime.now(UTC)
    ledger.done("biotools-refresh", now - timedelta(seconds=1))
    scheduler = build_scheduler(ScheduledJobs(lambda: None, lambda: None, lambda: None), ledger)
    scheduler.start(paused=True)
    try:
        due = catch_up(scheduler, ledger, now)
    finally:
        scheduler.shutdown(wait=False)
    assert "biotools-refresh" not in due
    # Jobs with no run recorded (a new database) start counting now: nothing is run for them.
    assert due == []
    assert ledger.last("edam-refresh") == now
