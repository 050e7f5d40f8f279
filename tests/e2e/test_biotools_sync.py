"""bio.tools sync with the real processes: the fake bio.tools server, ``registry serve``,
``registry project`` and ``registry worker`` on a fresh database and a private Redis database.

A link made through the API is synced by the worker and shows in the API; a changed link is
followed; a cleared link removes the record; a worker killed in the middle of a sync loses
nothing and records the sync exactly once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest

from domain.biotools import BioToolsRecord
from domain.ids import biotools_record_id
from tests.e2e.conftest import (
    FakeServer,
    Processes,
    admin_setup,
    registry_command,
    serve_and_project,
    served_env,
    wait_until,
)

pytestmark = pytest.mark.e2e

# Redis redelivers a dead worker's unacknowledged jobs once its heartbeat is this old (seconds),
# checked on every broker command here (Dramatiq's defaults: 60 s, 1 command in 1000).
HEARTBEAT_TIMEOUT = "3"
MAINTENANCE_CHANCE = "1000000"


@dataclass
class Stack:
    """The running processes and what a test needs to drive them."""

    base: str
    admin_key: str
    env: dict[str, str]
    database_url: str
    processes: Processes
    fake: FakeServer

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"AdminKey {self.admin_key}"}

    def start_worker(self) -> None:
        self.processes.start("worker", ["registry", "worker"], self.env)

    def register(self, biotools_url: str) -> tuple[str, dict[str, str]]:
        """Register a submission through the API; its id and the owner's headers."""
        payload = {**admin_setup(self.base, self.admin_key), "biotools_url": biotools_url}
        created = httpx.post(f"{self.base}/api/v1/submissions/", json=payload, timeout=30)
        assert created.status_code == 201, created.text
        body = created.json()
        return str(body["id"]), {"Authorization": f"ApiKey {body['api_key']}"}

    def submission(self, submission_id: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.base}/api/v1/submissions/{submission_id}/", headers=self.admin, timeout=10
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def admin_records(self, submission_id: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.base}/api/v1/biotools/",
            params={"submission": submission_id},
            headers=self.admin,
            timeout=10,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def public_record(self, biotools_id: str) -> httpx.Response:
        return httpx.get(f"{self.base}/api/v1/biotools/{biotools_id}/", timeout=10)

    def synced_record(self, submission_id: str, biotools_id: str) -> dict[str, Any]:
        """Wait until the submission shows a synced record of ``biotools_id``; return it."""

        def shown() -> dict[str, Any] | None:
            record = self.submission(submission_id).get("biotoolsrecord")
            if record and record["biotools_id"] == biotools_id and record["last_synced_at"]:
                found: dict[str, Any] = record
                return found
            return None

        try:
            return wait_until(shown, 60, f"a synced {biotools_id} record")
        except pytest.fail.Exception as exc:
            pytest.fail(f"{exc}\nworker:\n{self.processes.log('worker')}")

    def sync_events(self, submission_id: str) -> int:
        """How many ``BioToolsSynced`` events the event store holds for the submission."""
        with psycopg.connect(self.database_url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM registry_events WHERE topic = %s AND originator_id = %s",
                (BioToolsRecord.BioToolsSynced.TOPIC, biotools_record_id(submission_id)),
            ).fetchone()
        assert row is not None
        return int(row[0])


@pytest.fixture
def stack(
    database_url: str,
    redis_broker_url: str,
    fake_biotools: FakeServer,
    processes: Processes,
    tmp_path: Any,
) -> Stack:
    base, env = served_env(
        REGISTRY_DATABASE_URL=database_url,
        REGISTRY_BROKER_URL=redis_broker_url,
        REGISTRY_BIOTOOLS_URL=fake_biotools.base_url,
        REGISTRY_DATA_DIR=str(tmp_path / "var"),
        REGISTRY_BROKER_HEARTBEAT_TIMEOUT=HEARTBEAT_TIMEOUT,
        REGISTRY_BROKER_MAINTENANCE_CHANCE=MAINTENANCE_CHANCE,
    )
    registry_command("migrate", env=env)
    admin_key = serve_and_project(processes, base, env, "e2e")
    return Stack(base, admin_key, env, database_url, processes, fake_biotools)


