"""Status, maturity, keys and history endpoints over fakes."""

from __future__ import annotations

from tests.unit.web.conftest import Api


def test_an_admin_moves_the_status_and_gets_the_submission(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/status/"
    response = api.client.post(url, json={"status": "approved"}, headers=api.admin())
    assert response.status_code == 200
    assert response.json()["status"] == "approved"


def test_an_unknown_status_is_400_and_a_refused_one_409_invalid_transition(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/status/"
    unknown = api.client.post(url, json={"status": "gone"}, headers=api.admin())
    assert unknown.status_code == 400
    assert "status" in unknown.json()["error"]
    refused = api.client.post(url, json={"status": "draft"}, headers=api.admin())
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/invalid-transition")


def test_maturity_tags_need_a_full_admin_key_and_an_approved_submission(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/maturity/"
    body = {"primary": "mature", "secondary": ["unstable"]}
    assert api.client.put(url, json=body, headers=api.owner(created)).status_code == 403
    assert api.client.put(url, json=body, headers=api.admin(full=False)).status_code == 403
    assert api.client.put(url, json=body, headers=api.admin()).status_code == 409
    bad = api.client.put(url, json={"primary": "shiny", "secondary": []}, headers=api.admin())
    assert bad.status_code == 400
    assert set(bad.json()["error"]) == {"primary"}


def test_issuing_a_key_shows_the_plaintext_once_and_listing_never_does(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/keys/"
    issued = api.client.post(url, json={"label": "CI", "scope": "read"}, headers=api.admin())
    assert issued.status_code == 201
    body = issued.json()
    assert body["api_key"].startswith("issued-")
    assert {"id", "label", "scope", "is_active", "created_at"} <= set(body)
    listed = api.client.get(url, headers=api.admin())
    assert listed.status_code == 200
    assert all("api_key" not in k and len(k["hash_prefix"]) == 16 for k in listed.json())


def test_key_management_needs_a_full_admin_key(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/keys/"
    assert api.client.get(url).status_code == 401
    assert api.client.get(url, headers=api.owner(created)).status_code == 403
    assert api.client.get(url, headers=api.admin(full=False)).status_code == 403


def test_revoking_a_key_makes_it_fail_like_an_unknown_one(api: Api) -> None:
    created = api.create()
    keys = api.client.get(f"/api/v1/submissions/{created['id']}/keys/", headers=api.admin())
    key_id = keys.json()[0]["id"]
    revoke = f"/api/v1/submissions/{created['id']}/keys/{key_id}/revoke/"
    response = api.client.post(revoke, headers=api.admin())
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    again = api.client.get(f"/api/v1/submissions/{created['id']}/", headers=api.owner(created))
    assert again.status_code == 401


def test_reset_answers_201_with_a_new_write_key(api: Api) -> None:
    created = api.create()
    response = api.client.post(
        f"/api/v1/submissions/{created['id']}/keys/reset/", headers=api.admin()
    )
    assert response.status_code == 201
    assert response.json()["scope"] == "write"


def test_key_commands_on_an_unknown_submission_are_404(api: Api) -> None:
    url = "/api/v1/submissions/00000000-0000-0000-0000-000000000001/keys/"
    assert api.client.get(url, headers=api.admin()).status_code == 404
    assert api.client.post(url, json={"label": "x"}, headers=api.admin()).status_code == 404


def test_history_is_for_the_owner_and_admins_only(api: Api) -> None:
    mine, other = api.create(), api.create()
    url = f"/api/v1/submissions/{mine['id']}/history/"
    assert api.client.get(url, headers=api.owner(mine)).status_code == 200
    assert api.client.get(url, headers=api.owner(other)).status_code == 404
    assert api.client.get(url).status_code == 401
    assert api.client.get(url, headers=api.admin(full=False)).json()[0]["version"] == 1
