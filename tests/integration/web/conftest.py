"""The real app on the real stack: PostgreSQL, the domain Registry, every projector under the
real runner, the ProgressListener for read-your-writes, R's ReadModel, and admin keys created
through the domain (as ``registry admin-keys create`` does)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool
from starlette.testclient import TestClient

from projections import operations
from projections.eventstore import open_registry
from projections.idempotency import IdempotencyStore
from projections.key_vault import PostgresKeyVault
from projections.progress import ProgressListener
from projections.projectors import PROJECTORS
from projections.queries import ReadModel
from projections.reference_catalog import PostgresReferenceCatalog
from projections.runner import Runner
from schema.settings import Settings
from tests.conftest import FIXTURE_POOL_SIZE
from tests.integration.projections.read.conftest import seed_reference_views
from tests.payloads import KPI_SINCE_2021, submission_payload
from web.app import WebServices, create_app

ROOT = "admin:root"


@dataclass
class Live:
    client: TestClient
    app: Any
    read: ReadModel
    listener: ProgressListener
    admin_full: str
    admin_read: str
    centre: str
    category: int
    pi: str
    media_dir: Path | None = None
    database_url: str = ""

    def admin(self, full: bool = True) -> dict[str, str]:
        return {"Authorization": f"AdminKey {self.admin_full if full else self.admin_read}"}

    @staticmethod
    def owner(created: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"ApiKey {created['api_key']}"}

    def payload(self, **overrides: Any) -> dict[str, Any]:
        return submission_payload(
            category=self.category,
            pi=self.pi,
            centre=self.centre,
            **{
                "internal_contact_name": "Ada Internal",
                "edam_topic_ids": ["topic_0091"],
                **KPI_SINCE_2021,
                **overrides,
            },
        )

    def create(self, **overrides: Any) -> dict[str, Any]:
        response = self.client.post("/api/v1/submissions/", json=self.payload(**overrides))
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[Live]:
    with open_live(database_url, tmp_path) as stack:
        yield stack


@contextmanager
def open_live(database_url: str, tmp_path: Path) -> Iterator[Live]:
    """The stack of :func:`live` on an existing empty database (also for wider scopes)."""
    seed_reference_views(database_url)
    pool: ConnectionPool[Any] = ConnectionPool(
        database_url, min_size=1, max_size=FIXTURE_POOL_SIZE, open=True
    )
    vault = PostgresKeyVault(pool)
    catalog = PostgresReferenceCatalog(pool)

    def factory(url: str, *, create_tables: bool = False) -> Any:
        return open_registry(
            url, create_tables=create_tables, key_vault=vault, reference_catalog=catalog
        )

    operations.migrate(database_url, app_factory=factory)
    app = factory(database_url)
    runner_app = factory(database_url)
    runner = Runner(database_url, app=runner_app, projectors=PROJECTORS, poll_interval=0.2)
    runner.start()
    listener = ProgressListener(database_url, poll_interval=0.2)
    read = ReadModel(pool, registry=app, key_stamp=lambda: listener.stamp("api_keys"))
    full = app.create_admin_key("ops", "full", created_by="test")
    read_only = app.create_admin_key("auditor", "read", created_by="test")
    centre = app.create_centre({"short_name": "BiGi", "full_name": "Bielefeld-Gießen"}, actor=ROOT)
    category = app.create_category({"name": "Tools"}, actor=ROOT)
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=ROOT)
    head = app.recorder.max_notification_id() or 0
    for projector in PROJECTORS:
        assert listener.wait_for(projector.name, head, timeout=20), projector.name
    services = WebServices(
        settings=Settings(
            rate_limits="off", database_url=database_url, media_dir=tmp_path / "media"
        ),
        registry=app,
        read_model=read,
        wait_for=listener.wait_for,
        idempotency=IdempotencyStore(pool),
        projection_status=lambda: [
            {"name": s.name, "version": s.version, "live": s.live, "lag": s.lag}
            for s in operations.status(database_url)
        ],
    )
    client = TestClient(create_app(services), raise_server_exceptions=False)
    try:
        yield Live(
            client,
            app,
            read,
            listener,
            full.api_key,
            read_only.api_key,
            str(centre.id),
            int(str(category.id)),
            str(UUID(str(pi.id))),
            tmp_path / "media",
            database_url,
        )
    finally:
        client.close()
        runner.stop()
        listener.close()
        app.close()
        runner_app.close()
        pool.close()
