"""A new service provider's path, from an empty registry (the operator has run ``registry
migrate`` and ``registry reference load-denbi``, nothing else) with no admin key, under the
shipped rate limits: learn what to reference, get the payload right from the error documents,
register, keep the key, read back, amend safely, read the history and an earlier state."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.integration.newcomer.conftest import Fresh

pytestmark = pytest.mark.integration


def _first_try() -> dict[str, Any]:
    """What a newcomer sends first, reading only the field names: much is missing."""
    return {
        "date_of_entry": "2026-06-01",
        "service_name": "Peptide Atlas DE",
        "service_description": "Finds peptides.",
        "year_established": 2019,
        "publications_pmids": "12345678",
        "host_institute": "Ruhr University Bochum",
        "public_contact_email": "help@peptides.example.org",
        "internal_contact_name": "Ada Lovelace",
        "internal_contact_email": "ada@peptides.example.org",
        "website_url": "https://peptides.example.org",
        "terms_of_use_url": "https://peptides.example.org/terms",
        "kpi_monitoring": "yes",
    }


def test_a_newcomer_registers_and_keeps_a_service_current_without_any_admin(
    fresh: Fresh,
) -> None:
    client = fresh.client

    # 1. What may a registration reference? No key needed.
    options = client.get("/api/v1/registration/options/").json()
    category = next(
        c["id"] for c in options["service_categories"]["choices"] if c["name"] == "Database"
    )
    centre = next(
        c["id"] for c in options["service_centers"]["choices"] if c["short_name"] == "BioInfra.Prot"
    )
    partner = next(p for p in options["responsible_pis"]["choices"] if p["is_associated_partner"])
    topics = client.get(options["edam_topics"]["search"] + "&q=topic_0121").json()
    assert [t["label"] for t in topics] == ["Proteomics"]
    operations = client.get(options["edam_operations"]["search"] + "&q=peptide&limit=3").json()
    assert 1 <= len(operations) <= 3
    licences = client.get(options["licenses"]["search"] + "?q=apache").json()
    assert "Apache-2.0" in [lic["license_id"] for lic in licences]

    # 2. A first try: each problem is named, in plain words. The body's shape is checked
    # before its rules, so the missing references come first, then every rule at once.
    payload = _first_try()
    first = client.post("/api/v1/submissions/", json=payload)
    assert first.status_code == 400
    assert first.headers["content-type"] == "application/problem+json"
    assert set(first.json()["errors"]) == {
        "service_category_ids",
        "service_center_id",
        "responsible_pi_ids",
    }
    payload.update(
        service_category_ids=[category],
        service_center_id=centre,
        responsible_pi_ids=[partner["id"]],
    )
    second = client.post("/api/v1/submissions/", json=payload)
    assert second.status_code == 400
    refused = second.json()["errors"]
    assert set(refused) == {
        "data_protection_consent",
        "service_description",
        "kpi_since",
        "kpi_start_year",  # the deprecated alias, named for old clients
        "licenses",
        "associated_partner_note",
        "submitter_first_name",
        "submitter_last_name",
        "submitter_affiliation",
    }
    assert refused["service_description"] == ["Service description must be at least 50 characters."]
    assert refused["kpi_since"] == ["Please provide the year KPI monitoring started."]

    # 3. Fixing one thing at a time (ten refusals in all) does not spend the limit of ten
    # registrations a minute: the eleventh attempt registers.
    fixes: list[dict[str, Any]] = [
        {"data_protection_consent": True},
        {"service_description": "Finds and quantifies peptides in mass spectra, per sample."},
        {"kpi_since": "2020"},
        {"associated_partner_note": "Prof. Grace Hopper, Ruhr University Bochum"},
        {"submitter_first_name": "Ada", "submitter_last_name": "Lovelace"},
        {"submitter_affiliation": "Ruhr University Bochum"},
        {"licenses": ["mitt"]},
        {"edam_topic_ids": [topics[0]["accession"]]},
    ]
    for fix in fixes:
        payload.update(fix)
        attempt = client.post("/api/v1/submissions/", json=payload)
        assert attempt.status_code == 400, (fix, attempt.text)
    assert attempt.json()["errors"] == {
        "licenses": [
            '"mitt" is not an SPDX licence identifier this registry knows'
            " (GET /api/v1/licenses/?q=… lists them; case does not matter)."
        ]
    }
    payload["licenses"] = ["mit"]
    created = client.post("/api/v1/submissions/", json=payload)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["licenses"] == ["MIT"]
    assert body["status"] == "submitted"
    sid, key = body["id"], body["api_key"]
    url = f"/api/v1/submissions/{sid}/"

    # 4. The key, sent the wrong way, gets told the right way.
    bearer = client.get(url, headers={"Authorization": f"Bearer {key}"})
    assert bearer.status_code == 401
    assert "'Authorization: ApiKey <key>'" in bearer.json()["detail"]
    owner = {"Authorization": f"ApiKey {key}"}
    read = client.get(url, headers=owner)
    assert read.status_code == 200
    assert read.json()["service_center"]["short_name"] == "BioInfra.Prot"
    etag = read.headers["etag"]

    # 5. Amend with If-Match; a stale ETag changes nothing.
    before_amendment = datetime.now(UTC)
    time.sleep(0.01)
    amended = client.patch(
        url,
        json={"service_description": payload["service_description"] + " Open to everyone."},
        headers={**owner, "If-Match": etag},
    )
    assert amended.status_code == 200, amended.text
    assert amended.headers["etag"] != etag
    stale = client.patch(
        url, json={"keywords_seo": "peptides"}, headers={**owner, "If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["status"] == 412

    # 6. The history and the state as of before the amendment.
    history = client.get(url + "history/", headers=owner).json()
    assert history[0]["changed_by"] == "submitter"
    assert history[-1]["changed_by"] == "api:Initial key"
    assert [c["field"] for c in history[-1]["changes"]] == ["service_description"]
    earlier = client.get(url, params={"as_of": before_amendment.isoformat()}, headers=owner)
    assert earlier.status_code == 200
    assert earlier.json()["service_description"] == (
        "Finds and quantifies peptides in mass spectra, per sample."
    )
