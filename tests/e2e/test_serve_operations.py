"""A production-style deployment as an operator runs it, in real processes on one database:
``registry serve`` with 2 web workers, ``registry project`` and ``registry worker`` (each with its
own metrics port). Metrics summed over the web workers, structured and redacted logs from every
process, forwarding headers that cannot be forged, a body-read deadline, and the health checks
of the processes without an HTTP API."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from tests.conftest import create_database
from tests.e2e.conftest import (
    Processes,
    admin_setup,
    free_port,
    ready_key,
    registry_command,
    served_env,
    wait_until,
)

pytestmark = pytest.mark.e2e

ANONYMOUS_LIMIT = 3
BODY_TIMEOUT = 2.0
METRICS_TOKEN = "scrape-token-for-the-test"


@dataclass
class Deployment:
    base: str
    admin_key: str
    env: dict[str, str]
    processes: Processes
    worker_metrics: int
    project_metrics: int
    data_dir: Path

    def serve_log(self) -> list[dict[str, Any]]:
        """Every JSON line the serve processes wrote so far (other lines are checked apart)."""
        return [json.loads(line) for line in _log_lines(self.processes, "serve") if line[0] == "{"]


def _log_lines(processes: Processes, name: str) -> list[str]:
    text = (processes.logs / f"{name}.log").read_text(errors="replace")
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def deployment(
    postgres_server: str,
    module_redis_broker_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment]:
    url, drop = create_database()
    tmp = tmp_path_factory.mktemp("serve-operations")
    processes = Processes(tmp / "logs")
    worker_metrics, project_metrics = free_port(), free_port()
    base, env = served_env(
        REGISTRY_DATABASE_URL=url,
        REGISTRY_WEB_WORKERS="2",
        REGISTRY_RATE_LIMITS=f"anonymous={ANONYMOUS_LIMIT}/minute",
        REGISTRY_BODY_READ_TIMEOUT=str(BODY_TIMEOUT),
        REGISTRY_DATA_DIR=str(tmp / "var"),
        REGISTRY_AUTO_PROMOTE="true",
        # Redis as the broker, as compose runs it, and small pools: the PostgreSQL broker's
        # connections, or these four processes at the fixtures' pool size, would exceed the
        # suite's 30 (tests/conftest.py).
        REGISTRY_BROKER_URL=module_redis_broker_url,
        REGISTRY_WEB_POOL_SIZE="1",
        REGISTRY_PROJECTOR_POOL_SIZE="2",
        REGISTRY_WORKER_POOL_SIZE="2",
    )
    try:
        registry_command("migrate", env=env)
        processes.start(
            "project",
            ["registry", "project"],
            {**env, "REGISTRY_PROJECT_METRICS_PORT": str(project_metrics)},
        )
        processes.start(
            "worker",
            ["registry", "worker"],
            {
                **env,
                "REGISTRY_WORKER_METRICS_PORT": str(worker_metrics),
                "REGISTRY_METRICS_TOKEN": METRICS_TOKEN,
            },
        )
        server = processes.start("serve", ["registry", "serve"], env)
        admin_key = ready_key(base, server, env, "ops", timeout=60)
        yield Deployment(
            base, admin_key, env, processes, worker_metrics, project_metrics, tmp / "var"
        )
    finally:
        try:
            processes.stop_all()
        finally:
            drop()


def _counter(text: str, name: str, **labels: str) -> float:
    """The value of one labelled sample in a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[: line.index("}")]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_one_scrape_sums_the_counters_of_both_web_workers_and_they_never_go_back(
    deployment: Deployment,
) -> None:
    route = {"route": "/health/live/", "method": "GET", "status": "200"}
    before = _counter(
        httpx.get(f"{deployment.base}/metrics").text, "registry_http_requests_total", **route
    )
    for _ in range(40):  # a new connection each: the kernel spreads them over both workers
        assert httpx.get(f"{deployment.base}/health/live/").status_code == 200

    lines = deployment.serve_log()
    served_by = {line["pid"] for line in lines if line.get("route") == "/health/live/"}
    assert len(served_by) == 2, f"both workers served: {served_by}"

    scraped = []
    for _ in range(8):  # each scrape may land on either worker
        text = httpx.get(f"{deployment.base}/metrics").text
        scraped.append(
            (
                _counter(text, "registry_http_requests_total", **route),
                _counter(text, "registry_http_requests_total", route="/metrics", method="GET"),
            )
        )
    assert {live for live, _ in scraped} == {before + 40}, scraped
    scrapes = [count for _, count in scraped]
    assert scrapes == sorted(scrapes), f"the /metrics counter went back: {scrapes}"
    assert scrapes[-1] - scrapes[0] >= 7  # every scrape counted, whichever worker served it


