"""``POST /api/v1/submissions/{id}/erase/`` over fakes: who may erase, what the body may be,
what it answers, and 410 for every read of an erased submission (docs/erasure.md)."""

from __future__ import annotations

import uuid

from tests.unit.web.conftest import Api


def test_a_full_admin_key_erases_with_an_optional_reason(api: Api) -> None:
    sid = api.create()["id"]
    done = api.client.post(f"/api/v1/submissions/{sid}/erase/", headers=api.admin())
    assert done.status_code == 200
    body = done.json()
    assert (body["id"], body["erased"], body["erased_by"], body["reason"]) == (
        sid,
        True,
        "admin:Initial key",
        "",
    )
    assert body["erased_at"].endswith("+00:00")
    other = api.create()["id"]
    with_reason = api.client.post(
        f"/api/v1/submissions/{other}/erase/", json={"reason": "GDPR 7"}, headers=api.admin()
    )
    assert with_reason.json()["reason"] == "GDPR 7"
    assert api.registry.calls[-1] == ("erase", (uuid.UUID(other), "admin:Initial key", "GDPR 7"))


def test_read_admin_keys_owner_keys_and_anonymous_callers_cannot_erase(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/erase/"
    assert api.client.post(url).status_code == 401
    assert api.client.post(url, headers=api.admin(full=False)).status_code == 403
    assert api.client.post(url, headers=api.owner(created)).status_code == 403
    assert not [c for c in api.registry.calls if c[0] == "erase"]


def test_a_body_that_is_not_a_reason_is_refused_before_anything_is_erased(api: Api) -> None:
    sid = api.create()["id"]
    url = f"/api/v1/submissions/{sid}/erase/"
    cases = {
        "not json": api.client.post(
            url, content=b"{", headers={**api.admin(), "Content-Type": "application/json"}
        ),
        "wrong type": api.client.post(
            url, content=b"reason=x", headers={**api.admin(), "Content-Type": "text/plain"}
        ),
        "unknown field": api.client.post(url, json={"because": "x"}, headers=api.admin()),
        "too long": api.client.post(url, json={"reason": "x" * 2001}, headers=api.admin()),
        "not a string": api.client.post(url, json={"reason": 7}, headers=api.admin()),
    }
    assert {k: r.status_code for k, r in cases.items()} == {
        "not json": 400,
        "wrong type": 415,
        "unknown field": 400,
        "too long": 400,
        "not a string": 400,
    }
    assert "reason" in cases["too long"].json()["errors"]
    assert not [c for c in api.registry.calls if c[0] == "erase"]
    null = api.client.post(url, json={"reason": None}, headers=api.admin())
    assert null.status_code == 200


def test_an_erased_submission_answers_410_and_an_unknown_one_404(api: Api) -> None:
    created = api.create()
    sid = created["id"]
    api.client.post(f"/api/v1/submissions/{sid}/erase/", headers=api.admin())
    gone = api.client.get(f"/api/v1/submissions/{sid}/", headers=api.admin())
    assert gone.status_code == 410
    assert gone.headers["content-type"] == "application/problem+json"
    assert gone.json()["type"] == "https://registry.denbi.de/problems/erased"
    assert (
        api.client.post(f"/api/v1/submissions/{sid}/erase/", headers=api.admin()).status_code == 410
    )
    assert (
        api.client.get(f"/api/v1/submissions/{sid}/keys/", headers=api.admin()).status_code == 410
    )
    patched = api.client.patch(
        f"/api/v1/submissions/{sid}/", json={"service_name": "x"}, headers=api.admin()
    )
    assert patched.status_code == 410
    assert (
        api.client.get(f"/api/v1/submissions/{sid}/history/", headers=api.admin()).status_code
        == 200
    )
    unknown = f"/api/v1/submissions/{uuid.uuid4()}/"
    assert api.client.get(unknown, headers=api.admin()).status_code == 404
    assert api.client.post(unknown + "erase/", headers=api.admin()).status_code == 404
