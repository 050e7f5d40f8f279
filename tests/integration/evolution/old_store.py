"""A store written by the old code, a real web stack over it, and clients reading through it.

The old events are the committed fixtures of ``tests/fixtures/events/`` (old shapes: topics v1,
``kpi_start_year``, no ``data_access_type``, a centre without ``ror_id``), inserted as stored
events; ``clone_submissions`` repeats the fixture submission under fresh ids so the rebuild has
something to replay. ``OLD_PROJECTORS`` is what the code declared before the change.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent
from psycopg_pool import ConnectionPool
from starlette.testclient import TestClient

from projections import operations
from projections.eventstore import open_registry
from projections.key_vault import PostgresKeyVault
from projections.progress import ProgressListener
from projections.projectors import PROJECTORS
from projections.queries import ReadModel
from projections.reference_catalog import PostgresReferenceCatalog
from schema.settings import Settings
from tests.conftest import FIXTURE_POOL_SIZE
from tests.integration.projections.read.conftest import seed_reference_views
from web.app import WebServices, create_app

FIXTURES = Path(__file__).parents[2] / "fixtures" / "events"
OLD_SUBMISSION = "5e7a2c1d-3b4f-4a6e-8c9d-0e1f2a3b4c5d"
OLD_CENTRE = "6a1f0c3e-5b2d-4c8e-9f7a-1b2c3d4e5f60"
OLD_PI = "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e"
SUBMISSION_FIXTURES = (
    "submission_registered_v1.json",
    "submission_key_issued_v1.json",
    "submission_amended_v1.json",
)
CHANGED = (("submissions", 2), ("submission_history", 2))
"""The read-table versions the change adds (the new code declares them)."""
NEW_PROJECTORS = tuple(p for p in PROJECTORS if p.version <= dict(CHANGED).get(p.name, p.version))
"""What the code declared with the change (not the later ``submissions`` v3)."""
OLD_PROJECTORS = tuple(p for p in NEW_PROJECTORS if (p.name, p.version) not in CHANGED)
ROOT = "admin:root"


def fixture(name: str) -> dict[str, Any]:
    """A committed stored-payload fixture."""
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


def stored(body: dict[str, Any], originator_id: str | None = None) -> StoredEvent:
    """The stored event of a fixture body (optionally under another aggregate id)."""
    return StoredEvent(
        originator_id=UUID(originator_id or body["originator_id"]),
        originator_version=body["originator_version"],
        topic=body["topic"],
        state=json.dumps(body["state"]).encode(),
    )


def clone_submissions(count: int) -> Iterator[StoredEvent]:
    """``count`` copies of the fixture submission's three old events under fresh ids."""
    bodies = [fixture(name) for name in SUBMISSION_FIXTURES]
    for number in range(count):
        sid = str(uuid4())
        registered, key, amended = (json.loads(json.dumps(b)) for b in bodies)
        registered["state"]["values"]["service_name"] = f"Legacy Mapper {number:05d}"
        key["state"]["key_id"] = str(uuid4())
        key["state"]["key_hash"] = hashlib.sha256(f"clone-{number}".encode()).hexdigest()
        for body in (registered, key, amended):
            yield stored(body, sid)


@dataclass
class OldStack:
    """The database after the old code ran, the new code's app and web app over it."""

    url: str
    pool: ConnectionPool[Any]
    app: Any
    web: Any
    admin_key: str
    listener: ProgressListener
    closers: list[Any] = field(default_factory=list)

    def factory(self, url: str, *, create_tables: bool = False) -> Any:
        """The Registry factory the operations take (shared vault and catalogue)."""
        return open_registry(
            url,
            create_tables=create_tables,
            key_vault=PostgresKeyVault(self.pool),
            reference_catalog=PostgresReferenceCatalog(self.pool),
        )

    def admin(self) -> dict[str, str]:
        """Headers of the read-only admin key."""
        return {"Authorization": f"AdminKey {self.admin_key}"}

    def client(self) -> TestClient:
        """A client of the real app (one per thread)."""
        client = TestClient(self.web, raise_server_exceptions=False)
        self.closers.append(client)
        return client

    def close(self) -> None:
        """Close everything opened."""
        for item in self.closers:
            item.close()
        self.listener.close()
        self.app.close()
        self.pool.close()


