"""``registry biotools sync --all`` over many linked submissions, end to end against the fake
bio.tools process, with the daily refresh's concurrency; prints the throughput it measured.

The submissions are registered through ``registry up`` (embedded default) while bio.tools is a
fake with no records, so each link ends as a recorded 404. The command then runs against a fake
serving the fixtures: the first run records every entry, the second finds nothing changed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.fake_biotools import FIXTURES_DIR
from tests.e2e.conftest import (
    ROOT,
    Processes,
    admin_setup,
    ready_key,
    served_env,
    start_fake_biotools,
    wait_until,
)

pytestmark = pytest.mark.e2e

SUBMISSIONS = 120  # every one of the 60 fixtures linked twice


def _fixture_ids() -> list[str]:
    return sorted(
        json.loads(path.read_text(encoding="utf-8"))["biotoolsID"]
        for path in FIXTURES_DIR.glob("*.json")
    )


def _sync_all(env: dict[str, str]) -> tuple[dict[str, int], float]:
    """Run the command; the outcome counts and seconds from its summary line."""
    done = subprocess.run(
        [sys.executable, "-m", "registry", "biotools", "sync", "--all"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert f"{SUBMISSIONS} linked submission(s) to sync" in done.stdout
    # Progress (counts, rate, ETA) goes to stderr; the final line counts every submission.
    assert f"biotools sync: {SUBMISSIONS}/{SUBMISSIONS} (100%)" in done.stderr, done.stderr[-2000:]
    found = re.search(r"outcomes=(\{[^}]*\}), errors=0, seconds=([0-9.]+)", done.stdout)
    assert found is not None, done.stdout
    outcomes = {k: int(v) for k, v in re.findall(r"'(\w+)': (\d+)", found.group(1))}
    return outcomes, float(found.group(2))


def test_sync_all_records_every_linked_entry_then_nothing_and_reports_its_rate(
    tmp_path: Path, processes: Processes
) -> None:
    empty = tmp_path / "no-records"
    empty.mkdir()
    nothing = start_fake_biotools(processes, "fake-empty", "--fixtures", str(empty))
    fake = start_fake_biotools(processes, "fake-biotools")
    base, env = served_env(
        REGISTRY_DATA_DIR=str(tmp_path / "var"),
        REGISTRY_BIOTOOLS_URL=nothing.base_url,
        REGISTRY_LOG_LEVEL="WARNING",
    )
    admin_key = ready_key(base, processes.start("up", ["registry", "up"], env), env, "e2e")
    payload = admin_setup(base, admin_key)
    ids = _fixture_ids()
    with httpx.Client(base_url=base, timeout=30) as client:
        for n in range(SUBMISSIONS):
            link = f"https://bio.tools/{ids[n % len(ids)]}"
            body = {**payload, "service_name": f"Service {n}", "biotools_url": link}
            assert client.post("/api/v1/submissions/", json=body).status_code == 201
    wait_until(
        lambda: sum(nothing.requests(i) for i in ids) >= SUBMISSIONS,
        120,
        "every link tried once by the worker of registry up",
    )
    assert processes.stop("up", timeout=60) == 0, processes.log("up")

    sync_env = {**env, "REGISTRY_BIOTOOLS_URL": fake.base_url}
    first, first_seconds = _sync_all(sync_env)
    second, second_seconds = _sync_all(sync_env)
    assert first == {"synced": SUBMISSIONS}
    assert second == {"unchanged": SUBMISSIONS}
    print(
        f"\nregistry biotools sync --all, {SUBMISSIONS} submissions, concurrency 4: "
        f"{SUBMISSIONS / first_seconds:.0f}/s recording every entry, "
        f"{SUBMISSIONS / second_seconds:.0f}/s with nothing changed"
    )
