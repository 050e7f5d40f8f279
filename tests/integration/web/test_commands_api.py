"""Status, maturity, keys, history and the change feed through the real app and stack."""

from __future__ import annotations

from tests.integration.web.conftest import Live


def test_approve_then_tag_then_leaving_approved_clears_the_tags(live: Live) -> None:
    created = live.create()
    base = f"/api/v1/submissions/{created['id']}/"
    approved = live.client.post(base + "status/", json={"status": "approved"}, headers=live.admin())
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    tags = {"primary": "mature", "secondary": ["unstable"]}
    tagged = live.client.put(base + "maturity/", json=tags, headers=live.admin())
    assert tagged.status_code == 200
    assert tagged.json()["primary_maturity_tag"] == "mature"
    review = live.client.post(
        base + "status/", json={"status": "under_review"}, headers=live.admin()
    )
    assert review.json()["primary_maturity_tag"] is None


def test_a_null_primary_tag_clears_the_maturity_tags(live: Live) -> None:
    created = live.create()
    base = f"/api/v1/submissions/{created['id']}/"
    live.client.post(base + "status/", json={"status": "approved"}, headers=live.admin())
    tags = {"primary": "legacy", "secondary": ["unstable"]}
    assert live.client.put(base + "maturity/", json=tags, headers=live.admin()).status_code == 200
    cleared = live.client.put(
        base + "maturity/", json={"primary": None, "secondary": []}, headers=live.admin()
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["primary_maturity_tag"] is None
    assert cleared.json()["secondary_maturity_tags"] == []
    read = live.client.get(base, headers=live.admin()).json()
    assert (read["primary_maturity_tag"], read["secondary_maturity_tags"]) == (None, [])
    bad = live.client.put(
        base + "maturity/", json={"primary": "ancient", "secondary": []}, headers=live.admin()
    )
    assert bad.status_code == 400
    assert list(bad.json()["error"]) == ["primary"]


def test_refused_transitions_are_409_invalid_transition(live: Live) -> None:
    created = live.create()
    base = f"/api/v1/submissions/{created['id']}/"
    draft = live.client.post(base + "status/", json={"status": "draft"}, headers=live.admin())
    assert draft.status_code == 409
    assert draft.json()["type"].endswith("/invalid-transition")
    same = live.client.post(base + "status/", json={"status": "submitted"}, headers=live.admin())
    assert same.status_code == 200
    unknown = live.client.post(base + "status/", json={"status": "gone"}, headers=live.admin())
    assert unknown.status_code == 400


def test_the_owner_may_deprecate_but_not_approve(live: Live) -> None:
    created = live.create()
    base = f"/api/v1/submissions/{created['id']}/"
    approve = live.client.post(
        base + "status/", json={"status": "approved"}, headers=live.owner(created)
    )
    assert approve.status_code == 403
    deprecate = live.client.post(
        base + "status/", json={"status": "deprecated"}, headers=live.owner(created)
    )
    assert deprecate.status_code == 200
    assert deprecate.json()["status"] == "deprecated"


def test_tags_on_a_submission_that_is_not_approved_are_409(live: Live) -> None:
    created = live.create()
    response = live.client.put(
        f"/api/v1/submissions/{created['id']}/maturity/",
        json={"primary": "legacy", "secondary": []},
        headers=live.admin(),
    )
    assert response.status_code == 409


def test_a_new_key_works_at_once_and_reset_revokes_the_old_ones(live: Live) -> None:
    created = live.create()
    base = f"/api/v1/submissions/{created['id']}/"
    issued = live.client.post(
        base + "keys/", json={"label": "CI", "scope": "write"}, headers=live.admin()
    )
    assert issued.status_code == 201
    new_key = {"Authorization": f"ApiKey {issued.json()['api_key']}"}
    assert live.client.get(base, headers=new_key).status_code == 200
    listed = live.client.get(base + "keys/", headers=live.admin()).json()
    assert {k["label"] for k in listed} == {"Initial key", "CI"}
    assert all(len(k["hash_prefix"]) == 16 for k in listed)
    reset = live.client.post(base + "keys/reset/", headers=live.admin())
    assert reset.status_code == 201
    assert live.client.get(base, headers=new_key).status_code == 401
    fresh = {"Authorization": f"ApiKey {reset.json()['api_key']}"}
    assert live.client.get(base, headers=fresh).status_code == 200


def test_key_management_refuses_read_admin_keys_and_owner_keys(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/keys/"
    assert live.client.get(url, headers=live.admin(False)).status_code == 403
    assert live.client.get(url, headers=live.owner(created)).status_code == 403
    unknown = "/api/v1/submissions/00000000-0000-0000-0000-000000000000/keys/"
    assert live.client.get(unknown, headers=live.admin()).status_code == 404
    bad = live.client.post(url, json={"label": "x", "scope": "admin"}, headers=live.admin())
    assert bad.status_code == 400


def test_history_lists_registration_status_and_key_events_oldest_first(live: Live) -> None:
    created = live.create()
    base = f"/api/v1/submissions/{created['id']}/"
    live.client.post(base + "status/", json={"status": "approved"}, headers=live.admin())
    history = live.client.get(base + "history/", headers=live.admin(False)).json()
    versions = [item["version"] for item in history]
    assert versions == sorted(versions)
    assert history[-1]["changed_by"] == "admin:ops"
    other = live.create()
    assert live.client.get(base + "history/", headers=live.owner(other)).status_code == 404


def test_the_change_feed_resumes_without_gaps_or_repeats(live: Live) -> None:
    for name in ("A service", "B service", "C service"):
        live.create(service_name=name)
    seen: list[int] = []
    url = "/api/v1/changes/?limit=2"
    while url:
        page = live.client.get(url, headers=live.admin(False)).json()
        seen += [row["position"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(set(seen))
    assert len(seen) >= 3
    assert live.client.get("/api/v1/changes/", headers=live.owner(live.create())).status_code == 403
