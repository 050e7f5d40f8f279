"""The HTTP workloads (B1–B3) and the live-lag probe (B5) against a running cluster."""

from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx

from bench.cluster import connect
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

    async def send(client: httpx.AsyncClient, i: int) -> httpx.Response:
        body = payload(ref, f"Bench service {label}-{i}")
        response = await client.post(SUBMISSIONS, json=body)
        if response.status_code == 201:
            doc = response.json()
            created.add(doc["id"], doc["api_key"])
        return response

    return send


def patch_sender(created: Created, label: str) -> Send:
    """PATCH submission ``i`` of the pool with its owner key (a real change every time)."""

    async def send(client: httpx.AsyncClient, i: int) -> httpx.Response:
        ident, key = created.items[i % len(created.items)]
        body = {
            "service_description": f"Patched in step {label}, request {i}: still mapping reads."
        }
        headers = {"Authorization": f"ApiKey {key}"}
        return await client.patch(f"{SUBMISSIONS}{ident}/", json=body, headers=headers)

    return send


def detail_sender(created: Created) -> Send:
    """GET one submission with its owner key."""

    async def send(client: httpx.AsyncClient, i: int) -> httpx.Response:
        ident, key = created.items[i % len(created.items)]
        return await client.get(
            f"{SUBMISSIONS}{ident}/", headers={"Authorization": f"ApiKey {key}"}
        )

    return send


def get_sender(path: str, admin_key: str, params: dict[str, str] | None = None) -> Send:
    """GET one fixed path with the admin key."""
    headers = {"Authorization": f"AdminKey {admin_key}"}

    async def send(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.get(path, params=params, headers=headers)

    return send


def list_params(page: int) -> dict[str, str]:
    """The filtered list query of page ``page``."""
    return {**LIST_FILTERS, "page": str(page)}


def _probe_main(
    database_url: str, submission_id: str, interval: float, stop: Any, out: Any
) -> None:
    """The probe's process: its own domain ``Registry`` (no group commit) and read connection."""
    from registry.runtime import Services
    from schema.settings import Settings

    services = Services(
        database_url, Settings(database_url=database_url), pool_size=2, group_commit=False
    )
    sid = UUID(submission_id)
    query = "SELECT version FROM submissions WHERE id = %s"
    lags: list[float] = []
    timeouts = 0
    n = 0
    out.put("ready")
    try:
        with connect(database_url, autocommit=True) as conn:
            while not stop.is_set():
                n += 1
                t0 = time.perf_counter()
                outcome = services.registry.amend_submission(
                    sid,
                    {"service_description": f"Probe amendment {n}: {PROBE_TEXT}"},
                    actor="admin:bench-probe",
                    by_admin=True,
                )
                committed = time.perf_counter()
                deadline = committed + 10
                while True:
                    row = conn.execute(query, (sid,)).fetchone()
                    if row is not None and int(row[0]) >= outcome.version:
                        lags.append(time.perf_counter() - committed)
                        break
                    if time.perf_counter() > deadline:
                        timeouts += 1
                        break
                    time.sleep(0.001)
                stop.wait(max(0.0, interval - (time.perf_counter() - t0)))
    finally:
        services.close()
        out.put({"lags": lags, "timeouts": timeouts})


@dataclass
class LagProbe:
    """B5: in its own process (so the load generator's event loop cannot delay it), amend one
    submission through the domain every ``interval`` s, then poll the ``submissions`` read table
    every millisecond until it shows the new version; the lag is counted from the commit."""

    database_url: str
    submission_id: UUID
    interval: float = 0.02
    lags: list[float] = field(default_factory=list)
    timeouts: int = 0
    _process: Any = None
    _stop: Any = None
    _out: Any = None

    def __enter__(self) -> LagProbe:
        ctx = multiprocessing.get_context("spawn")
        self._stop, self._out = ctx.Event(), ctx.Queue()
        args = (self.database_url, str(self.submission_id), self.interval, self._stop, self._out)
        self._process = ctx.Process(target=_probe_main, args=args, name="bench-lag-probe")
        self._process.start()
        if self._out.get(timeout=60) != "ready":
            raise RuntimeError("the lag probe did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        result = self._out.get(timeout=60)
        self._process.join(timeout=30)
        self.lags, self.timeouts = result["lags"], result["timeouts"]


def as_of_param(moment: datetime) -> dict[str, str]:
    """The ``?as_of=`` query of an instant."""
    return {"as_of": moment.isoformat()}
