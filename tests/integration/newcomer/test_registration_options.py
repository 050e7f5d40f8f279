"""The public read of what a registration may reference, on the real stack."""

from __future__ import annotations

import pytest

from registry import starter
from tests.integration.newcomer.conftest import Fresh

pytestmark = pytest.mark.integration
URL = "/api/v1/registration/options/"


def test_a_fresh_registry_offers_nothing_until_reference_data_is_loaded(empty: Fresh) -> None:
    body = empty.client.get(URL).json()
    assert body["service_categories"]["choices"] == []
    assert body["service_centers"]["choices"] == []
    assert body["responsible_pis"]["choices"] == []


def test_the_starter_data_gives_centres_categories_and_the_partner_entry(fresh: Fresh) -> None:
    body = fresh.client.get(URL).json()
    centres = {c["short_name"]: c for c in body["service_centers"]["choices"]}
    assert set(centres) == {short for short, _, _ in starter.CENTRES}
    assert centres["HD-HuB"] == {
        "id": str(starter.centre_id("HD-HuB")),
        "short_name": "HD-HuB",
        "full_name": "Heidelberg Center for Human Bioinformatics",
        "website": "https://www.hd-hub.de/",
        "ror_id": "",
    }
    names = [c["name"] for c in body["service_categories"]["choices"]]
    assert names == sorted(starter.CATEGORIES)
    assert body["responsible_pis"]["choices"] == [
        {
            "id": str(starter.PARTNER_ID),
            "display_name": "Associated partner [please state below]",
            "institute": "",
            "is_associated_partner": True,
        }
    ]


def test_loading_the_starter_data_twice_records_nothing_new(fresh: Fresh) -> None:
    again = starter.load_denbi(fresh.registry)
    assert (again.centres, again.categories, again.partner, again.position) == (0, 0, False, None)


def test_only_active_records_and_only_public_pi_members_are_listed(fresh: Fresh) -> None:
    admin = fresh.admin_key()
    pi = fresh.client.post(
        "/api/v1/pis/",
        json={
            "last_name": "Doe",
            "first_name": "Jane",
            "email": "jane.doe@uni.example",
            "institute": "Bielefeld University",
            "orcid": "0000-0002-1825-0097",
        },
        headers=admin,
    ).json()
    old = fresh.client.post("/api/v1/categories/", json={"name": "Old"}, headers=admin).json()
    assert fresh.client.delete(f"/api/v1/categories/{old['id']}/", headers=admin).status_code == 204

    response = fresh.client.get(URL)
    assert "jane.doe@uni.example" not in response.text
    assert "0000-0002-1825-0097" not in response.text
    body = response.json()
    assert "Old" not in [c["name"] for c in body["service_categories"]["choices"]]
    listed = {p["id"]: p for p in body["responsible_pis"]["choices"]}
    assert listed[pi["id"]] == {
        "id": pi["id"],
        "display_name": "Doe, Jane",
        "institute": "Bielefeld University",
        "is_associated_partner": False,
    }


def test_the_etag_holds_until_a_listed_record_changes_and_not_on_a_registration(
    fresh: Fresh,
) -> None:
    tag = fresh.client.get(URL).headers["etag"]
    assert fresh.client.get(URL, headers={"If-None-Match": tag}).status_code == 304

    admin = fresh.admin_key()  # an event the options do not depend on
    assert fresh.client.get(URL, headers={"If-None-Match": tag}).status_code == 304

    centre = str(starter.centre_id("RBC"))
    renamed = fresh.client.patch(
        f"/api/v1/service-centers/{centre}/",
        json={"full_name": "RNA Bioinformatics Center Freiburg"},
        headers=admin,
    )
    assert renamed.status_code == 200
    changed = fresh.client.get(URL, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
    assert "RNA Bioinformatics Center Freiburg" in changed.text
