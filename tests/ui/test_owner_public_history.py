"""The public change history ``/catalogue/<id>/history/`` (spec/ui.md §5.5.3, SHOULD): public
fields only, from the first approval, unapproved content never shown, people by role."""

from __future__ import annotations

import re
from uuid import UUID

import pytest

from tests.ui.conftest import Site
from web.ui.public_history import public_timeline

pytestmark = pytest.mark.integration


def entries(html: str) -> list[str]:
    return re.findall(r'<li class="timeline-entry" data-version="(\d+)">\s*<h2>([^<]*)</h2>', html)


def test_a_never_approved_service_has_no_public_history_and_an_erased_one_is_gone(
    site: Site,
) -> None:
    draft = site.register(service_name="Hidden Draft")
    site.sync()
    assert site.client.get(f"/catalogue/{draft['id']}/history/").status_code == 404
    assert site.client.get("/catalogue/not-a-uuid/history/").status_code == 404
    gone = site.approved(service_name="Gone Tool")
    site.erase(gone)
    assert site.client.get(f"/catalogue/{gone['id']}/history/").status_code == 410


def test_an_edit_in_review_stays_private_until_its_approval_publishes_it(site: Site) -> None:
    created = site.approved(service_name="Public Tool")
    site.amend_as_owner(
        created,
        service_name="Public Tool Renamed",
        internal_contact_name="Secret Person",
        comments="A private note",
    )
    page = site.client.get(f"/catalogue/{created['id']}/history/")
    assert page.status_code == 200
    assert "Public Tool Renamed" not in page.text
    assert "Secret Person" not in page.text
    assert [h for _, h in entries(page.text)] == ["Published"]
    site.status(created, "approved")
    page = site.client.get(f"/catalogue/{created['id']}/history/")
    assert [h for _, h in entries(page.text)] == ["Update approved and published", "Published"]
    assert "<del>Public Tool</del>" in page.text
    assert "<ins>Public Tool Renamed</ins>" in page.text
    assert "Secret Person" not in page.text
    assert "A private note" not in page.text
    assert "Registry team" in page.text
    for item in site.live.read.history(UUID(created["id"])):
        actor = str(item["changed_by"])
        assert actor not in page.text


def test_a_change_that_keeps_the_approval_is_public_at_once_by_role(site: Site) -> None:
    created = site.approved()
    site.amend_as_owner(created, github_url="https://github.com/example/public")
    page = site.client.get(f"/catalogue/{created['id']}/history/")
    assert [h for _, h in entries(page.text)] == ["Updated", "Published"]
    assert "https://github.com/example/public" in page.text
    assert "Maintainer" in page.text
    service = site.client.get(f"/catalogue/{created['id']}/")
    assert f'href="/catalogue/{created["id"]}/history/"' in service.text


def test_the_timeline_folds_several_edits_in_review_into_one_published_change() -> None:
    def item(version: int, actor: str, *changes: tuple[str, str, str]) -> dict[str, object]:
        return {
            "version": version,
            "changed_by": actor,
            "changed_at": "2026-06-01T12:00:00Z",
            "changes": [
                {"field": f, "label": f.title(), "old": o, "new": n} for f, o, n in changes
            ],
        }

    made = public_timeline(
        [
            item(1, "submitter", ("service_name", "—", "A")),
            item(2, "admin:alice", ("status", "Submitted", "Approved")),
            item(
                3,
                "api:Initial key",
                ("service_name", "A", "B"),
                ("status", "Approved", "Submitted"),
            ),
            item(4, "api:Initial key", ("service_name", "B", "C"), ("comments", "x", "y")),
            item(5, "admin:alice", ("status", "Submitted", "Approved")),
            item(6, "api:Initial key", ("status", "Approved", "Deprecated")),
        ]
    )
    assert [e["heading"] for e in made] == [
        "Deprecated",
        "Update approved and published",
        "Published",
    ]
    rows = made[1]["rows"]
    assert [(r["label"], r["old"], r["new"]) for r in rows] == [("Service_Name", "A", "C")]
    assert made[1]["role"] == "Registry team"
    assert made[0]["role"] == "Maintainer"
