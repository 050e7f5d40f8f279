"""Reference data, EDAM, licences, bio.tools, projections and metrics through the real stack."""

from __future__ import annotations

from tests.integration.web.conftest import Live


def test_a_category_is_created_renamed_and_soft_deleted(live: Live) -> None:
    created = live.client.post(
        "/api/v1/categories/", json={"name": "Workflows"}, headers=live.admin()
    )
    assert created.status_code == 201
    cid = created.json()["id"]
    assert created.json() == {"id": cid, "name": "Workflows", "is_active": True}
    renamed = live.client.patch(
        f"/api/v1/categories/{cid}/", json={"name": "Pipelines"}, headers=live.admin()
    )
    assert renamed.json()["name"] == "Pipelines"
    deleted = live.client.delete(f"/api/v1/categories/{cid}/", headers=live.admin())
    assert deleted.status_code == 204
    inactive = live.client.get("/api/v1/categories/?is_active=false", headers=live.admin(False))
    assert [c["id"] for c in inactive.json()] == [cid]
    assert live.client.get(f"/api/v1/categories/{cid}/", headers=live.admin()).status_code == 200


def test_a_duplicate_category_name_is_400(live: Live) -> None:
    response = live.client.post("/api/v1/categories/", json={"name": "Tools"}, headers=live.admin())
    assert response.status_code == 400
    assert "name" in response.json()["error"]


def test_reference_writes_need_a_full_admin_key(live: Live) -> None:
    body = {"last_name": "Curie", "first_name": "Marie"}
    assert live.client.post("/api/v1/pis/", json=body).status_code == 401
    assert live.client.post("/api/v1/pis/", json=body, headers=live.admin(False)).status_code == 403
    created = live.client.post("/api/v1/pis/", json=body, headers=live.admin())
    assert created.status_code == 201
    assert created.json()["display_name"] == "Curie, Marie"


def test_an_invalid_orcid_is_400_naming_it(live: Live) -> None:
    response = live.client.post(
        "/api/v1/pis/",
        json={"last_name": "Curie", "first_name": "Marie", "orcid": "0000-0002-1825-0090"},
        headers=live.admin(),
    )
    assert response.status_code == 400
    assert "orcid" in response.json()["error"]


def test_service_centres_list_and_detail(live: Live) -> None:
    listed = live.client.get("/api/v1/service-centers/", headers=live.admin(False)).json()
    assert [c["short_name"] for c in listed] == ["BiGi"]
    one = live.client.get(f"/api/v1/service-centers/{live.centre}/", headers=live.admin())
    assert one.json()["full_name"] == "Bielefeld-Gießen"
    assert live.client.get("/api/v1/service-centers/nope/", headers=live.admin()).status_code == 404


def test_edam_and_licences_are_public(live: Live) -> None:
    topics = live.client.get("/api/v1/edam/?branch=topic").json()
    assert "topic_0003" not in [t["accession"] for t in topics]
    found = live.client.get("/api/v1/edam/?q=bio-informatics").json()
    assert [t["accession"] for t in found] == ["topic_0091"]
    assert live.client.get("/api/v1/edam/topic_0003/").status_code == 200
    assert live.client.get("/api/v1/edam/topic_9999/").status_code == 404
    licences = live.client.get("/api/v1/licenses/?q=gnu").json()
    assert licences[0]["is_deprecated"] is True


def test_biotools_list_needs_an_admin_key_and_an_unknown_record_is_404(live: Live) -> None:
    assert live.client.get("/api/v1/biotools/").status_code == 401
    page = live.client.get("/api/v1/biotools/", headers=live.admin(False))
    assert page.json()["count"] == 0
    assert live.client.get("/api/v1/biotools/nothing/").status_code == 404


def test_projection_status_and_metrics(live: Live) -> None:
    status = live.client.get("/api/v1/projections/", headers=live.admin(False))
    assert status.status_code == 200
    assert {row["name"] for row in status.json()["projections"]} >= {"submissions", "api_keys"}
    assert live.client.get("/api/v1/projections/").status_code == 401
    live.client.get("/api/v1/edam/")
    assert 'route="/api/v1/edam/"' in live.client.get("/metrics").text
