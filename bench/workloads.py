"""The HTTP workloads (B1–B3) and the live-lag probe (B5) against a running cluster."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from bench.cluster import connect
from bench.http import Client, Reply
from bench.load import Send
from bench.seed import Reference, payload

SUBMISSIONS = "/api/v1/submissions/"
PROBE_TEXT = "a realistic service description, long enough to pass validation."
LIST_FILTERS = {"status": "submitted", "year_established": "2020"}


@dataclass
class Created:
    """Submissions created by B1 (id and owner key), the pool B2 and B3 draw from."""

    items: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ident: str, key: str) -> None:
        """Remember one created submission."""
        with self.lock:
            self.items.append((ident, key))


def create_sender(ref: Reference, label: str, created: Created) -> Send:
    """POST a realistic submission with a distinct service name; remember its id and key."""

    async def send(client: Client, i: int) -> Reply:
        body = payload(ref, f"Bench service {label}-{i}")
        response = await client.post(SUBMISSIONS, json=body)
        if response.status_code == 201:
            doc = response.json()
            created.add(doc["id"], doc["api_key"])
        return response

    return send


def patch_sender(created: Created, label: str) -> Send:
    """PATCH submission ``i`` of the pool with its owner key (a real change every time)."""

    async def send(client: Client, i: int) -> Reply:
        ident, key = created.items[i % len(created.items)]
        body = {
            "service_description": f"Patched in step {label}, request {i}: still mapping reads."
        }
        headers = {"Authorization": f"ApiKey {key}"}
        return await client.patch(f"{SUBMISSIONS}{ident}/", json=body, headers=headers)

    return send


def detail_sender(created: Created) -> Send:
    """GET one submission with its owner key."""

    async def send(client: Client, i: int) -> Reply:
        ident, key = created.items[i % len(created.items)]
        return await client.get(
            f"{SUBMISSIONS}{ident}/", headers={"Authorization": f"ApiKey {key}"}
        )

    return send


def get_sender(path: str, admin_key: str, params: dict[str, str] | None = None) -> Send:
    """GET one fixed path with the admin key."""
    headers = {"Authorization": f"AdminKey {admin_key}"}

    async def send(client: Client, i: int) -> Reply:
        return await client.get(path, params=params, headers=headers)

    return send


def list_params(page: int) -> dict[str, str]:
    """The filtered list query of page ``page``."""
    return {**LIST_FILTERS, "page": str(page)}


def _open_services(database_url: str, patience: float = 180) -> Any:
    """The probe's domain ``Registry`` (no group commit), waiting for free connection slots."""
    from registry.runtime import Services
    from schema.settings import Settings

    deadline = time.monotonic() + patience
    while True:
        try:
            return Services(
                database_url, Settings(database_url=database_url), pool_size=2, group_commit=False
            )
        except Exception:  # the shared server is out of connection slots: wait
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _probe_once(services: Any, conn: Any, sid: UUID, n: int) -> float | None:
    """One amendment, then poll until the read table shows it: the lag (None on timeout)."""
    outcome = services.registry.amend_submission(
        sid,
        {"service_description": f"Probe amendment {n}: {PROBE_TEXT}"},
        actor="admin:bench-probe",
        by_admin=True,
    )
    committed = time.perf_counter()
    deadline = committed + 10
    while True:
        row = conn.execute("SELECT version FROM submissions WHERE id = %s", (sid,)).fetchone()
        if row is not None and int(row[0]) >= outcome.version:
            return time.perf_counter() - committed
        if time.perf_counter() > deadline:
            return None
        time.sleep(0.001)


def _probe_main(
    database_url: str, submission_id: str, interval: float, phase: Any, stop: Any, out: Any
) -> None:
    """The probe's process: probes while ``phase`` is non-zero, tagging each lag with it."""
    try:
        services = _open_services(database_url)
    except Exception as exc:
        out.put({"error": repr(exc)})
        return
    sid = UUID(submission_id)
    lags: list[tuple[int, float | None]] = []
    error = None
    n = 0
    out.put("ready")
    try:
        with connect(database_url, autocommit=True, patience=180) as conn:
            while not stop.is_set():
                tag = int(phase.value)
                if tag == 0:
                    stop.wait(0.005)
                    continue
                n += 1
                t0 = time.perf_counter()
                lags.append((tag, _probe_once(services, conn, sid, n)))
                stop.wait(max(0.0, interval - (time.perf_counter() - t0)))
    except Exception as exc:  # reported with what was measured until then
        error = repr(exc)
    finally:
        services.close()
        out.put({"lags": lags, "error": error})


@dataclass
class LagProbe:
    """B5: in its own process (so the load generator's event loop cannot delay it), amend one
    submission through the domain every ``interval`` s, then poll the ``submissions`` read table
    every millisecond until it shows the new version; the lag is counted from the commit.

    One process serves a whole phase; ``during(tag)`` marks the steps whose lags count."""

    database_url: str
    submission_id: UUID
    interval: float = 0.02
    lags: dict[int, list[float]] = field(default_factory=dict)
    timeouts: dict[int, int] = field(default_factory=dict)
    error: str | None = None
    _process: Any = None
    _phase: Any = None
    _stop: Any = None
    _out: Any = None

    def __enter__(self) -> LagProbe:
        ctx = multiprocessing.get_context("spawn")
        self._phase, self._stop, self._out = ctx.Value("i", 0), ctx.Event(), ctx.Queue()
        args = (
            self.database_url,
            str(self.submission_id),
            self.interval,
            self._phase,
            self._stop,
            self._out,
        )
        self._process = ctx.Process(target=_probe_main, args=args, name="bench-lag-probe")
        self._process.start()
        first = self._out.get(timeout=240)
        if first != "ready":
            self.error = str(first.get("error"))
            self._process.join(timeout=10)
            self._process = None
        return self

    @contextlib.contextmanager
    def during(self, tag: int) -> Iterator[None]:
        """Count the lags measured inside the block under ``tag`` (> 0)."""
        self._phase.value = tag
        try:
            yield
        finally:
            self._phase.value = 0

    def __exit__(self, *exc: object) -> None:
        if self._process is None:
            return
        self._stop.set()
        result = self._out.get(timeout=60)
        self._process.join(timeout=30)
        self.error = result["error"]
        for tag, lag in result["lags"]:
            if lag is None:
                self.timeouts[tag] = self.timeouts.get(tag, 0) + 1
            else:
                self.lags.setdefault(tag, []).append(lag)


def as_of_param(moment: datetime) -> dict[str, str]:
    """The ``?as_of=`` query of an instant."""
    return {"as_of": moment.isoformat()}
