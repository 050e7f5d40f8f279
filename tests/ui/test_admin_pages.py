"""The admin dashboard, activity, bio.tools and system pages (spec/ui.md §5.7.2, §5.7.6,
§5.7.7) over the real stack, and that every admin route refuses a visitor without a session and
every unsafe one a request without the CSRF token."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from tests.ui.admin_helpers import sign_in_with_key
from tests.ui.conftest import Site

pytestmark = pytest.mark.integration

PAGES = (
    "/admin/",
    "/admin/submissions/",
    "/admin/submissions/export.csv",
    "/admin/submissions/export.json",
    "/admin/activity/",
    "/admin/biotools/",
    "/admin/system/",
    "/admin/account",
)
ACTIONS = ("/admin/submissions/bulk", "/admin/activity/seen", "/admin/account/password")


def card(html: str, title: str) -> int:
    soup = BeautifulSoup(html, "html.parser")
    for link in soup.select("#dashboard-cards a"):
        if title in link.get_text():
            return int(link.select_one(".card-count").get_text())
    raise AssertionError(title)


def test_every_admin_page_sends_a_visitor_to_sign_in_and_every_action_is_refused(
    site: Site,
) -> None:
    for path in PAGES:
        response = site.client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/admin/sign-in/?next="), path
    for path in ACTIONS:
        assert site.client.post(path, data={}, follow_redirects=False).status_code == 303, path
    sign_in_with_key(site.client, site.live.admin_full)
    for path in ACTIONS:
        assert site.client.post(path, data={"action": "approve"}).status_code == 403, path


def test_the_dashboard_counts_link_to_filtered_lists_and_new_since_the_last_visit(
    site: Site,
) -> None:
    waiting = site.register(service_name="Waiting One")
    site.register(service_name="Waiting Two")
    edited = site.approved(service_name="Edited After Approval")
    site.amend_as_owner(edited, service_name="Edited After Approval v2")
    token = sign_in_with_key(site.client, site.live.admin_full)
    page = site.client.get("/admin/")
    assert card(page.text, "Waiting for review") == 3
    assert card(page.text, "Changed since last approval") == 1
    assert card(page.text, "Approved") == 0
    assert "/admin/submissions/?changed_since_approval=1" in page.text
    lag = BeautifulSoup(page.text, "html.parser").select_one("#lag-summary")
    assert lag is not None
    assert "read table" in lag.get_text()
    new = re.search(r"(\d+) changes?</a> since you last", page.text)
    assert new
    assert int(new.group(1)) >= 5

    activity = site.client.get("/admin/activity/")
    top = re.search(r'name="top" value="(\d+)"', activity.text)
    assert top
    seen = site.client.post(
        "/admin/activity/seen",
        data={"top": top.group(1), "csrf_token": token},
        follow_redirects=False,
    )
    assert seen.status_code == 303
    assert "0 changes</a> since you last" in site.client.get("/admin/").text
    site.status(waiting, "under_review")
    assert "1 change</a> since you last" in site.client.get("/admin/").text


def test_activity_filters_load_newer_and_names_the_actor(site: Site) -> None:
    first = site.register(service_name="Feed One")
    sign_in_with_key(site.client, site.live.admin_full)
    page = site.client.get("/admin/activity/")
    assert page.status_code == 200
    top = int(re.search(r'name="top" value="(\d+)"', page.text).group(1))  # type: ignore[union-attr]
    site.status(first, "approved")
    newer = site.client.get(f"/admin/activity/?after={top}", headers={"HX-Request": "true"})
    assert newer.status_code == 200
    soup = BeautifulSoup(newer.text, "html.parser")
    entries = soup.select("li.entry")
    assert len(entries) == 1
    assert "Status changed" in entries[0].get_text()
    assert "admin:ops" in entries[0].get_text()
    assert "1 new entry" in newer.text
    assert f"after={int(entries[0]['id'].removeprefix('entry-'))}" in newer.text

    only = site.client.get("/admin/activity/?type=StatusChanged&actor=OPS")
    kinds = {
        li.select_one("strong").get_text()
        for li in BeautifulSoup(only.text, "html.parser").select("li.entry")
    }
    assert kinds == {"Status changed"}
    bad = site.client.get("/admin/activity/?from=someday")
    assert "from: enter a date as YYYY-MM-DD." in bad.text


def test_the_system_page_shows_projections_versions_and_admin_keys(site: Site) -> None:
    sign_in_with_key(site.client, site.live.admin_read)
    page = site.client.get("/admin/system/")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    names = {row.select_one("td").get_text() for row in soup.select("#projections-table tbody tr")}
    assert {"submissions", "submission_history", "api_keys"} <= names
    labels = {row.select_one("td").get_text() for row in soup.select("#admin-keys-table tbody tr")}
    assert {"ops", "auditor"} <= labels
    assert "Application" in page.text
    biotools = site.client.get("/admin/biotools/")
    assert biotools.status_code == 200
    assert "No submission is linked to bio.tools" in biotools.text
