"""Reference data, EDAM, licences, bio.tools, change feed and projections over fakes."""

from __future__ import annotations

from tests.unit.web.conftest import Api, build


def test_categories_are_created_listed_patched_and_soft_deleted(api: Api) -> None:
    created = api.client.post("/api/v1/categories/", json={"name": "Tools"}, headers=api.admin())
    assert created.status_code == 201
    cid = created.json()["id"]
    assert (
        api.client.patch(
            f"/api/v1/categories/{cid}/", json={"name": "Tooling"}, headers=api.admin()
        ).json()["name"]
        == "Tooling"
    )
    deleted = api.client.delete(f"/api/v1/categories/{cid}/", headers=api.admin())
    assert deleted.status_code == 204
    assert deleted.content == b""
    inactive = api.client.get("/api/v1/categories/?is_active=false", headers=api.admin())
    assert [c["id"] for c in inactive.json()] == [cid]
    assert api.client.get("/api/v1/categories/?is_active=true", headers=api.admin()).json() == []


def test_reference_writes_need_a_full_admin_key(api: Api) -> None:
    body = {"short_name": "X", "full_name": "X centre"}
    assert api.client.post("/api/v1/service-centers/", json=body).status_code == 401
    read_only = api.client.post("/api/v1/service-centers/", json=body, headers=api.admin(False))
    assert read_only.status_code == 403
    assert api.client.get("/api/v1/pis/", headers=api.admin(False)).status_code == 200


def test_reference_ids_of_the_wrong_form_are_404(api: Api) -> None:
    assert api.client.get("/api/v1/categories/abc/", headers=api.admin()).status_code == 404
    assert api.client.get("/api/v1/pis/17/", headers=api.admin()).status_code == 404
    assert (
        api.client.patch("/api/v1/categories/99/", json={}, headers=api.admin()).status_code == 404
    )


def test_a_pi_needs_both_names(api: Api) -> None:
    response = api.client.post("/api/v1/pis/", json={"orcid": 5}, headers=api.admin())
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"first_name", "last_name", "orcid"}


def test_the_edam_limit_is_optional_capped_and_checked(api: Api) -> None:
    def limit(query: str) -> object:
        return api.client.get(f"/api/v1/edam/{query}").json()[0]["limit"]

    assert limit("") is None  # without it, every match, as before
    assert limit("?limit=10") == 10
    assert limit("?limit=100000") == 500
    for bad in ("0", "-1", "ten", "1.5", "²"):
        refused = api.client.get(f"/api/v1/edam/?limit={bad}")
        assert refused.status_code == 400, bad
        assert refused.json()["errors"] == {"limit": ["Must be a whole number from 1 to 500."]}


def test_edam_and_licences_are_public(api: Api) -> None:
    assert api.client.get("/api/v1/edam/?branch=topic&q=x").json()[0]["q"] == "x"
    assert api.client.get("/api/v1/edam/topic_0091/").status_code == 200
    assert api.client.get("/api/v1/edam/topic_9999/").status_code == 404
    assert api.client.get("/api/v1/licenses/?q=mit").json()[0]["license_id"] == "MIT"


def test_biotools_list_is_admin_only_and_the_record_public(api: Api) -> None:
    assert api.client.get("/api/v1/biotools/").status_code == 401
    page = api.client.get("/api/v1/biotools/", headers=api.admin(False)).json()
    assert page["count"] == 1
    assert api.client.get("/api/v1/biotools/tool/").status_code == 200
    assert api.client.get("/api/v1/biotools/other/").status_code == 404


def test_the_change_feed_pages_by_position(api: Api) -> None:
    first = api.client.get("/api/v1/changes/?limit=2", headers=api.admin(False)).json()
    assert [r["position"] for r in first["results"]] == [1, 2]
    second = api.client.get(first["next"], headers=api.admin(False)).json()
    assert [r["position"] for r in second["results"]] == [3, 4]
    assert api.client.get("/api/v1/changes/?after=-1", headers=api.admin()).status_code == 400
    assert api.client.get("/api/v1/changes/").status_code == 401


def test_projection_status_is_for_admins() -> None:
    api = build(projection_status=lambda: [{"name": "submissions", "live": 1}])
    assert api.client.get("/api/v1/projections/").status_code == 401
    ok = api.client.get("/api/v1/projections/", headers=api.admin(False))
    assert ok.json() == {"projections": [{"name": "submissions", "live": 1}]}


def test_patching_is_active_reactivates_a_record(api: Api) -> None:
    created = api.client.post("/api/v1/categories/", json={"name": "A"}, headers=api.admin())
    cid = created.json()["id"]
    api.client.delete(f"/api/v1/categories/{cid}/", headers=api.admin())
    again = api.client.patch(
        f"/api/v1/categories/{cid}/", json={"is_active": True}, headers=api.admin()
    )
    assert again.json()["is_active"] is True


def test_a_malformed_submission_filter_on_biotools_is_400(api: Api) -> None:
    response = api.client.get("/api/v1/biotools/?submission=nope", headers=api.admin())
    assert response.status_code == 400
    assert response.json()["error"] == {"submission": ["Enter a valid UUID."]}


def test_ids_and_numbers_that_are_digits_only_to_unicode_are_not_a_server_error(api: Api) -> None:
    """'²' passes str.isdigit() but not int(): a 404/400, never a 500."""
    assert api.client.get("/api/v1/categories/%C2%B2/", headers=api.admin()).status_code == 404
    long = api.client.get("/api/v1/categories/" + "9" * 5000 + "/", headers=api.admin())
    assert long.status_code == 404
    assert (
        api.client.get("/api/v1/submissions/?page=%C2%B2", headers=api.admin()).status_code == 404
    )
    size = api.client.get("/api/v1/submissions/?page_size=%C2%B2", headers=api.admin())
    assert size.status_code == 200
    changes = api.client.get("/api/v1/changes/?after=%C2%B2", headers=api.admin())
    assert changes.status_code == 400