def old_stack(url: str, clones: int) -> OldStack:
    """Write the old events, build the old read tables with the old declarations, open the app."""
    seed_reference_views(url)
    pool: ConnectionPool[Any] = ConnectionPool(
        url, min_size=1, max_size=FIXTURE_POOL_SIZE, open=True
    )
    stack = OldStack(url, pool, None, None, "", ProgressListener(url, poll_interval=0.2))
    operations.migrate(url, projectors=OLD_PROJECTORS, app_factory=stack.factory)
    app = stack.app = stack.factory(url)
    app.recorder.insert_events([stored(fixture("service_centre_created_v1.json"))])
    app.create_category({"name": "Tools"}, actor=ROOT)
    app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=ROOT, pi_id=UUID(OLD_PI))
    app.recorder.insert_events([stored(fixture(name)) for name in SUBMISSION_FIXTURES])
    batch: list[StoredEvent] = []
    for event in clone_submissions(clones):
        batch.append(event)
        if len(batch) == 3000:
            app.recorder.insert_events(batch)
            batch = []
    if batch:
        app.recorder.insert_events(batch)
    stack.admin_key = app.create_admin_key("auditor", "read", created_by="test").api_key
    for projector in OLD_PROJECTORS:
        operations.rebuild(
            url,
            projector.name,
            projector.version,
            projectors=OLD_PROJECTORS,
            app_factory=stack.factory,
        )
    services = WebServices(
        settings=Settings(rate_limits="off", database_url=url),
        registry=app,
        read_model=ReadModel(pool, registry=app),
        wait_for=stack.listener.wait_for,
    )
    stack.web = create_app(services)
    return stack


@dataclass
class Readers:
    """Threads that keep reading through the API and record every failed read."""

    stack: OldStack
    kpi: str | None = "2020"
    """The ``kpi_since`` every served document must have (None: it is being changed)."""
    threads: int = 4
    reads: int = 0
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def _read(self, client: TestClient) -> None:
        headers = self.stack.admin()
        paths = (
            f"/api/v1/submissions/{OLD_SUBMISSION}/",
            "/api/v1/submissions/?page_size=5&ordering=service_name",
            f"/api/v1/submissions/{OLD_SUBMISSION}/history/",
            f"/api/v1/service-centers/{OLD_CENTRE}/",
        )
        turn = 0
        while not self._stop.is_set():
            path = paths[turn % len(paths)]
            turn += 1
            response = client.get(path, headers=headers)
            problem = None
            if response.status_code != 200:
                problem = f"{path}: {response.status_code} {response.text[:200]}"
            elif turn % len(paths) == 1:
                problem = self._check(path, response.json())
            with self._lock:
                self.reads += 1
                if problem:
                    self.failures.append(problem)

    def _check(self, path: str, body: dict[str, Any]) -> str | None:
        """A problem with a served submission: the alias must equal the new name (and
        ``kpi`` when the test fixes it)."""
        old, new = body.get("kpi_start_year"), body.get("kpi_since")
        if old != new or (self.kpi is not None and old != self.kpi):
            return f"{path}: kpi_start_year {old!r}, kpi_since {new!r}"
        return None

    def start(self) -> None:
        """Start the reading threads."""
        for _ in range(self.threads):
            worker = threading.Thread(target=self._read, args=(self.stack.client(),), daemon=True)
            worker.start()
            self._workers.append(worker)
        while self.reads < self.threads:  # every reader is under way
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop and join the threads."""
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=10)
