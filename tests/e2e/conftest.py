"""Helpers to run the real ``registry`` processes as subprocesses."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.conftest import FIXTURE_POOL_SIZE
from tests.payloads import submission_payload

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def registry_env(**overrides: str) -> dict[str, str]:
    """The parent's environment without any REGISTRY_* setting, plus the overrides. Every pool
    is the fixtures' size (the suite's connection budget, see ``tests.conftest``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    pools = {
        f"REGISTRY_{kind}_POOL_SIZE": str(FIXTURE_POOL_SIZE)
        for kind in ("WEB", "PROJECTOR", "WORKER")
    }
    env.update({"REGISTRY_RATE_LIMITS": "off", "REGISTRY_LOG_FORMAT": "json", **pools, **overrides})
    return env


def registry_command(*args: str, env: Mapping[str, str], timeout: float = 120) -> str:
    """Run ``registry ARGS`` to completion and return its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "registry", *args],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def served_env(**overrides: str) -> tuple[str, dict[str, str]]:
    """The base URL of a registry on a free port and its environment (``registry_env`` with
    that port and ``overrides``)."""
    port = free_port()
    return f"http://127.0.0.1:{port}", registry_env(REGISTRY_PORT=str(port), **overrides)


def new_admin_key(env: Mapping[str, str], label: str) -> str:
    """A new full-scope admin key, made with ``registry admin-keys create``: its plaintext."""
    out = registry_command("admin-keys", "create", "--label", label, env=env)
    return out.strip().splitlines()[-1]


def admin_setup(base: str, admin_key: str) -> dict[str, object]:
    """A service centre, a category and a PI made through the API: a valid submission payload
    naming them."""
    headers = {"Authorization": f"AdminKey {admin_key}"}
    centre = httpx.post(
        f"{base}/api/v1/service-centers/",
        json={"short_name": "de.NBI-BiGi", "full_name": "Bielefeld Gießen Center"},
        headers=headers,
    )
    assert centre.status_code == 201, centre.text
    category = httpx.post(f"{base}/api/v1/categories/", json={"name": "Tools"}, headers=headers)
    assert category.status_code == 201, category.text
    pi = httpx.post(
        f"{base}/api/v1/pis/", json={"last_name": "Doe", "first_name": "Jane"}, headers=headers
    )
    assert pi.status_code == 201, pi.text
    return submission_payload(
        category=category.json()["id"], pi=pi.json()["id"], centre=centre.json()["id"]
    )


def wait_ready(base_url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    """Poll ``/health/ready/`` until it answers 200 (fail early if the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the process exited with {process.returncode} before it was ready")
        try:
            if httpx.get(f"{base_url}/health/ready/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{base_url} was not ready within {timeout} s")


def key_visible(base: str, admin_key: str, timeout: float = 30) -> None:
    """Wait (``timeout`` seconds at most) until the API at ``base`` takes the admin key, made
    by another process: the projector has made it visible."""
    headers = {"Authorization": f"AdminKey {admin_key}"}
    wait_until(
        lambda: httpx.get(f"{base}/api/v1/categories/", headers=headers).status_code == 200,
        timeout,
        "the admin key made visible by the projector",
    )


def ready_key(
    base: str,
    process: subprocess.Popen[bytes],
    env: Mapping[str, str],
    label: str,
    timeout: float = 30,
) -> str:
    """Wait until the registry ``process`` answers at ``base``, then a new admin key
    (``label``) once the API takes it: the key."""
    wait_ready(base, process)
    admin_key = new_admin_key(env, label)
    key_visible(base, admin_key, timeout)
    return admin_key


@pytest.fixture
def spawn() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes started by a test; any still running at its end are killed."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


# --- Long-running processes, the fake bio.tools server and a private Redis database ----------


def wait_until(
    condition: Callable[[], T | None], timeout: float, what: str, interval: float = 0.3
) -> T:
    """Poll ``condition`` until it returns something truthy (returned); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(interval)


@dataclass
class Processes:
    """Named subprocesses of one test, each logging to a file; all stopped when the test ends."""

    logs: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(
        self, name: str, argv: Sequence[str], env: Mapping[str, str]
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` (``registry`` sub-commands: pass ``["registry", ...]``) as ``name``."""
        if argv[0] == "registry":
            argv = [sys.executable, "-m", "registry", *argv[1:]]
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                list(argv), env=dict(env), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        self.running[name] = process
        return process

    def log(self, name: str, tail: int = 4000) -> str:
        """The end of ``name``'s output (for failure messages)."""
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def kill(self, name: str) -> None:
        """SIGKILL ``name`` and reap it: no shutdown code runs."""
        process = self.running.pop(name)
        process.kill()
        process.wait(timeout=10)

    def stop(self, name: str, timeout: float = 30) -> int:
        """Ask ``name`` to stop (SIGINT, as Ctrl-C), wait, and SIGKILL it if it does not."""
        process = self.running.pop(name)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
                pytest.fail(f"{name} did not stop within {timeout} s:\n{self.log(name)}")
        return process.returncode

    def stop_all(self) -> None:
        """Stop every process still running, newest first; fail naming any that had to be
        killed."""
        stuck = []
        for name in reversed(list(self.running)):
            try:
                self.stop(name)
            except pytest.fail.Exception as exc:
                stuck.append(str(exc))
        if stuck:
            pytest.fail("\n".join(stuck))


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """Start named processes; whatever still runs at the end of the test is stopped."""
    started = Processes(tmp_path / "logs")
    try:
        yield started
    finally:
        started.stop_all()


def serve_and_project(processes: Processes, base: str, env: Mapping[str, str], label: str) -> str:
    """``registry project`` and ``registry serve`` started on a migrated database, then
    ``ready_key``."""
    processes.start("project", ["registry", "project"], env)
    return ready_key(base, processes.start("serve", ["registry", "serve"], env), env, label)


@dataclass(frozen=True)
class FakeServer:
    """The fake bio.tools server running as its own process."""

    port: int

    @property
    def base_url(self) -> str:
        """What ``REGISTRY_BIOTOOLS_URL`` should say."""
        return f"http://127.0.0.1:{self.port}/api"

    def control(self, **mode: object) -> dict[str, Any]:
        """Switch the fake's mode (``mode="stall"``, ``stall_seconds=…``); returns its state."""
        response = httpx.post(f"http://127.0.0.1:{self.port}/_control", json=mode, timeout=5)
        response.raise_for_status()
        state: dict[str, Any] = response.json()
        return state

    def requests(self, biotools_id: str) -> int:
        """How many requests the fake has received for ``biotools_id`` (case-folded)."""
        state = httpx.get(f"http://127.0.0.1:{self.port}/_control", timeout=5).json()
        return int(state["requests"].get(biotools_id.casefold(), 0))


def start_fake_biotools(
    processes: Processes, name: str = "fake-biotools", *options: str
) -> FakeServer:
    """``python -m bench.fake_biotools --port N [options]`` as ``name``, once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "bench.fake_biotools", "--port", str(port), *options]
    process = processes.start(name, command, os.environ)

    def answering() -> bool:
        if process.poll() is not None:
            pytest.fail(f"the fake bio.tools server exited:\n{processes.log(name)}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}/_control", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(answering, 30, "the fake bio.tools server answering")
    return FakeServer(port)


@pytest.fixture
def fake_biotools(processes: Processes) -> FakeServer:
    """The fake bio.tools server as its own process, serving the 60 fixture records."""
    return start_fake_biotools(processes)


REDIS_CLAIM_KEY = "registry-e2e:claimed"


@contextlib.contextmanager
def claimed_redis_db() -> Iterator[str]:
    """``redis://127.0.0.1:6379/<db>`` on a database this test has claimed while it was empty.

    The worker processes use Dramatiq's default namespace, so two runs sharing a database would
    take each other's jobs; a claim key (set only if absent) keeps concurrent runs apart. At the
    end only the keys this test made (the ``dramatiq`` namespace, rate-limit counts and the
    claim) are deleted.
    """
    import redis

    token = secrets.token_hex(8)
    claimed: redis.Redis | None = None
    try:
        for db in range(15, 0, -1):
            client = redis.Redis(host="127.0.0.1", port=6379, db=db, socket_connect_timeout=3)
            if client.set(REDIS_CLAIM_KEY, token, nx=True, ex=3600):
                if client.dbsize() == 1:
                    claimed = client
                    break
                client.delete(REDIS_CLAIM_KEY)
            client.close()
    except redis.ConnectionError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required under CI and is not reachable: {exc}")
        pytest.skip(f"Redis not reachable: {exc}")
    if claimed is None:
        pytest.skip("no empty Redis database (1-15) to claim")
    db = claimed.connection_pool.connection_kwargs["db"]
    try:
        yield f"redis://127.0.0.1:6379/{db}"
    finally:
        # Dramatiq's namespace, and the rate limits' counts (a Redis broker is also their
        # store unless REGISTRY_RATE_LIMIT_STORAGE says otherwise: web.ratelimit).
        for pattern in ("dramatiq:*", "LIMITS:*"):
            for key in claimed.scan_iter(pattern):
                claimed.delete(key)
        if claimed.get(REDIS_CLAIM_KEY) == token.encode():
            claimed.delete(REDIS_CLAIM_KEY)
        claimed.close()


@pytest.fixture
def redis_broker_url() -> Iterator[str]:
    """A claimed, empty Redis database for this test's broker (see :func:`claimed_redis_db`)."""
    with claimed_redis_db() as url:
        yield url


@pytest.fixture(scope="module")
def module_redis_broker_url() -> Iterator[str]:
    """As :func:`redis_broker_url`, for a module's deployment."""
    with claimed_redis_db() as url:
        yield url
