"""The periodic scheduler: daily bio.tools refresh, monthly EDAM and SPDX reloads, the hourly
sweep of expired idempotency records.

Several `registry schedule` processes may run; only the one holding a PostgreSQL advisory lock
(on its own dedicated connection) schedules anything. The others wait on standby and take over
when the holder's connection goes away, since PostgreSQL then releases the lock.

No run is lost to a takeover: each job's last completed run is recorded (`RunLedger`, the
`scheduler_runs` support table), and an instance that becomes active runs at once every job
whose cron time passed since that run (the holder died just before it, or in the middle of it).
A job may therefore run again after a run cut short; every job is idempotent (an unchanged
bio.tools entry records nothing, a reload writes only what differs, a sweep deletes what is
expired).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

__all__ = [
    "SCHEDULER_LOCK_KEY",
    "RunLedger",
    "ScheduledJobs",
    "SingleInstanceLock",
    "build_scheduler",
    "catch_up",
    "run",
]

log = logging.getLogger(__name__)

# A fixed 64-bit key for pg_advisory_lock: "registry-scheduler" (arbitrary, but stable).
SCHEDULER_LOCK_KEY = 0x7265676973636864


@dataclass(frozen=True)
class ScheduledJobs:
    """What runs when: each a no-argument callable (errors are logged by APScheduler)."""

    refresh_biotools: Callable[[], Any]
    refresh_edam: Callable[[], Any]
    refresh_spdx: Callable[[], Any]
    sweep_idempotency: Callable[[], Any] | None = None
    biotools_cron: str = "0 3 * * *"  # daily, 03:00 UTC
    edam_cron: str = "0 4 1 * *"  # monthly, on the 1st
    spdx_cron: str = "30 4 1 * *"
    idempotency_cron: str = "17 * * * *"  # hourly


class RunLedger:
    """When each job last ran to completion (`scheduler_runs`); without the table (a database
    `registry migrate` has not reached) it records and reports nothing."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def last(self, job_id: str) -> datetime | None:
        """The start of the job's last completed run (None: none recorded)."""
        row = self._execute("SELECT ran_at FROM scheduler_runs WHERE job_id = %s", (job_id,))
        return None if row is None else row[0]

    def baseline(self, job_id: str, when: datetime) -> None:
        """Count the job as run at `when` unless a run is recorded (a new database)."""
        self._execute(
            "INSERT INTO scheduler_runs (job_id, ran_at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (job_id, when),
        )

    def done(self, job_id: str, started: datetime) -> None:
        """Record a run started at `started` as completed."""
        self._execute(
            "INSERT INTO scheduler_runs AS r (job_id, ran_at) VALUES (%s, %s)"
            " ON CONFLICT (job_id) DO UPDATE SET ran_at = greatest(r.ran_at, EXCLUDED.ran_at)",
            (job_id, started),
        )

    def _execute(self, statement: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """Run one statement; its first row, if it returns any."""
        try:
            with psycopg.connect(self.database_url, autocommit=True, connect_timeout=5) as conn:
                cursor = conn.execute(statement, params)
                return cursor.fetchone() if cursor.description else None
        except psycopg.errors.UndefinedTable:
            log.warning("scheduler_runs is missing (run `registry migrate`): runs not recorded")
            return None


def _recorded(job_id: str, func: Callable[[], Any], ledger: RunLedger) -> Callable[[], None]:
    def job() -> None:
        started = datetime.now(UTC)
        func()
        ledger.done(job_id, started)

    return job


def catch_up(scheduler: BackgroundScheduler, ledger: RunLedger, now: datetime) -> list[str]:
    """Run at once each job whose cron time passed since its last completed run; a job with
    no run recorded starts counting now. Returns the ids of the jobs run again."""
    due = []
    for job in scheduler.get_jobs():
        last = ledger.last(job.id)
        if last is None:
            ledger.baseline(job.id, now)
            continue
        missed = job.trigger.get_next_fire_time(None, last + timedelta(microseconds=1))
        if missed is not None and missed <= now:
            log.warning("scheduler: %s missed its run of %s; running it now", job.id, missed)
            job.modify(next_run_time=now)
            due.append(job.id)
    return due


def build_scheduler(jobs: ScheduledJobs, ledger: RunLedger | None = None) -> BackgroundScheduler:
    """A (not yet started) scheduler with the jobs; a job never overlaps itself, and runs
    missed while no instance was active are coalesced into one. With a `ledger`, every
    completed run is recorded (see `catch_up`)."""
    scheduler = BackgroundScheduler(timezone="UTC")
    defaults = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600}
    entries: list[tuple[str, Callable[[], Any], str]] = [
        ("biotools-refresh", jobs.refresh_biotools, jobs.biotools_cron),
        ("edam-refresh", jobs.refresh_edam, jobs.edam_cron),
        ("spdx-refresh", jobs.refresh_spdx, jobs.spdx_cron),
    ]
    if jobs.sweep_idempotency is not None:
        entries.append(("idempotency-sweep", jobs.sweep_idempotency, jobs.idempotency_cron))
    for job_id, func, cron in entries:
        trigger = CronTrigger.from_crontab(cron, timezone="UTC")
        run_it = func if ledger is None else _recorded(job_id, func, ledger)
        scheduler.add_job(run_it, trigger, id=job_id, name=job_id, **defaults)
    return scheduler


class SingleInstanceLock:
    """A session-level advisory lock held on a dedicated connection."""

    def __init__(self, database_url: str, key: int = SCHEDULER_LOCK_KEY) -> None:
        self.database_url = database_url
        self.key = key
        self._conn: psycopg.Connection[Any] | None = None

    def try_acquire(self) -> bool:
        """Take the lock if free; True when this instance holds it now."""
        if self.held():
            return True
        self.release()
        try:
            conn = psycopg.connect(self.database_url, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError:
            log.warning("scheduler lock: database unreachable")
            return False
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        if row is None or not row[0]:
            conn.close()
            return False
        self._conn = conn
        return True

    def held(self) -> bool:
        """True while the lock's connection is alive (a dead connection has lost the lock)."""
        if self._conn is None or self._conn.closed:
            return False
        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error:
            self.release()
            return False
        return True

    def release(self) -> None:
        """Drop the lock (closing the connection releases it)."""
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


def run(
    database_url: str,
    jobs: ScheduledJobs,
    stop: threading.Event,
    *,
    check_every: float = 5.0,
    on_active: Callable[[BackgroundScheduler], None] | None = None,
) -> None:
    """Run until `stop` is set: standby until the lock is ours, then schedule; if the lock's
    connection dies, stop scheduling and go back to standby."""
    lock = SingleInstanceLock(database_url)
    ledger = RunLedger(database_url)
    scheduler: BackgroundScheduler | None = None
    try:
        while not stop.is_set():
            if scheduler is None and lock.try_acquire():
                scheduler = build_scheduler(jobs, ledger)
                scheduler.start()
                log.info("scheduler active (advisory lock %#x held)", lock.key)
                try:
                    catch_up(scheduler, ledger, datetime.now(UTC))
                except psycopg.Error as exc:  # the next activation catches up instead
                    log.warning("scheduler: missed runs not checked: %s", exc)
                if on_active is not None:
                    on_active(scheduler)
            elif scheduler is not None and not lock.held():
                log.warning("scheduler lost its lock; back to standby")
                scheduler.shutdown(wait=False)
                scheduler = None
            stop.wait(check_every)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        lock.release()
