"""The OpenAPI document: served, complete, free of sensitive fields, and committed up to date."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.web.conftest import Api
from web.app import api_routes
from web.openapi import build_openapi

COMMITTED = Path(__file__).parents[3] / "schema" / "openapi.json"


def test_the_committed_schema_is_current() -> None:
    current = json.dumps(build_openapi(), indent=2, sort_keys=True) + "\n"
    assert COMMITTED.read_text() == current, (
        "schema/openapi.json is stale: run `python -m web.openapi > schema/openapi.json`"
    )


def test_the_schema_is_served_as_json_when_asked(api: Api) -> None:
    response = api.client.get("/api/schema/", headers={"Accept": "application/json"})
    assert response.headers["content-type"] == "application/json"
    assert response.json()["openapi"].startswith("3.1")


def test_the_schema_has_both_key_schemes_and_no_sensitive_field() -> None:
    document = build_openapi()
    assert set(document["components"]["securitySchemes"]) == {"AdminKey", "ApiKey"}
    text = json.dumps(document)
    for secret in ("submission_ip", "user_agent_hash", "key_hash", "last_change_summary"):
        assert secret not in text
    create = document["components"]["schemas"]["SubmissionCreate"]["properties"]
    assert create["internal_contact_email"]["writeOnly"] is True
    read = document["components"]["schemas"]["Submission"]["properties"]
    assert "internal_contact_email" not in read
    assert "email" not in document["components"]["schemas"]["PiOut"]["properties"]


def test_every_api_route_is_documented(api: Api) -> None:
    documented = set(build_openapi()["paths"])
    served = {r.path for r in api.client.app.routes if r.path.startswith("/api/v1/")}  # type: ignore[attr-defined]
    assert served - {"/api/v1/"} <= documented
    assert api_routes  # the API is assembled from the same modules