def test_a_link_is_synced_followed_when_changed_and_removed_when_cleared(stack: Stack) -> None:
    stack.start_worker()
    submission_id, owner = stack.register("https://bio.tools/samtools")

    record = stack.synced_record(submission_id, "samtools")
    assert record["name"] == "SAMtools"
    assert record["sync_error"] == ""
    listed = stack.admin_records(submission_id)
    assert listed["count"] == 1
    assert listed["results"][0]["biotools_id"] == "samtools"
    assert stack.public_record("samtools").status_code == 404  # not approved yet

    approved = httpx.post(
        f"{stack.base}/api/v1/submissions/{submission_id}/status/",
        json={"status": "approved"},
        headers=stack.admin,
        timeout=30,
    )
    assert approved.status_code == 200, approved.text
    assert stack.public_record("samtools").json()["name"] == "SAMtools"

    url = f"{stack.base}/api/v1/submissions/{submission_id}/"
    changed = httpx.patch(url, json={"biotools_url": "https://bio.tools/bwa"}, headers=owner)
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "approved"  # the link is exempt from the status reset
    record = stack.synced_record(submission_id, "bwa")
    assert record["name"] == "BWA"
    listed = stack.admin_records(submission_id)
    assert [r["biotools_id"] for r in listed["results"]] == ["bwa"]
    assert stack.public_record("bwa").status_code == 200
    assert stack.public_record("samtools").status_code == 404

    cleared = httpx.patch(url, json={"biotools_url": ""}, headers=owner)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["biotoolsrecord"] is None
    assert stack.admin_records(submission_id)["count"] == 0
    assert stack.public_record("bwa").status_code == 404
    assert stack.sync_events(submission_id) == 2


def _follower_position(database_url: str) -> tuple[int, int]:
    """(the side-effect follower's position, the log's head)."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT (SELECT position FROM worker_tracking WHERE name = 'side-effects'),"
            " (SELECT max(notification_id) FROM registry_events)"
        ).fetchone()
    assert row is not None
    return int(row[0] or 0), int(row[1] or 0)


def test_a_worker_killed_in_the_middle_of_a_sync_is_redelivered_and_records_it_once(
    stack: Stack,
) -> None:
    stack.start_worker()
    # Stalled long enough that the job is surely still in flight when the worker dies, short
    # enough that the fake can still stop promptly at the end.
    stack.fake.control(mode="stall", stall_seconds=10)
    submission_id, _ = stack.register("https://bio.tools/bwa")
    wait_until(lambda: stack.fake.requests("bwa") == 1, 60, "the sync job in flight")
    # The follower has already moved past the link: a second fetch can only be the redelivery.
    wait_until(
        lambda: (lambda p: p[0] >= p[1])(_follower_position(stack.database_url)),
        30,
        "the follower past the link event",
    )

    stack.processes.kill("worker")
    assert stack.sync_events(submission_id) == 0
    stack.start_worker()
    stack.fake.control(mode="ok")

    record = stack.synced_record(submission_id, "bwa")
    assert record["name"] == "BWA"
    assert stack.fake.requests("bwa") == 2
    time.sleep(3)  # room for a duplicate delivery to show itself
    assert stack.sync_events(submission_id) == 1
    assert stack.fake.requests("bwa") == 2


def test_a_link_registered_before_any_worker_ran_is_synced_once_one_starts(stack: Stack) -> None:
    submission_id, _ = stack.register("https://bio.tools/kraken2")
    time.sleep(1)  # committed and projected well before the worker's first look at the log
    stack.start_worker()
    record = stack.synced_record(submission_id, "kraken2")
    assert record["name"] == "kraken2"
    assert stack.sync_events(submission_id) == 1
