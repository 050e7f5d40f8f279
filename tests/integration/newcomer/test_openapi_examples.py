"""Every request example of the served OpenAPI document is accepted by a real registry (one
with the starter reference data the examples name), in the order a client would send them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.newcomer.conftest import Fresh

pytestmark = pytest.mark.integration

SUB = "/api/v1/submissions/{id}/"


def test_every_request_example_of_the_document_is_accepted(fresh: Fresh) -> None:
    document = fresh.client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    examples: dict[tuple[str, str], Any] = {
        (method, path): op["requestBody"]["content"]["application/json"]["example"]
        for path, methods in document["paths"].items()
        for method, op in methods.items()
        if "requestBody" in op
    }
    admin = fresh.admin_key()
    sent: set[tuple[str, str]] = set()

    def send(method: str, path: str, ok: int, headers: dict[str, str], **ids: Any) -> Any:
        response = fresh.client.request(
            method, path.format(**ids), json=examples[(method, path)], headers=headers
        )
        assert response.status_code == ok, (method, path, response.text)
        sent.add((method, path))
        return response.json()

    created = send("post", "/api/v1/submissions/", 201, {})
    sid, owner = created["id"], {"Authorization": f"ApiKey {created['api_key']}"}
    amended = send("patch", SUB, 200, owner, id=sid)
    assert amended["licenses"] == ["Apache-2.0", "MIT"]  # sent as mit and apache-2.0
    assert send("post", SUB + "status/", 200, admin, id=sid)["status"] == "under_review"
    approved = fresh.client.post(
        f"/api/v1/submissions/{sid}/status/", json={"status": "approved"}, headers=admin
    )
    assert approved.status_code == 200, approved.text
    assert send("put", SUB + "maturity/", 200, admin, id=sid)["primary_maturity_tag"] == "mature"
    assert send("post", SUB + "keys/", 201, admin, id=sid)["scope"] == "read"
    for kind in ("categories", "service-centers", "pis"):
        collection, item = f"/api/v1/{kind}/", f"/api/v1/{kind}/{{id}}/"
        record = send("post", collection, 201, admin)
        send("put", item, 200, admin, id=record["id"])
        send("patch", item, 200, admin, id=record["id"])
    erased = send("post", SUB + "erase/", 200, admin, id=sid)
    assert (erased["erased"], erased["reason"]) == (True, "Erasure requested by the provider.")

    assert sent == set(examples)