def test_every_web_worker_logs_structured_lines_with_request_ids(deployment: Deployment) -> None:
    httpx.get(f"{deployment.base}/health/live/")
    raw = _log_lines(deployment.processes, "serve")
    # The only plain lines are the supervisor's own prints ("registry: listening on ...").
    assert [line for line in raw if not line.startswith("{")] == [
        line for line in raw if line.startswith("registry: ")
    ]
    assert "\x1b" not in "".join(raw)
    lines = deployment.serve_log()
    assert all({"time", "level", "logger", "message", "pid"} <= set(line) for line in lines)
    access = [line for line in lines if line["logger"] == "registry.access"]
    assert len({line["pid"] for line in access}) == 2
    for line in access:
        assert line["level"] == "INFO"  # INFO is kept in the spawned workers
        assert UUID(line["request_id"])
        assert {"method", "route", "status", "duration_ms", "client_ip"} <= set(line)


def test_a_rejected_key_is_logged_without_any_of_it_under_its_request_id(
    deployment: Deployment,
) -> None:
    secret = "Zq8vX3kLp2Rw9sTnYb4mQ7"
    response = httpx.get(
        f"{deployment.base}/api/v1/submissions/", headers={"Authorization": f"ApiKey {secret}"}
    )
    assert response.status_code == 401
    request_id = response.headers["x-request-id"]

    def logged() -> list[dict[str, Any]]:
        return [line for line in deployment.serve_log() if line.get("request_id") == request_id]

    mine = wait_until(lambda: len(logged()) >= 2 and logged(), 10, "the request's lines")
    assert {line["logger"] for line in mine} >= {"registry.web.auth", "registry.access"}
    text = (deployment.processes.logs / "serve.log").read_text()
    assert secret[:4] not in text


def test_a_forged_forwarded_for_escapes_neither_the_limit_nor_into_the_event(
    deployment: Deployment,
) -> None:
    payload = admin_setup(deployment.base, deployment.admin_key)
    statuses, created = [], []
    # One keep-alive connection, so one web worker and its per-process limiter.
    with httpx.Client(base_url=deployment.base, timeout=30) as client:
        for n in range(ANONYMOUS_LIMIT + 2):
            response = client.post(
                "/api/v1/submissions/",
                json={**payload, "service_name": f"Forged {n}"},
                headers={"X-Forwarded-For": f"198.51.100.{n}", "X-Real-IP": f"203.0.113.{n}"},
            )
            statuses.append(response.status_code)
            if response.status_code == 201:
                created.append(response.json()["id"])
    assert statuses == [201] * ANONYMOUS_LIMIT + [429, 429]

    from registry.runtime import Services
    from schema.settings import load_settings

    settings = load_settings(deployment.env)
    services = Services(settings.database_url or "", settings, pool_size=1, group_commit=False)
    try:
        ips = {services.registry.get_submission(UUID(i)).submission_ip for i in created}
    finally:
        services.close()
    assert ips == {"127.0.0.1"}


def test_a_body_that_stalls_gets_408_within_the_bound(deployment: Deployment) -> None:
    port = int(deployment.env["REGISTRY_PORT"])
    head = (
        "POST /api/v1/categories/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: AdminKey {deployment.admin_key}\r\n"
        "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        started = time.monotonic()
        sock.sendall(head.encode() + b'{"name": "half a bo')  # ... and nothing more
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        waited = time.monotonic() - started
        rest = b""
        while chunk := sock.recv(65536):  # the server closes the connection after the 408
            rest += chunk
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert BODY_TIMEOUT - 0.5 <= waited <= BODY_TIMEOUT + 10, waited
    assert b"did not arrive within" in answer + rest


def test_worker_and_projector_serve_their_metrics_and_the_worker_beats(
    deployment: Deployment,
) -> None:
    worker = f"http://127.0.0.1:{deployment.worker_metrics}/metrics"
    wait_until(lambda: _status(worker) == 401, 60, "the worker's metrics port asking for the token")
    scraped = httpx.get(worker, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scraped.status_code == 200
    assert "registry_worker_jobs" in scraped.text

    project = f"http://127.0.0.1:{deployment.project_metrics}/metrics"
    text = wait_until(
        lambda: "registry_projection_lag_events{" in (t := _text(project)) and t,
        60,
        "the projector's lag gauges",
    )
    assert 'projection="submissions"' in text

    env = deployment.env
    wait_until(lambda: _alive(env) == 0, 60, "registry alive worker passing while the worker runs")
    assert deployment.processes.stop("worker") == 0
    assert _alive(env) == 1  # a stopped worker is not alive


def _status(url: str) -> int:
    try:
        return httpx.get(url, timeout=5).status_code
    except httpx.TransportError:
        return 0


def _text(url: str) -> str:
    try:
        return httpx.get(url, timeout=5).text
    except httpx.TransportError:
        return ""


def _alive(env: dict[str, str]) -> int:
    import sys

    from tests.e2e.conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "registry", "alive", "worker"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return done.returncode
