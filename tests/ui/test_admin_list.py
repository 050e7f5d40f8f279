"""The admin submissions list, bulk actions and exports (spec/ui.md §5.7.3, §9 item 11) over the
real stack, with per-role POSTs that bypass the page."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from uuid import UUID

import pytest
from bs4 import BeautifulSoup

from tests.ui.admin_helpers import csrf_of, make_account, sign_in_with_account, sign_in_with_key
from tests.ui.conftest import Site
from web.ui.admin.listing import ORIGINAL_COLUMNS, export_names

pytestmark = pytest.mark.integration


def rows(html: str) -> list[str]:
    table = BeautifulSoup(html, "html.parser").select(
        "#submissions-table tbody tr td:nth-of-type(2) a"
    )
    return [a.get_text(strip=True) for a in table]


@pytest.fixture
def made(site: Site) -> dict[str, dict[str, Any]]:
    out = {
        "Alpha Tool": site.register(service_name="Alpha Tool", licenses=["MIT"]),
        "Beta Base": site.approved(service_name="Beta Base"),
        "Gamma Grid": site.register(service_name="Gamma Grid", submitter_last_name="Zuse"),
        "Delta Old": site.approved(service_name="Delta Old"),
    }
    site.status(out["Delta Old"], "deprecated")
    site.amend_as_owner(out["Beta Base"], service_name="Beta Base Renamed")
    return out


def test_the_list_filters_with_counts_searches_sorts_and_pages(
    site: Site, made: dict[str, Any]
) -> None:
    sign_in_with_key(site.client, site.live.admin_read)
    page = site.client.get("/admin/submissions/")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert set(rows(page.text)) == {"Alpha Tool", "Beta Base Renamed", "Gamma Grid", "Delta Old"}
    soup = BeautifulSoup(page.text, "html.parser")
    submitted = soup.select_one('label[for="f-status-submitted"]')
    assert submitted is not None
    assert "(3)" in submitted.get_text()  # Alpha, Gamma and the reset Beta

    only = site.client.get("/admin/submissions/?status=deprecated")
    assert rows(only.text) == ["Delta Old"]
    assert "1 submission matching Status: Deprecated" in only.text

    changed = site.client.get("/admin/submissions/?changed_since_approval=1")
    assert rows(changed.text) == ["Beta Base Renamed"]

    assert rows(site.client.get("/admin/submissions/?q=zuse").text) == ["Gamma Grid"]
    by_name = site.client.get("/admin/submissions/?sort=service_name")
    assert rows(by_name.text) == ["Alpha Tool", "Beta Base Renamed", "Delta Old", "Gamma Grid"]

    bad = site.client.get("/admin/submissions/?submitted_from=yesterday")
    assert bad.status_code == 200
    assert "submitted_from: enter a date as YYYY-MM-DD." in bad.text


def test_a_viewer_sees_only_the_exports_and_cannot_post_a_status_action(
    site: Site, made: dict[str, Any]
) -> None:
    token = sign_in_with_key(site.client, site.live.admin_read)
    page = site.client.get("/admin/submissions/")
    options = [
        o["value"] for o in BeautifulSoup(page.text, "html.parser").select("#id_action option")
    ]
    assert options == ["export_csv", "export_json"]
    target = made["Alpha Tool"]["id"]
    for confirm in ("", "1"):
        refused = site.client.post(
            "/admin/submissions/bulk",
            data={"action": "approve", "ids": [target], "csrf_token": token, "confirm": confirm},
        )
        assert refused.status_code == 403
    assert site.live.read.submission(UUID(target))["status"] == "submitted"
    exported = site.client.post(
        "/admin/submissions/bulk",
        data={"action": "export_json", "ids": [target], "csrf_token": token},
    )
    assert exported.status_code == 200
    assert [r["service_name"] for r in exported.json()] == ["Alpha Tool"]


def test_a_bulk_action_without_the_csrf_token_changes_nothing(
    site: Site, made: dict[str, Any]
) -> None:
    sign_in_with_key(site.client, site.live.admin_full)
    target = made["Alpha Tool"]["id"]
    refused = site.client.post(
        "/admin/submissions/bulk", data={"action": "approve", "ids": [target], "confirm": "1"}
    )
    assert refused.status_code == 403
    assert site.live.read.submission(UUID(target))["status"] == "submitted"


def test_bulk_approve_confirms_what_changes_and_what_is_skipped_then_records_the_editor(
    site: Site, made: dict[str, Any]
) -> None:
    make_account(site, "edna", "editor")
    token = sign_in_with_account(site.client, "edna", "purple-harbour-lantern-42")
    ids = [made[n]["id"] for n in ("Alpha Tool", "Delta Old", "Gamma Grid")]
    approved = site.approved(service_name="Already Fine")
    ids.append(approved["id"])
    confirm = site.client.post(
        "/admin/submissions/bulk", data={"action": "approve", "ids": ids, "csrf_token": token}
    )
    assert confirm.status_code == 200
    soup = BeautifulSoup(confirm.text, "html.parser")
    change = [li.get_text(" ", strip=True) for li in soup.select("#will-change li")]
    skip = [li.get_text(" ", strip=True) for li in soup.select("#will-skip li")]
    assert sorted(c.split(" — ")[0] for c in change) == ["Alpha Tool", "Gamma Grid"]
    assert sorted(skip) == [
        "Already Fine: already Approved",
        "Delta Old: not allowed from Deprecated",
    ]
    # Nothing happened yet.
    assert site.live.read.submission(UUID(ids[0]))["status"] == "submitted"

    done = site.client.post(
        "/admin/submissions/bulk",
        data={
            "action": "approve",
            "ids": ids,
            "confirm": "1",
            "comment": "Welcome aboard",
            "csrf_token": csrf_of(confirm.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    listing = site.client.get(done.headers["location"])
    assert "2 submissions marked as Approved. 2 skipped:" in listing.text
    for sid in ids[:1] + ids[2:3]:
        assert site.live.read.submission(UUID(sid))["status"] == "approved"
        last = site.live.read.history(UUID(sid))[-1]
        assert last["changed_by"] == "admin:edna"


def test_select_all_matching_reaches_every_page(site: Site) -> None:
    for n in range(32):
        site.register(service_name=f"Bulk {n:02d}")
    token = sign_in_with_key(site.client, site.live.admin_full)
    page = site.client.get("/admin/submissions/?q=bulk")
    assert len(rows(page.text)) == 30
    assert "Select all 32 matching submissions" in page.text
    confirm = site.client.post(
        "/admin/submissions/bulk",
        data={"action": "review", "scope": "all", "query": "q=bulk", "csrf_token": token},
    )
    assert confirm.status_code == 200
    assert "32 submissions will change. 0 will be skipped." in confirm.text


def test_the_exports_follow_the_original_columns_with_the_new_fields_appended(
    site: Site, made: dict[str, Any]
) -> None:
    sign_in_with_key(site.client, site.live.admin_read)
    response = site.client.get("/admin/submissions/export.csv?status=deprecated")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="submissions.csv"'
    table = list(csv.reader(io.StringIO(response.text)))
    header = table[0]
    assert header[: len(ORIGINAL_COLUMNS)] == list(ORIGINAL_COLUMNS)
    assert {"data_access_type", "kpi_since", "related_services"} <= set(
        header[len(ORIGINAL_COLUMNS) :]
    )
    assert header == list(export_names())
    assert len(table) == 2
    record = dict(zip(header, table[1], strict=True))
    assert record["service_name"] == "Delta Old"
    assert record["status"] == "deprecated"
    assert record["service_center"] == "BiGi"
    assert record["data_access_type"] == "open"

    as_json = site.client.get("/admin/submissions/export.json?q=alpha")
    assert as_json.headers["content-disposition"] == 'attachment; filename="submissions.json"'
    items = json.loads(as_json.text)
    assert [i["service_name"] for i in items] == ["Alpha Tool"]
    assert items[0]["submitter"]["last_name"]
    assert items[0]["licenses"] == ["MIT"]


def test_an_as_of_export_shows_the_registry_as_it_was_then(site: Site) -> None:
    import datetime as dt

    before = dt.datetime.now(dt.UTC)
    created = site.approved(service_name="Annual Report Tool")
    then = dt.datetime.now(dt.UTC)
    site.amend_as_owner(created, service_name="Renamed Later")
    site.register(service_name="Too New")
    sign_in_with_key(site.client, site.live.admin_read)

    at = then.isoformat().replace("+00:00", "Z")
    old = site.client.get("/admin/submissions/export.json", params={"as_of": at})
    assert old.status_code == 200
    assert [(i["service_name"], i["status"]) for i in old.json()] == [
        ("Annual Report Tool", "approved")
    ]
    approved = site.client.get(
        "/admin/submissions/export.csv", params={"as_of": at, "status": "approved"}
    )
    assert "Annual Report Tool" in approved.text
    empty = site.client.get("/admin/submissions/export.json", params={"as_of": before.isoformat()})
    assert empty.json() == []
    now = site.client.get("/admin/submissions/export.json").json()
    assert {i["service_name"] for i in now} == {"Renamed Later", "Too New"}
    bad = site.client.get("/admin/submissions/export.json", params={"as_of": "last year"})
    assert bad.status_code == 400
    assert "as_of: enter an instant as RFC 3339" in bad.text
