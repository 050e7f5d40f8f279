"""Submission endpoints through the real app on the real stack."""

from __future__ import annotations

from tests.integration.web.conftest import Live


def test_create_then_read_with_the_owner_key_shows_the_write(live: Live) -> None:
    created = live.create()
    assert created["status"] == "submitted"
    assert created["api_key_warning"].startswith("This key is shown ONCE.")
    for secret in ("internal_contact_email", "internal_contact_name", "submission_ip"):
        assert secret not in created
    detail = live.client.get(f"/api/v1/submissions/{created['id']}/", headers=live.owner(created))
    assert detail.status_code == 200
    assert detail.json()["service_name"] == "Sequence Mapper"
    assert detail.headers["etag"]


def test_the_owner_key_sees_only_its_own_submission(live: Live) -> None:
    mine, other = live.create(), live.create(service_name="Other")
    assert (
        live.client.get(f"/api/v1/submissions/{other['id']}/", headers=live.owner(mine)).status_code
        == 404
    )
    assert (
        live.client.get(
            f"/api/v1/submissions/{other['id']}/", headers=live.admin(full=False)
        ).status_code
        == 200
    )


def test_auth_failures_on_the_detail(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/"
    assert live.client.get(url).status_code == 401
    wrong_scheme = live.client.get(url, headers={"Authorization": f"Bearer {created['api_key']}"})
    assert wrong_scheme.status_code == 401
    empty = live.client.get(url, headers={"Authorization": "ApiKey "})
    assert empty.json()["detail"] == "API key is empty."
    wrong = live.client.get(url, headers={"Authorization": "ApiKey completely-wrong-key-1234"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "Invalid or revoked API key."


def test_a_revoked_key_gets_the_same_401_as_an_unknown_one(live: Live) -> None:
    created = live.create()
    keys = live.client.get(f"/api/v1/submissions/{created['id']}/keys/", headers=live.admin())
    key_id = keys.json()[0]["id"]
    revoked = live.client.post(
        f"/api/v1/submissions/{created['id']}/keys/{key_id}/revoke/", headers=live.admin()
    )
    assert revoked.status_code == 200
    assert revoked.json()["is_active"] is False
    again = live.client.get(f"/api/v1/submissions/{created['id']}/", headers=live.owner(created))
    assert again.status_code == 401
    assert again.json()["detail"] == "Invalid or revoked API key."


def test_invalid_input_names_every_failing_field(live: Live) -> None:
    response = live.client.post(
        "/api/v1/submissions/",
        json=live.payload(website_url="http://insecure.example.org", year_established=1800),
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert {"website_url", "year_established"} <= set(error)
    unknown = live.client.post("/api/v1/submissions/", json=live.payload(colour="red"))
    assert unknown.json()["error"] == {"colour": ["Unknown field."]}


def test_an_owner_patch_is_recorded_as_the_key_label_and_visible_at_once(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/"
    response = live.client.patch(
        url, json={"service_name": "Sequence Mapper 2"}, headers=live.owner(created)
    )
    assert response.status_code == 200
    assert response.json()["service_name"] == "Sequence Mapper 2"
    history = live.client.get(url + "history/", headers=live.owner(created)).json()
    assert history[-1]["changed_by"] == "api:Initial key"
    assert any(c["field"] == "service_name" for c in history[-1]["changes"])


def test_an_unchanged_patch_is_200_with_the_same_etag(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/"
    before = live.client.get(url, headers=live.owner(created)).headers["etag"]
    same = live.client.patch(
        url, json={"service_name": "Sequence Mapper"}, headers=live.owner(created)
    )
    assert same.status_code == 200
    assert same.headers["etag"] == before


def test_a_stale_if_match_is_412(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/"
    etag = live.client.get(url, headers=live.admin()).headers["etag"]
    first = live.client.patch(
        url, json={"comments": "one"}, headers={**live.admin(), "If-Match": etag}
    )
    assert first.status_code == 200
    stale = live.client.patch(
        url, json={"comments": "two"}, headers={**live.admin(), "If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["status"] == 412


def test_read_scopes_cannot_write(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/"
    issued = live.client.post(
        url + "keys/", json={"label": "reader", "scope": "read"}, headers=live.admin()
    ).json()
    reader = {"Authorization": f"ApiKey {issued['api_key']}"}
    assert live.client.get(url, headers=reader).status_code == 200
    assert live.client.patch(url, json={"comments": "x"}, headers=reader).status_code == 403
    admin_read = live.client.patch(url, json={"comments": "x"}, headers=live.admin(False))
    assert admin_read.status_code == 403


def test_put_and_delete_are_405_problems(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/"
    put = live.client.put(url, json=live.payload(), headers=live.owner(created))
    assert put.status_code == 405
    assert put.headers["content-type"] == "application/problem+json"
    assert live.client.delete(url, headers=live.admin()).status_code == 405


def test_the_list_filters_orders_and_pages(live: Live) -> None:
    first = live.create(service_name="Alpha")
    live.create(service_name="Beta", register_as_elixir=True)
    live.create(service_name="Gamma")
    page = live.client.get(
        "/api/v1/submissions/?ordering=service_name&page_size=2", headers=live.admin(False)
    ).json()
    assert page["count"] == 3
    assert [r["service_name"] for r in page["results"]] == ["Alpha", "Beta"]
    assert page["results"][0]["links"]["self"].endswith(f"/api/v1/submissions/{first['id']}/")
    elixir = live.client.get(
        "/api/v1/submissions/?register_as_elixir=true", headers=live.admin()
    ).json()
    assert [r["service_name"] for r in elixir["results"]] == ["Beta"]
    past = live.client.get("/api/v1/submissions/?page=9", headers=live.admin())
    assert past.status_code == 404
    owner = live.client.get("/api/v1/submissions/", headers=live.owner(first))
    assert owner.status_code == 403


def test_idempotent_creation_returns_the_first_response(live: Live) -> None:
    headers = {"Idempotency-Key": "7c1c3c1e-retry"}
    first = live.client.post("/api/v1/submissions/", json=live.payload(), headers=headers)
    again = live.client.post("/api/v1/submissions/", json=live.payload(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["api_key"] == first.json()["api_key"]
    listed = live.client.get("/api/v1/submissions/", headers=live.admin()).json()
    assert listed["count"] == 1


def test_as_of_shows_the_earlier_state_and_refuses_garbage(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/"
    between = live.client.get(url, headers=live.admin()).json()["updated_at"]
    live.client.patch(url, json={"service_name": "Renamed"}, headers=live.admin())
    old = live.client.get(url, params={"as_of": between}, headers=live.admin())
    assert old.status_code == 200
    assert old.json()["service_name"] == "Sequence Mapper"
    assert live.client.get(url + "?as_of=yesterday", headers=live.admin()).status_code == 400
    before = live.client.get(
        url, params={"as_of": "2000-01-01T00:00:00+00:00"}, headers=live.admin()
    )
    assert before.status_code == 404
