"""Submission endpoints over fakes: shapes, parsing failures, concurrency headers, paging."""

from __future__ import annotations

import hashlib

from schema.settings import Settings
from tests.unit.web.conftest import VALID_CREATE, Api, build


def test_create_answers_201_with_the_one_time_key_links_and_etag(api: Api) -> None:
    response = api.client.post("/api/v1/submissions/", json=VALID_CREATE)
    assert response.status_code == 201
    body = response.json()
    assert body["api_key"].startswith("key-")
    assert body["api_key_warning"].startswith("This key is shown ONCE.")
    assert body["links"]["self"].endswith(f"/api/v1/submissions/{body['id']}/")
    assert "version" not in body
    assert response.headers["etag"] == '"1"'


def test_create_passes_the_user_agent_hash_and_no_read_only_members(api: Api) -> None:
    api.client.post(
        "/api/v1/submissions/", json={**VALID_CREATE, "id": "x"}, headers={"User-Agent": "ua"}
    )
    _, (data, _ip, ua_hash) = api.registry.calls[-1]
    assert ua_hash == hashlib.sha256(b"ua").hexdigest()
    assert "id" not in data
    assert data["service_name"] == "Galaxy Europe"


def test_read_only_members_are_ignored_but_unknown_fields_are_named(api: Api) -> None:
    ignored = api.client.post(
        "/api/v1/submissions/", json={**VALID_CREATE, "id": "x", "status": "approved"}
    )
    assert ignored.status_code == 201
    refused = api.client.post("/api/v1/submissions/", json={**VALID_CREATE, "colour": "red"})
    assert refused.status_code == 400
    assert refused.json()["error"] == {"colour": ["Unknown field."]}


