"""An app over in-memory fakes, with a ready admin key (full and read) and an owner key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from schema.settings import Settings
from tests.unit.web.fakes import FakeReadModel, FakeRegistry
from web.app import WebServices, create_app

ADMIN_FULL = "admin-full-plaintext"
ADMIN_READ = "admin-read-plaintext"
VALID_CREATE: dict[str, Any] = {
    "date_of_entry": "2026-01-01",
    "service_name": "Galaxy Europe",
    "service_description": "x" * 60,
    "year_established": 2015,
    "publications_pmids": "12345678",
    "host_institute": "Uni Freiburg",
    "public_contact_email": "help@example.org",
    "internal_contact_name": "Jane Doe",
    "internal_contact_email": "jane@example.org",
    "website_url": "https://example.org",
    "terms_of_use_url": "https://example.org/terms",
    "kpi_monitoring": "yes",
    "kpi_start_year": "2016",
    "service_center_id": str(uuid.uuid4()),
    "service_category_ids": [1],
    "responsible_pi_ids": [str(uuid.uuid4())],
    "licenses": ["MIT"],
    "data_protection_consent": True,
}


@dataclass
class Api:
    client: TestClient
    read: FakeReadModel
    registry: FakeRegistry
    settings: Settings

    def admin(self, full: bool = True) -> dict[str, str]:
        return {"Authorization": f"AdminKey {ADMIN_FULL if full else ADMIN_READ}"}

    def create(self, **overrides: Any) -> dict[str, Any]:
        response = self.client.post("/api/v1/submissions/", json={**VALID_CREATE, **overrides})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def owner(self, created: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"ApiKey {created['api_key']}"}


def build(settings: Settings | None = None, **services: Any) -> Api:
    settings = settings or Settings(rate_limits="off")
    read = FakeReadModel()
    read.add_key(ADMIN_FULL, None, "full")
    read.add_key(ADMIN_READ, None, "read")
    registry = FakeRegistry(read)
    app = create_app(
        WebServices(
            settings=settings,
            registry=registry,
            read_model=read,
            **services,
        )
    )
    return Api(TestClient(app, raise_server_exceptions=False), read, registry, settings)


@pytest.fixture
def api() -> Api:
    return build()
