"""The daily refresh (bounded concurrency, failures contained) and the schedule's jobs."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tests.unit.workers.fakes import InMemoryLinks
from workers.biotools_client import BioToolsClient, RetryPolicy
from workers.refresh import refresh_biotools
from workers.scheduler import ScheduledJobs, build_scheduler

FIXTURES = Path(__file__).resolve().parents[3] / "bench" / "fixtures" / "biotools"
BODIES = {p.stem.casefold(): p.read_bytes() for p in FIXTURES.glob("*.json")}


class Server:
    """A MockTransport handler that counts requests in flight."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.failing: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        wanted = request.url.path.rstrip("/").rsplit("/", 1)[-1].casefold()
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            time.sleep(self.delay)
            if wanted in self.failing:
                return httpx.Response(500)
            body = BODIES.get(wanted)
            if body is None:
                return httpx.Response(404, json={"detail": "Not found."})
            return httpx.Response(200, content=body)
        finally:
            with self.lock:
                self.in_flight -= 1


def _client(server: Server) -> BioToolsClient:
    return BioToolsClient("https://bio.tools/api", transport=httpx.MockTransport(server))


def test_every_linked_submission_is_refreshed_within_the_concurrency_bound() -> None:
    server = Server(delay=0.01)
    links = InMemoryLinks({f"s-{name}": name for name in BODIES})
    summary = refresh_biotools(list(links.links), links, _client(server), concurrency=4)
    assert summary.total == 60
    assert summary.outcomes == {"synced": 60}
    assert summary.errors == 0
    assert 1 < server.peak <= 4
    assert summary.per_second > 0


def test_one_failing_record_never_stops_the_others() -> None:
    server = Server()
    server.failing.add("blast")
    links = InMemoryLinks({"a": "blast", "b": "bwa", "c": "gone-tool", "d": ""})
    summary = refresh_biotools(
        ["a", "b", "c", "d"],
        links,
        _client(server),
        policy=RetryPolicy(attempts=2, base_delay=0.001),
    )
    assert summary.outcomes == {"synced": 1, "not_found": 1, "unlinked": 1}
    assert summary.errors == 1
    failed = {(sid, bid) for sid, bid, _ in links.failures}
    assert failed == {("a", "blast"), ("c", "gone-tool")}


def test_a_second_refresh_records_nothing_new() -> None:
    links = InMemoryLinks({"a": "samtools"})
    refresh_biotools(["a"], links, _client(Server()))
    again = refresh_biotools(["a"], links, _client(Server()))
    assert again.outcomes == {"unchanged": 1}
    assert len(links.syncs) == 1


def test_the_schedule_has_a_daily_refresh_two_monthly_reloads_and_an_hourly_sweep() -> None:
    def noop() -> None:
        return None

    scheduler = build_scheduler(ScheduledJobs(noop, noop, noop, sweep_idempotency=noop))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"biotools-refresh", "edam-refresh", "spdx-refresh", "idempotency-sweep"}
    now = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    daily = jobs["biotools-refresh"].trigger.get_next_fire_time(None, now)
    monthly = jobs["edam-refresh"].trigger.get_next_fire_time(None, now)
    hourly = jobs["idempotency-sweep"].trigger.get_next_fire_time(None, now)
    assert daily == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert monthly == datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    assert hourly == datetime(2026, 11, 23, 23, 17, tzinfo=UTC)
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())