def test_every_failing_field_is_named_at_once(api: Api) -> None:
    body = {**VALID_CREATE, "year_established": "soon", "service_category_ids": "1"}
    del body["website_url"]
    response = api.client.post("/api/v1/submissions/", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == {"year_established", "service_category_ids", "website_url"}
    assert error["website_url"] == ["This field is required."]


def test_domain_validation_failures_are_400_with_field_errors(api: Api) -> None:
    response = api.client.post(
        "/api/v1/submissions/", json={**VALID_CREATE, "service_name": "invalid"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"] == {"service_name": ["Bad."], "website_url": ["Bad."]}


def test_a_body_that_is_not_json_is_400_and_a_wrong_type_415(api: Api) -> None:
    broken = api.client.post(
        "/api/v1/submissions/", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    text = api.client.post(
        "/api/v1/submissions/", content=b"service_name=x", headers={"Content-Type": "text/plain"}
    )
    assert text.status_code == 415
    array = api.client.post("/api/v1/submissions/", json=[1, 2])
    assert array.status_code == 400


def test_an_oversized_body_is_413() -> None:
    small = build(Settings(rate_limits="off", max_body_bytes=1024))
    response = small.client.post(
        "/api/v1/submissions/", json={**VALID_CREATE, "comments": "x" * 2000}
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_a_malformed_or_unknown_id_is_404(api: Api) -> None:
    for path in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        response = api.client.get(f"/api/v1/submissions/{path}/", headers=api.admin())
        assert response.status_code == 404
        assert response.json()["error"] == {"detail": "Not found."}


def test_put_and_delete_are_405_after_authentication(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/"
    assert api.client.put(url, json={}).status_code == 401
    put = api.client.put(url, json={}, headers=api.owner(created))
    assert put.status_code == 405
    assert put.json()["detail"] == (
        "Full replacement (PUT) is not supported. Use PATCH for partial updates."
    )
    delete = api.client.delete(url, headers=api.admin())
    assert delete.status_code == 405
    assert delete.headers["content-type"] == "application/problem+json"


def test_patch_by_the_owner_records_the_key_label_as_actor_and_returns_the_new_etag(
    api: Api,
) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/"
    response = api.client.patch(url, json={"service_name": "New"}, headers=api.owner(created))
    assert response.status_code == 200
    assert response.json()["service_name"] == "New"
    assert response.headers["etag"] == '"2"'
    assert api.registry.calls[-1] == (
        "amend",
        ({"service_name": "New"}, "api:Initial key", False, None),
    )


def test_a_stale_if_match_is_412_and_a_malformed_one_400(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/"
    headers = {**api.owner(created), "If-Match": '"7"'}
    assert api.client.patch(url, json={"comments": "a"}, headers=headers).status_code == 412
    headers["If-Match"] = "garbage"
    assert api.client.patch(url, json={"comments": "a"}, headers=headers).status_code == 400
    headers["If-Match"] = '"1"'
    assert api.client.patch(url, json={"comments": "a"}, headers=headers).status_code == 200


def test_an_if_match_of_a_hundred_thousand_digits_is_412_not_500(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/"
    for value in (f'"{"9" * 100_000}"', "9" * 100_000):
        headers = {**api.owner(created), "If-Match": value}
        response = api.client.patch(url, json={"comments": "a"}, headers=headers)
        assert response.status_code == 412, response.text
        assert response.json()["type"].endswith("/stale-version")
        status = api.client.post(url + "status/", json={"status": "deprecated"}, headers=headers)
        assert status.status_code == 412, status.text
    assert api.registry.calls[-1][0] == "register"  # no command ran


def test_null_for_a_non_nullable_field_is_named(api: Api) -> None:
    created = api.create()
    response = api.client.patch(
        f"/api/v1/submissions/{created['id']}/",
        json={"service_name": None},
        headers=api.owner(created),
    )
    assert response.status_code == 400
    assert response.json()["error"] == {"service_name": ["This field may not be null."]}


def test_the_list_passes_filters_and_clamps_the_page_size(api: Api) -> None:
    for _ in range(3):
        api.create()
    response = api.client.get(
        "/api/v1/submissions/?status=approved&page_size=500&ordering=bogus&colour=red",
        headers=api.admin(full=False),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert body["next"] is None
    assert body["previous"] is None
    assert api.read.list_calls[-1] == ({"status": "approved"}, "-submitted_at", 1, 100)


def test_list_pages_link_to_each_other_and_a_page_past_the_end_is_404(api: Api) -> None:
    for _ in range(3):
        api.create()
    first = api.client.get("/api/v1/submissions/?page_size=2", headers=api.admin()).json()
    assert "page=2" in first["next"]
    second = api.client.get(first["next"], headers=api.admin()).json()
    assert second["previous"] is not None
    assert second["next"] is None
    assert (
        api.client.get("/api/v1/submissions/?page=3&page_size=2", headers=api.admin()).status_code
        == 404
    )
    assert api.client.get("/api/v1/submissions/?page=zero", headers=api.admin()).status_code == 404


def test_as_of_needs_an_rfc3339_instant(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/"
    ok = api.client.get(url + "?as_of=2026-06-01T00:00:00Z", headers=api.admin())
    assert ok.status_code == 200
    before = api.client.get(url + "?as_of=2020-01-01T00:00:00%2B02:00", headers=api.admin())
    assert before.status_code == 404
    bad = api.client.get(url + "?as_of=yesterday", headers=api.admin())
    assert bad.status_code == 400
    naive = api.client.get(url + "?as_of=2026-06-01T00:00:00", headers=api.admin())
    assert naive.status_code == 400


def test_an_absurd_page_number_is_404_not_a_database_error(api: Api) -> None:
    response = api.client.get(
        "/api/v1/submissions/?page=10224024658759127725506560", headers=api.admin()
    )
    assert response.status_code == 404


def test_the_key_is_returned_even_when_the_read_side_lags(api: Api) -> None:
    api.read.submission = lambda submission_id: None  # type: ignore[method-assign]
    response = api.client.post("/api/v1/submissions/", json=VALID_CREATE)
    assert response.status_code == 201
    assert response.json()["api_key"].startswith("key-")
    assert response.json()["links"]["self"].endswith(f"{response.json()['id']}/")
