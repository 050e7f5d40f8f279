"""The production composition in one process, for fault tests: the app ``registry serve`` builds
(``registry.webapp.build_app`` over ``registry.runtime.Services``: group commit, hardened pools,
the ProgressListener, readiness probes and warnings) and the projection runner, on a fresh
database. ``Stack.outage()`` makes the database unreachable for this database only (new
connections refused, every existing backend terminated), as a server restart does."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import psycopg
import pytest
from psycopg import sql
from starlette.testclient import TestClient

from projections import operations
from projections.progress import ProgressListener
from projections.projector import Projector
from projections.projectors import PROJECTORS
from projections.runner import Runner
from registry.probes import readiness_probes
from registry.runtime import Services
from registry.webapp import build_app
from schema.settings import Settings
from tests.conftest import admin_url
from tests.integration.projections.read.conftest import seed_reference_views
from tests.payloads import KPI_SINCE_2021, submission_payload

ROOT = "admin:root"
T = TypeVar("T")


def wait_until(condition: Callable[[], T | None], timeout: float, what: str) -> T:
    """Poll ``condition`` until it returns something truthy (returned); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.05)


@dataclass
class Stack:
    url: str
    settings: Settings
    services: Services
    listener: ProgressListener
    client: TestClient
    admin_key: str
    centre: str = ""
    category: int = 0
    pi: str = ""
    runner: Runner | None = None
    dbname: str = field(init=False)

    def __post_init__(self) -> None:
        self.dbname = str(psycopg.conninfo.conninfo_to_dict(self.url)["dbname"])

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"AdminKey {self.admin_key}"}

    @staticmethod
    def owner(created: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"ApiKey {created['api_key']}"}

    def payload(self, **overrides: Any) -> dict[str, Any]:
        return submission_payload(
            category=self.category,
            pi=self.pi,
            centre=self.centre,
            **{"internal_contact_name": "Ada Internal", **KPI_SINCE_2021, **overrides},
        )

    def create(self, **overrides: Any) -> dict[str, Any]:
        response = self.client.post("/api/v1/submissions/", json=self.payload(**overrides))
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def start_projector(self, projectors: tuple[type[Projector], ...] = PROJECTORS) -> Runner:
        assert self.runner is None
        self.runner = Runner(
            self.url, app=self.services.registry, projectors=projectors, poll_interval=0.2
        )
        self.runner.start()
        return self.runner

    def stop_projector(self) -> None:
        if self.runner is not None:
            self.runner.stop()
            self.runner = None

    def head(self) -> int:
        with psycopg.connect(self.url) as conn:
            row = conn.execute(
                "SELECT coalesce(max(notification_id), 0) FROM registry_events"
            ).fetchone()
        return int(row[0]) if row else 0

    def sync(self, timeout: float = 20) -> None:
        """Wait until every live projection has applied everything written so far."""
        head = self.head()
        for projector in PROJECTORS:
            assert self.listener.wait_for(projector.name, head, timeout), projector.name

    def count(self, query: str, *params: Any) -> int:
        with psycopg.connect(self.url) as conn:
            row = conn.execute(query, params).fetchone()
        return int(row[0]) if row else 0

    @contextlib.contextmanager
    def outage(self) -> Iterator[None]:
        """The database refuses new connections and drops every open one until the block ends
        (ALLOW_CONNECTIONS applies to superusers too; the admin session is on another
        database)."""
        name = sql.Identifier(self.dbname)
        with psycopg.connect(admin_url(), autocommit=True) as admin:
            admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(name))
            try:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (self.dbname,),
                )

                def gone() -> bool:  # the backends have exited: their sockets are closed
                    row = admin.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = %s AND backend_type = 'client backend'",
                        (self.dbname,),
                    ).fetchone()
                    return row is not None and row[0] == 0

                wait_until(gone, 10, "the terminated backends exiting")
                yield
            finally:
                admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(name))


def build_stack(database_url: str, tmp_path: Path, **settings: Any) -> Stack:
    """The production app over a fresh, migrated database with reference data and an admin
    key; the projector is started (``Stack.runner``)."""
    seed_reference_views(database_url)
    operations.migrate(database_url)
    config = Settings(
        **{
            "rate_limits": "off",
            "database_url": database_url,
            "media_dir": tmp_path / "media",
            "database_timeout": 2.0,
            "read_your_writes_timeout": 2.0,
            **settings,
        }
    )
    services = Services(database_url, config, pool_size=4)
    listener = ProgressListener(database_url, poll_interval=0.2)
    probes = readiness_probes(services.pool, database_url, database_url)
    app = build_app(config, services, listener, probes)
    registry = services.registry
    admin = registry.create_admin_key("ops", "full", created_by="test")
    stack = Stack(
        database_url,
        config,
        services,
        listener,
        TestClient(app, raise_server_exceptions=False),
        admin.api_key,
    )
    stack.start_projector()
    stack.centre = str(
        registry.create_centre({"short_name": "BiGi", "full_name": "B"}, actor=ROOT).id
    )
    stack.category = int(str(registry.create_category({"name": "Tools"}, actor=ROOT).id))
    stack.pi = str(
        UUID(str(registry.create_pi({"last_name": "Doe", "first_name": "J"}, actor=ROOT).id))
    )
    stack.sync()
    return stack


@pytest.fixture
def stack(database_url: str, tmp_path: Path) -> Iterator[Stack]:
    built = build_stack(database_url, tmp_path)
    try:
        yield built
    finally:
        built.client.close()
        built.stop_projector()
        built.listener.close()
        built.services.close()
