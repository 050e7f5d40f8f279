"""The pages over in-memory fakes: canned catalogue answers in the read port's shape."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from starlette.testclient import TestClient

from schema.settings import Settings
from tests.unit.web.fakes import FakeReadModel, FakeRegistry
from web.app import WebServices, create_app

SERVICE_ID = "7d9f3c2e-0000-4000-8000-000000000001"
CENTRE_ID = "7d9f3c2e-0000-4000-8000-0000000000c1"


def item(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": SERVICE_ID,
        "visibility": "listed",
        "version": 3,
        "status": "approved",
        "service_name": "Proteomics <Toolkit>",
        "service_description": "Finds proteins. See https://example.org/docs and <b>more</b>.",
        "submitted_at": "2026-01-02T10:00:00+00:00",
        "updated_at": "2026-03-04T14:05:00+00:00",
        "service_category_ids": [1],
        "categories": [{"id": 1, "name": "Tools"}],
        "centre": {"id": CENTRE_ID, "short_name": "BiGi", "full_name": "Bielefeld", "website": ""},
        "pis": [
            {
                "id": "p",
                "first_name": "Jörg",
                "last_name": "Müller",
                "institute": "",
                "orcid": "0000-0002-1825-0097",
                "is_associated_partner": False,
                "display_name": "Müller, Jörg",
            }
        ],
        "topics": [
            {
                "accession": "topic_0121",
                "label": "Proteomics",
                "definition": "Proteins.",
                "branch": "topic",
            }
        ],
        "operations": [],
        "licenses_resolved": [{"id": "MIT", "name": "MIT License"}],
        "licenses": ["MIT"],
        "license_note": "",
        "related": [],
        "publications_pmids": "12345678",
        "website_url": "https://example.org",
        "github_url": "https://github.com/x/y",
        "biotools_url": "",
        "fairsharing_url": "",
        "other_registry_url": "",
        "terms_of_use_url": "",
        "public_contact_email": "help@example.org",
        "data_access_type": "open",
        "register_as_elixir": True,
        "primary_maturity_tag": "mature",
        "logo": None,
        "host_institute": "Uni",
        "year_established": 2020,
        "is_toolbox": False,
        "toolbox_name": "",
        "user_knowledge_required": "",
        "keywords_seo": "",
    }
    return {**base, **overrides}


class FakeCatalogue(FakeReadModel):
    def __init__(self) -> None:
        super().__init__()
        self.items = [item()]
        self.services: dict[str, dict[str, Any]] = {SERVICE_ID: item()}
        self.criteria: list[dict[str, Any]] = []

    def catalogue_search(self, criteria: Any) -> dict[str, Any]:
        self.criteria.append(dict(criteria))
        return {
            "total": len(self.items),
            "page": 1,
            "pages": 1,
            "items": self.items,
            "groups": [],
            "facets": {
                "category": [("1", 1)],
                "center": [(CENTRE_ID, 1)],
                "edam": [("topic_0121", 1)],
                "license": [("MIT", 1)],
            },
            "labels": {
                "category": {"1": "Tools"},
                "center": {CENTRE_ID: {"short_name": "BiGi", "full_name": "Bielefeld"}},
                "edam": {"topic_0121": {"label": "Proteomics"}},
                "license": {"MIT": "MIT License"},
            },
        }

    def catalogue_service(self, service_id: uuid.UUID) -> dict[str, Any] | None:
        return self.services.get(str(service_id))

    def catalogue_recent(self, limit: int) -> tuple[int, list[dict[str, Any]]]:
        return len(self.items), [
            {
                "id": SERVICE_ID,
                "service_name": "Proteomics Toolkit",
                "centre": "BiGi",
                "approved_at": "2026-03-04T14:05:00+00:00",
            }
        ]


@pytest.fixture
def read() -> FakeCatalogue:
    return FakeCatalogue()


@pytest.fixture
def client(read: FakeCatalogue) -> TestClient:
    app = create_app(
        WebServices(
            settings=Settings(rate_limits="off"), registry=FakeRegistry(read), read_model=read
        )
    )
    return TestClient(app, raise_server_exceptions=False)
