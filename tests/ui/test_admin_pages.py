"""The admin dashboard, activity, bio.tools and system pages (spec/ui.md §5.7.2, §5.7.6,
§5.7.7) over the real stack, and that every admin route refuses a visitor without a session and
every unsafe one a request without the CSRF token."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from bs4 import BeautifulSoup

from tests.ui.admin_helpers import sign_in_with_key
from tests.ui.conftest import Site, app_client

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
    "/admin/accounts/",
    "/admin/stats/",
    "/admin/stats.csv",
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


def test_the_biotools_page_lists_sync_failures_and_an_editor_syncs_selected_now(
    site: Site,
) -> None:
    from uuid import UUID

    linked = site.register(service_name="Linked Tool", biotools_url="https://bio.tools/linkedtool")
    site.live.app.record_biotools_failure(UUID(linked["id"]), "linkedtool", "bio.tools said 503")
    site.sync()
    asked: list[list[str]] = []

    def refresh(ids: Sequence[str]) -> str:
        asked.append(list(ids))
        return "1 synced (1 updated; 0 errors)"

    with app_client(site, biotools_refresh=refresh) as client:
        viewer = sign_in_with_key(client, site.live.admin_read)
        page = client.get("/admin/biotools/?sync=error")
        assert "linkedtool" in page.text
        assert "Sync failed: bio.tools said 503" in page.text
        assert "Sync selected now" not in page.text  # a Viewer has no button
        refused = client.post(
            "/admin/biotools/sync", data={"ids": [linked["id"]], "csrf_token": viewer}
        )
        assert refused.status_code == 403
        assert asked == []
        client.cookies.clear()
        token = sign_in_with_key(client, site.live.admin_full)
        done = client.post(
            "/admin/biotools/sync",
            data={"ids": [linked["id"]], "csrf_token": token},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert asked == [[linked["id"]]]
        assert (
            "bio.tools sync: 1 synced (1 updated; 0 errors)." in client.get("/admin/biotools/").text
        )
        # "Sync now" on the submission's own page syncs that record and returns there.
        detail = f"/admin/submissions/{linked['id']}/"
        assert "Sync now" in client.get(detail).text
        again = client.post(
            "/admin/biotools/sync",
            data={"ids": [linked["id"]], "next": detail, "csrf_token": token},
            follow_redirects=False,
        )
        assert again.status_code == 303
        assert again.headers["location"] == detail
        assert asked == [[linked["id"]], [linked["id"]]]
        assert "bio.tools sync: 1 synced" in client.get(detail).text
        # A "next" elsewhere is not followed.
        elsewhere = client.post(
            "/admin/biotools/sync",
            data={"ids": [linked["id"]], "next": "https://evil.example/", "csrf_token": token},
            follow_redirects=False,
        )
        assert elsewhere.headers["location"] == "/admin/biotools/"


def test_statistics_come_from_the_event_log(site: Site) -> None:
    approved = site.approved(service_name="Decided Yes")
    rejected = site.register(service_name="Decided No")
    site.status(rejected, "rejected")
    site.register(service_name="Undecided")
    site.amend_as_owner(approved, service_name="Decided Yes (edited)")
    sign_in_with_key(site.client, site.live.admin_read)
    page = site.client.get("/admin/stats/")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    decided = soup.select_one("#decision-times")
    assert decided is not None
    assert "Submissions decided2" in decided.get_text("", strip=True)
    month = [
        [td.get_text() for td in tr.select("td")] for tr in soup.select("#edits-table tbody tr")
    ]
    assert len(month) == 1
    assert month[0][1:] == ["1", "1"]  # one edit, which reset an approval
    centres = [
        [td.get_text() for td in tr.select("td")] for tr in soup.select("#approvals-table tbody tr")
    ]
    assert centres == [["BiGi", "1"]]
    table = site.client.get("/admin/stats.csv").text.splitlines()
    assert table[0] == "metric,key,value"
    assert "decided_submissions,,2" in table
    assert "approvals,BiGi,1" in table


def test_the_activity_atom_feed_needs_the_session_and_names_actors(site: Site) -> None:
    from defusedxml import ElementTree

    created = site.register(service_name="Feed <Atom> & Co")
    site.status(created, "approved")
    assert site.client.get("/admin/activity/feed.atom", follow_redirects=False).status_code == 303
    sign_in_with_key(site.client, site.live.admin_read)
    response = site.client.get("/admin/activity/feed.atom?type=StatusChanged")
    assert response.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ElementTree.fromstring(response.content)
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    assert entries[0].findtext("a:title", namespaces=ns) == "Status changed: Feed <Atom> & Co"
    assert entries[0].findtext("a:author/a:name", namespaces=ns) == "admin:ops"


def queue_rows(html: str) -> dict[str, list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    rows = {}
    for row in soup.select("#queues-table tbody tr"):
        cells = [td.get_text() for td in row.select("td")]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_system_page_shows_the_worker_queues_depth_or_unknown(site: Site) -> None:
    """Messages waiting in the PostgreSQL broker's table (no worker runs here) and delayed ones;
    a broker that cannot be reached shows "unknown", not an error."""
    import dramatiq

    from registry.queues import BrokerQueues
    from workers.broker import make_broker

    assert "queues-table" not in site.client.get("/admin/system/").text  # no broker: not shown
    broker = make_broker(site.url, set_global=False)
    try:
        for i in range(2):
            broker.enqueue(
                dramatiq.Message(
                    queue_name="biotools",
                    actor_name="sync_biotools",
                    args=(f"submission-{i}",),
                    kwargs={},
                    options={},
                )
            )
        later = dramatiq.Message(
            queue_name="mail", actor_name="send_mail", args=("n-1",), kwargs={}, options={}
        )
        broker.enqueue(later, delay=600_000)
    finally:
        broker.close()

    for depth, expected in (
        (BrokerQueues(site.url), {"biotools": ["2", "0", "0"], "mail": ["0", "1", "0"]}),
        (
            BrokerQueues("redis://127.0.0.1:1/0", timeout=1),
            {q: ["unknown"] * 3 for q in ("biotools", "mail")},
        ),
    ):
        with app_client(site, queue_depth=depth) as client:
            sign_in_with_key(client, site.live.admin_read)
            page = client.get("/admin/system/")
            assert page.status_code == 200
            assert queue_rows(page.text) == expected
