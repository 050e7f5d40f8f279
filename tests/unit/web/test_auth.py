"""Authentication and permissions, through the app, with the exact messages of spec §3.1."""

from __future__ import annotations

import logging
import uuid

import pytest

from registry.logs import JsonFormatter
from tests.unit.web.conftest import Api
from web.auth import credentials


def test_only_our_two_schemes_followed_by_one_space_count_as_credentials() -> None:
    assert credentials("ApiKey abc ") == ("ApiKey", "abc")
    assert credentials("AdminKey  x") == ("AdminKey", "x")
    assert credentials("Bearer abc") is None
    assert credentials("ApiKeyabc") is None
    assert credentials(None) is None


def test_a_detail_without_credentials_is_401_with_a_challenge(api: Api) -> None:
    created = api.create()
    response = api.client.get(f"/api/v1/submissions/{created['id']}/")
    assert response.status_code == 401
    assert response.json()["error"] == {"detail": "Authentication credentials were not provided."}
    assert response.headers["www-authenticate"].startswith("AdminKey")


def test_a_wrong_scheme_with_a_valid_key_counts_as_anonymous(api: Api) -> None:
    created = api.create()
    response = api.client.get(
        f"/api/v1/submissions/{created['id']}/",
        headers={"Authorization": f"Bearer {created['api_key']}"},
    )
    assert response.status_code == 401


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "apikey", "ADMINKEY"])
def test_a_wrong_scheme_gets_a_401_naming_the_accepted_forms(api: Api, scheme: str) -> None:
    created = api.create()
    response = api.client.get(
        f"/api/v1/submissions/{created['id']}/",
        headers={"Authorization": f"{scheme} {created['api_key']}"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    detail = response.json()["detail"]
    assert f'"{scheme}" is not accepted' in detail
    assert "'Authorization: ApiKey <key>'" in detail
    assert "'Authorization: AdminKey <key>'" in detail
    assert created["api_key"] not in response.text
    assert response.json()["error"] == {"detail": detail}


def test_a_bare_key_without_a_scheme_is_not_echoed_in_the_401(api: Api) -> None:
    created = api.create()
    response = api.client.get("/api/v1/submissions/", headers={"Authorization": created["api_key"]})
    assert response.status_code == 401
    assert created["api_key"] not in response.text
    assert "ApiKey <key>" in response.json()["detail"]


def test_a_wrong_scheme_on_a_public_operation_is_ignored(api: Api) -> None:
    response = api.client.get("/api/v1/edam/", headers={"Authorization": "Bearer whatever"})
    assert response.status_code == 200


def test_an_empty_key_is_exactly_401_with_its_message(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/"
    response = api.client.get(url, headers={"Authorization": "ApiKey "})
    assert response.status_code == 401
    assert response.json()["detail"] == "API key is empty."
    response = api.client.get(url, headers={"Authorization": "AdminKey   "})
    assert response.json()["detail"] == "Admin API key is empty."


def test_a_revoked_key_and_a_wrong_key_get_the_same_answer(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/"
    revoked = api.read.add_key("revoked-key", uuid.UUID(created["id"]), "write", active=False)
    assert revoked.is_active is False
    wrong = api.client.get(url, headers={"Authorization": "ApiKey completely-wrong-key-value-1234"})
    gone = api.client.get(url, headers={"Authorization": "ApiKey revoked-key"})
    assert wrong.status_code == gone.status_code == 401
    assert wrong.json()["detail"] == gone.json()["detail"] == "Invalid or revoked API key."


def test_an_admin_key_presented_as_a_submission_key_is_refused(api: Api) -> None:
    response = api.client.get(
        "/api/v1/submissions/", headers={"Authorization": "ApiKey admin-full-plaintext"}
    )
    assert response.status_code == 401


def test_the_owner_sees_its_own_submission_and_a_404_for_another(api: Api) -> None:
    mine, other = api.create(), api.create()
    ok = api.client.get(f"/api/v1/submissions/{mine['id']}/", headers=api.owner(mine))
    assert ok.status_code == 200
    assert ok.json()["id"] == mine["id"]
    hidden = api.client.get(f"/api/v1/submissions/{other['id']}/", headers=api.owner(mine))
    assert hidden.status_code == 404


def test_a_submission_key_cannot_list_submissions(api: Api) -> None:
    created = api.create()
    response = api.client.get("/api/v1/submissions/", headers=api.owner(created))
    assert response.status_code == 403
    assert response.json()["detail"] == "Admin API key authentication required."


def test_a_read_scoped_owner_key_cannot_patch(api: Api) -> None:
    created = api.create()
    api.read.add_key("read-owner", uuid.UUID(created["id"]), "read")
    response = api.client.patch(
        f"/api/v1/submissions/{created['id']}/",
        json={"service_name": "New"},
        headers={"Authorization": "ApiKey read-owner"},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This API key is read-only. Use a write-scoped key to modify data."
    )


def test_a_read_scoped_admin_key_cannot_patch(api: Api) -> None:
    created = api.create()
    response = api.client.patch(
        f"/api/v1/submissions/{created['id']}/",
        json={"service_name": "New"},
        headers=api.admin(full=False),
    )
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This key is read-only. Use a full-access Admin API Key to modify data."
    )


def test_a_verified_key_reports_each_use_to_the_read_side_which_throttles(api: Api) -> None:
    created = api.create()
    for _ in range(3):
        api.client.get(f"/api/v1/submissions/{created['id']}/", headers=api.owner(created))
    assert len(api.read.touched) == 3
    assert len(set(api.read.touched)) == 1


def test_nothing_of_a_rejected_key_is_logged(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    created = api.create()
    secret = "Zq8vX3kLp2Rw9sTnYb4m"
    with caplog.at_level(logging.DEBUG):
        response = api.client.get(
            f"/api/v1/submissions/{created['id']}/", headers={"Authorization": f"ApiKey {secret}"}
        )
    assert response.status_code == 401
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any('"rejected a key"' in line and '"ApiKey"' in line for line in lines), lines
    # Not the key, not its first 8 characters (what was logged before), not even 4.
    assert not [line for line in lines if secret[:4] in line]
