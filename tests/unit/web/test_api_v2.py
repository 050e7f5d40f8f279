"""``/api/v2/``: the first breaking change, served beside the unchanged ``/api/v1/`` from the same
read side, with its own OpenAPI document (the field catalogue removes ``kpi_start_year`` in 2)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.unit.web.conftest import VALID_CREATE, Api
from web.openapi import build_openapi

COMMITTED_V2 = Path(__file__).parents[3] / "schema" / "openapi-v2.json"


def _stored(api: Api) -> str:
    sid = uuid.uuid4()
    api.read.docs[sid] = {
        "id": str(sid),
        "version": 3,
        "status": "submitted",
        "kpi_since": "2019",
        "kpi_start_year": "2019",
    }
    return str(sid)


def test_v2_serves_the_same_submission_without_the_removed_alias(api: Api) -> None:
    sid = _stored(api)
    v1 = api.client.get(f"/api/v1/submissions/{sid}/", headers=api.admin())
    v2 = api.client.get(f"/api/v2/submissions/{sid}/", headers=api.admin())
    assert v1.status_code == v2.status_code == 200
    assert v1.json()["kpi_start_year"] == v1.json()["kpi_since"] == "2019"
    assert "kpi_start_year" not in v2.json()
    assert v2.json()["kpi_since"] == "2019"
    assert v2.json()["links"]["self"].endswith(f"/api/v2/submissions/{sid}/")
    assert v2.json()["links"]["schema"].endswith("/api/v2/schema/")
    assert v2.headers["etag"] == v1.headers["etag"]
    listed = api.client.get("/api/v2/submissions/", headers=api.admin())
    assert listed.status_code == 200
    assert all("kpi_start_year" not in item for item in listed.json()["results"])


def test_v2_refuses_the_removed_alias_as_an_unknown_field_while_v1_takes_it(api: Api) -> None:
    refused = api.client.post("/api/v2/submissions/", json=VALID_CREATE)
    assert refused.status_code == 400
    assert refused.json()["error"] == {"kpi_start_year": ["Unknown field."]}
    body = {k: v for k, v in VALID_CREATE.items() if k != "kpi_start_year"}
    created = api.client.post("/api/v2/submissions/", json={**body, "kpi_since": "2016"})
    assert created.status_code == 201, created.text
    assert created.json()["links"]["self"].startswith("http")
    assert "/api/v2/submissions/" in created.json()["links"]["self"]
    accepted = api.client.post("/api/v1/submissions/", json=VALID_CREATE)
    assert accepted.status_code == 201
    _, (data, _ip, _ua) = api.registry.calls[-1]
    assert data["kpi_since"] == "2016"


def test_each_version_has_its_own_openapi_document(api: Api) -> None:
    v1 = api.client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    v2 = api.client.get("/api/v2/schema/", headers={"Accept": "application/json"}).json()
    assert v1["info"]["version"].startswith("1.")
    assert v2["info"]["version"] == "2.0.0"
    assert set(v2["paths"]) == {"/api/v2/submissions/", "/api/v2/submissions/{id}/"}
    v1_props = v1["components"]["schemas"]["Submission"]["properties"]
    v2_props = v2["components"]["schemas"]["Submission"]["properties"]
    assert v1_props["kpi_start_year"]["deprecated"] is True
    assert "kpi_start_year" not in v2_props
    assert "kpi_start_year" not in v2["components"]["schemas"]["SubmissionPatch"]["properties"]
    assert set(v1_props) - set(v2_props) == {"kpi_start_year"}


def test_the_committed_v2_schema_is_current() -> None:
    current = json.dumps(build_openapi(2), indent=2, sort_keys=True) + "\n"
    assert COMMITTED_V2.read_text() == current, (
        "schema/openapi-v2.json is stale: run `python -m web.openapi 2 > schema/openapi-v2.json`"
    )
