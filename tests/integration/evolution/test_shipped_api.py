"""The four shipped changes through the real app on the real stack, once the new versions of
the read tables are live: ``data_access_type``, ``ror_id``, related services and the
``kpi_start_year`` -> ``kpi_since`` rename with its compatibility window."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from projections import operations
from tests.integration.evolution.old_store import CHANGED
from tests.integration.web.conftest import Live, live

__all__ = ["live"]


@pytest.fixture
def new(live: Live, database_url: str) -> Live:
    """The live stack: its fresh database serves the changed read tables (or later versions of
    them) from the start."""
    served = {s.name: s.version for s in operations.status(database_url) if s.live}
    assert all(served[name] >= version for name, version in CHANGED), served
    return live


def _history_changes(new: Live, sid: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = new.client.get(f"/api/v1/submissions/{sid}/history/", headers=headers)
    assert response.status_code == 200, response.text
    return [change for item in response.json() for change in item.get("changes", [])]


def test_data_access_type_is_written_read_labelled_and_filtered(new: Live) -> None:
    created = new.create(data_access_type="restricted")
    assert created["data_access_type"] == "restricted"
    assert new.create()["data_access_type"] == "open"
    path = f"/api/v1/submissions/{created['id']}/"
    bad = new.client.patch(path, json={"data_access_type": "secret"}, headers=new.owner(created))
    assert bad.status_code == 400
    assert list(bad.json()["error"]) == ["data_access_type"]
    patched = new.client.patch(
        path, json={"data_access_type": "closed"}, headers=new.owner(created)
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["data_access_type"] == "closed"
    assert {
        "field": "data_access_type",
        "label": "Data Access Type",
        "old": "Restricted access",
        "new": "Closed / on request",
    } in _history_changes(new, created["id"], new.admin())
    listed = new.client.get("/api/v1/submissions/?data_access_type=closed", headers=new.admin())
    assert [item["id"] for item in listed.json()["results"]] == [created["id"]]


def test_kpi_start_year_stays_a_deprecated_alias_of_kpi_since(new: Live) -> None:
    created = new.create()  # the payload still says kpi_start_year, as old clients do
    assert created["kpi_since"] == created["kpi_start_year"] == "2021"
    path = f"/api/v1/submissions/{created['id']}/"
    owner = new.owner(created)
    renamed = new.client.patch(path, json={"kpi_since": "2022"}, headers=owner)
    assert renamed.json()["kpi_since"] == renamed.json()["kpi_start_year"] == "2022"
    same = new.client.patch(
        path, json={"kpi_since": "2023", "kpi_start_year": "2023"}, headers=owner
    )
    assert same.status_code == 200, same.text
    conflict = new.client.patch(
        path, json={"kpi_since": "2024", "kpi_start_year": "2019"}, headers=owner
    )
    assert conflict.status_code == 400
    assert list(conflict.json()["error"]) == ["kpi_start_year"]
    missing = new.client.patch(path, json={"kpi_start_year": ""}, headers=owner)
    assert missing.status_code == 400
    assert set(missing.json()["error"]) == {"kpi_since", "kpi_start_year"}
    assert new.client.get(path, headers=owner).json()["kpi_start_year"] == "2023"


def test_related_services_are_symmetric_logged_on_both_sides_and_dropped_on_erasure(
    new: Live,
) -> None:
    a = new.create(service_name="Alpha Mapper")
    b = new.create(service_name="Beta Mapper")
    path_a, path_b = (f"/api/v1/submissions/{s['id']}/" for s in (a, b))
    related = new.client.patch(
        path_a, json={"related_service_ids": [b["id"]]}, headers=new.owner(a)
    )
    assert related.status_code == 200, related.text
    assert related.json()["related_services"] == [{"id": b["id"], "service_name": "Beta Mapper"}]
    other_side = new.client.get(path_b, headers=new.owner(b)).json()
    assert other_side["related_services"] == [{"id": a["id"], "service_name": "Alpha Mapper"}]
    assert any(
        c["field"] == "related_services" for c in _history_changes(new, a["id"], new.admin())
    )
    assert any(
        c["field"] == "related_services" for c in _history_changes(new, b["id"], new.admin())
    )

    for ids in ([a["id"]], ["00000000-0000-4000-8000-000000000000"], ["not-a-uuid"]):
        refused = new.client.patch(path_a, json={"related_service_ids": ids}, headers=new.owner(a))
        assert refused.status_code == 400, ids
        assert list(refused.json()["error"]) == ["related_service_ids"]

    result = new.app.erase_submission(UUID(b["id"]), actor="admin:root")
    assert new.listener.wait_for("submissions", result.position, timeout=20)
    assert new.client.get(path_a, headers=new.owner(a)).json()["related_services"] == []


def test_a_centre_takes_a_checked_ror_id(new: Live) -> None:
    body = {"short_name": "HD", "full_name": "Heidelberg", "ror_id": "https://ror.org/038t36y30"}
    created = new.client.post("/api/v1/service-centers/", json=body, headers=new.admin())
    assert created.status_code == 201, created.text
    assert created.json()["ror_id"] == "https://ror.org/038t36y30"
    wrong = {**body, "short_name": "HD2", "ror_id": "https://ror.org/038t36y31"}
    refused = new.client.post("/api/v1/service-centers/", json=wrong, headers=new.admin())
    assert refused.status_code == 400
    assert list(refused.json()["error"]) == ["ror_id"]
