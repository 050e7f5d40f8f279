"""End to end over HTTP against the real processes: ``registry serve`` and ``registry project``
on one PostgreSQL database. Writes are read-your-writes, also under concurrency."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import (
    ROOT,
    admin_setup,
    ready_key,
    registry_command,
    served_env,
    spawn,
)

pytestmark = pytest.mark.e2e
__all__ = ["spawn"]  # the fixture, re-exported for this module


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "registry", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def served(database_url: str, spawn: list[subprocess.Popen[bytes]]) -> tuple[str, str]:
    base, env = served_env(REGISTRY_DATABASE_URL=database_url)
    registry_command("migrate", env=env)
    spawn.append(_start(["project"], env))
    server = _start(["serve"], env)
    spawn.append(server)
    admin_key = ready_key(base, server, env, "e2e")
    return base, admin_key


def test_concurrent_writers_each_read_their_own_writes(served: tuple[str, str]) -> None:
    base, admin_key = served
    payload = admin_setup(base, admin_key)

    def write_then_read(n: int) -> tuple[int, int, str, int, str]:
        with httpx.Client(base_url=base, timeout=30) as client:
            created = client.post(
                "/api/v1/submissions/", json={**payload, "service_name": f"Service {n}"}
            )
            body: dict[str, Any] = created.json()
            owner = {"Authorization": f"ApiKey {body['api_key']}"}
            url = f"/api/v1/submissions/{body['id']}/"
            read = client.get(url, headers=owner)
            patched = client.patch(url, json={"comments": f"note {n}"}, headers=owner)
            again = client.get(url, headers=owner)
            return (
                created.status_code,
                read.status_code,
                read.json()["service_name"],
                patched.status_code,
                again.json()["comments"],
            )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(write_then_read, range(16)))
    for n, (created, read, name, patched, comments) in enumerate(results):
        assert (created, read, patched) == (201, 200, 200)
        assert name == f"Service {n}"
        assert comments == f"note {n}"
    listed = httpx.get(
        f"{base}/api/v1/submissions/?page_size=100",
        headers={"Authorization": f"AdminKey {admin_key}"},
    ).json()
    assert listed["count"] == 16


def test_docs_schema_and_metrics_are_served(served: tuple[str, str]) -> None:
    base, _ = served
    assert httpx.get(f"{base}/api/docs/").status_code == 200
    assert httpx.get(f"{base}/static/redoc/redoc.standalone.js").status_code == 200
    schema = httpx.get(f"{base}/api/schema/", headers={"Accept": "application/json"})
    assert schema.json()["openapi"] == "3.1.0"
    assert "registry_http_requests" in httpx.get(f"{base}/metrics").text
