"""A fresh registry as ``registry up`` composes it, in process: ``registry migrate`` (EDAM and
SPDX from their packages), the write side (``Services``), every projection runner, the
progress listener and the web app of ``registry.webapp``, with the shipped rate limits on.
``starter=True`` adds ``registry reference load-denbi``'s records; no admin key exists."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from domain.application import Registry
from projections.progress import ProgressListener
from projections.projectors import PROJECTORS
from projections.runner import Runner
from registry import setup, starter
from registry.runtime import Services
from registry.webapp import build_app
from schema.settings import Settings
from tests.payloads import submission_payload

pytestmark = pytest.mark.integration


@dataclass
class Fresh:
    """The running registry: an HTTP client, its domain application and read-your-writes."""

    client: TestClient
    registry: Registry
    listener: ProgressListener
    url: str

    def sync(self) -> None:
        """Wait until every projection has applied every event written so far."""
        head = self.registry.recorder.max_notification_id() or 0
        for projector in PROJECTORS:
            assert self.listener.wait_for(projector.name, head, timeout=20), projector.name

    def payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid registration naming the first category and centre the options list, and
        the associated-partner entry (with its note)."""
        options = self.client.get("/api/v1/registration/options/").json()
        return submission_payload(
            category=options["service_categories"]["choices"][0]["id"],
            centre=options["service_centers"]["choices"][0]["id"],
            pi=str(starter.PARTNER_ID),
            **{"associated_partner_note": "Prof. Ada Byron, Analytical University", **overrides},
        )

    def register(self, **overrides: Any) -> dict[str, Any]:
        """POST a valid registration; its 201 body."""
        created = self.client.post("/api/v1/submissions/", json=self.payload(**overrides))
        assert created.status_code == 201, created.text
        body: dict[str, Any] = created.json()
        return body

    def admin_key(self, scope: str = "full") -> dict[str, str]:
        """What ``registry admin-keys create`` prints, as a header (the operator's, not the
        newcomer's)."""
        issued = self.registry.create_admin_key("operator", scope, created_by="cli")
        self.sync()
        return {"Authorization": f"AdminKey {issued.api_key}"}


def open_fresh(database_url: str, *, load_starter: bool, **settings: Any) -> Iterator[Fresh]:
    """The composition of ``registry up`` without the worker and scheduler threads."""
    config = Settings(database_url=database_url, **settings)
    setup.migrate(database_url, config)
    services = Services(database_url, config)
    runner = Runner(database_url, services.registry, PROJECTORS, poll_interval=0.2)
    runner.start()
    listener = ProgressListener(database_url, poll_interval=0.2)
    client = TestClient(build_app(config, services, listener, probes=()))
    fresh = Fresh(client, services.registry, listener, database_url)
    try:
        if load_starter:
            starter.load_denbi(services.registry)
            fresh.sync()
        yield fresh
    finally:
        client.close()
        runner.stop()
        listener.close()
        services.close()


@pytest.fixture
def fresh(database_url: str) -> Iterator[Fresh]:
    """A fresh registry with the starter reference data."""
    yield from open_fresh(database_url, load_starter=True)


@pytest.fixture
def empty(database_url: str) -> Iterator[Fresh]:
    """A fresh registry without any reference record."""
    yield from open_fresh(database_url, load_starter=False)
