"""The submission detail of the admin console (spec/ui.md §5.7.4; §9 items 2, 3, 9, 12) over the
real stack: status panel, since-last-approval, provenance, keys, erase, edit with conflicts, and
every action's role checked on a direct POST."""

from __future__ import annotations

import re
from typing import Any

import pytest
from httpx import Response

from tests.ui.admin_helpers import (
    PASSWORD,
    csrf_of,
    make_account,
    sign_in_with_account,
    sign_in_with_key,
)
from tests.ui.conftest import Site

pytestmark = pytest.mark.integration


def _detail(site: Site, created: dict[str, Any]) -> str:
    page = site.client.get(f"/admin/submissions/{created['id']}/")
    assert page.status_code == 200, page.text
    return page.text


def _post(site: Site, created: dict[str, Any], path: str, token: str, **data: str) -> Response:
    """POST ``data`` and the CSRF token to ``path`` under the submission's detail page
    (redirects not followed)."""
    return site.client.post(
        f"/admin/submissions/{created['id']}/{path}",
        data={**data, "csrf_token": token},
        follow_redirects=False,
    )


def _version(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match
    return match.group(1)


def _buttons(html: str) -> list[str]:
    form = html.split('id="status-form"', 1)[1].split("</form>", 1)[0]
    return re.findall(r'name="status" value="([a-z_]+)"', form)


def test_the_status_panel_offers_only_the_transitions_the_lifecycle_allows(site: Site) -> None:
    created = site.register(service_name="Panel Service")
    token = sign_in_with_key(site.client, site.live.admin_full)
    html = _detail(site, created)
    assert _buttons(html) == ["approved", "rejected", "under_review", "deprecated"]
    welcome, version = "Welcome to the registry.", _version(html)
    done = _post(
        site, created, "status", token, status="approved", comment=welcome, version=version
    )
    assert done.status_code == 303
    html = _detail(site, created)
    assert "Status changed to Approved." in html
    assert re.search(r"Version 3 · updated <time[^>]*>[^<]+</time> by Admin: ops", html)
    assert _buttons(html) == ["rejected", "under_review", "deprecated"]
    history = site.client.get(f"/admin/submissions/{created['id']}/history").text
    assert "Status changed: Submitted → Approved" in history
    assert "Welcome to the registry." in history
    assert "Admin: ops" in history


def test_a_crafted_disallowed_transition_is_a_409_naming_both_statuses(site: Site) -> None:
    created = site.approved(service_name="Crafted")
    token = sign_in_with_key(site.client, site.live.admin_full)
    html = _detail(site, created)
    response = _post(site, created, "status", token, status="submitted", version=_version(html))
    assert response.status_code == 409
    assert "This status change is not allowed: Approved → Submitted." in response.text


def test_a_stale_version_changes_nothing_and_answers_409(site: Site) -> None:
    created = site.register(service_name="Stale")
    token = sign_in_with_key(site.client, site.live.admin_full)
    html = _detail(site, created)
    site.amend_as_owner(created, service_name="Stale (edited)")
    response = _post(site, created, "status", token, status="approved", version=_version(html))
    assert response.status_code == 409
    assert "changed since you opened the page" in response.text
    assert site.live.read.submission(created["id"])["status"] == "submitted"


def test_the_reviewer_sees_what_changed_since_the_last_approval(site: Site) -> None:
    created = site.approved(service_name="Reviewed", website_url="https://old.example.org")
    site.amend_as_owner(created, service_name="Reviewed Again")
    site.amend_as_owner(created, website_url="https://new.example.org")
    sign_in_with_key(site.client, site.live.admin_read)
    html = _detail(site, created)
    section = html.split('id="since-approval"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"What changed since it was approved \(version \d+ → \d+\)", section)
    assert "<del>Reviewed</del>" in section
    assert "<ins>Reviewed Again</ins>" in section
    assert "https://new.example.org" in section
    assert "unchanged fields — show" in section


def test_every_record_field_says_who_last_changed_it_in_which_version(site: Site) -> None:
    created = site.register(service_name="Blame")
    site.amend_as_owner(created, service_name="Blamed")
    sign_in_with_key(site.client, site.live.admin_read)
    html = _detail(site, created)
    row = html.split('data-field="service_name"', 1)[1].split("</div>", 1)[0]
    assert "Blamed" in row
    link = re.search(r"by API: Initial key \(<a href=\"([^\"]+)#step-(\d+)\">version 3</a>\)", row)
    assert link
    target = site.client.get(link[1].replace("&amp;", "&")).text
    assert f'id="step-{link[2]}" data-version="3"' in target
    description = html.split('data-field="service_description"', 1)[1].split("</div>", 1)[0]
    assert "by Submitter" in description
    assert "version 1</a>" in description


def test_a_viewer_sees_no_actions_and_is_refused_every_action_posted_directly(
    site: Site,
) -> None:
    created = site.approved(service_name="Read Only")
    sign_in_with_key(site.client, site.live.admin_read)
    html = _detail(site, created)
    assert 'id="status-form"' not in html
    assert "Changing it needs the Editor role." in html
    assert "/erase" not in html
    assert f"/admin/submissions/{created['id']}/edit" not in html
    token = csrf_of(html)
    for path, data in (
        ("status", {"status": "rejected"}),
        ("maturity", {"primary": "mature"}),
        ("keys/issue", {"label": "x", "scope": "write"}),
        ("keys/reset", {}),
        ("erase", {"confirm_name": "Read Only"}),
        ("edit", {"version": "2", "service_name": "Hijacked"}),
    ):
        assert _post(site, created, path, token, **data).status_code == 403, path
    doc = site.live.read.submission(created["id"])
    assert doc["status"] == "approved"
    assert doc["service_name"] == "Read Only"
    assert doc["primary_maturity_tag"] is None


def test_maturity_tags_are_set_only_on_approved_services(site: Site) -> None:
    pending = site.register(service_name="Pending Tags")
    approved = site.approved(service_name="Tagged")
    token = sign_in_with_key(site.client, site.live.admin_full)
    assert "Maturity tags can only be set on approved services." in _detail(site, pending)
    forced = _post(site, pending, "maturity", token, primary="mature")
    assert forced.status_code == 409
    html = _detail(site, approved)
    response = _post(
        site,
        approved,
        "maturity",
        token,
        primary="mature",
        secondary="unstable",
        version=_version(html),
    )
    assert response.status_code == 303
    html = _detail(site, approved)
    assert "Leaving Approved clears the maturity tags: Mature (Unstable)." in html


def test_keys_are_issued_once_on_a_no_store_page_and_revoked_with_a_confirmation(
    site: Site,
) -> None:
    created = site.register(service_name="Keyed")
    token = sign_in_with_key(site.client, site.live.admin_full)
    issued = _post(site, created, "keys/issue", token, label="CI robot", scope="read")
    assert issued.status_code == 200
    assert issued.headers["cache-control"] == "no-store"
    assert "Copy it now — it will not be shown again." in issued.text
    key = re.search(r'id="new-key" readonly value="([^"]+)"', issued.text)
    assert key
    check = site.live.client.get(
        f"/api/v1/submissions/{created['id']}/", headers={"Authorization": f"ApiKey {key[1]}"}
    )
    assert check.status_code == 200
    table = site.client.get(f"/admin/submissions/{created['id']}/keys").text
    assert "CI robot" in table
    assert "Read-only" in table
    assert key[1] not in table
    key_id = re.search(
        r'/keys/([0-9a-f-]{36})/revoke">Revoke<span class="visually-hidden"> CI', table
    )
    assert key_id
    confirm = site.client.get(f"/admin/submissions/{created['id']}/keys/{key_id[1]}/revoke")
    assert "Revoke key 'CI robot'" in confirm.text
    revoked = site.client.post(
        f"/admin/submissions/{created['id']}/keys/{key_id[1]}/revoke",
        data={"csrf_token": token},
    )
    assert revoked.status_code == 200
    assert "Key &#39;CI robot&#39; revoked." in revoked.text
    site.sync()
    again = site.live.client.get(
        f"/api/v1/submissions/{created['id']}/", headers={"Authorization": f"ApiKey {key[1]}"}
    )
    assert again.status_code == 401


def test_erasure_needs_the_name_typed_exactly_and_keeps_the_history(site: Site) -> None:
    created = site.register(service_name="Erase Me")
    token = sign_in_with_key(site.client, site.live.admin_full)
    assert f"/admin/submissions/{created['id']}/erase" in _detail(site, created)
    page = site.client.get(f"/admin/submissions/{created['id']}/erase")
    assert "deprecate it instead" in page.text
    wrong = _post(site, created, "erase", token, confirm_name="erase me")
    assert wrong.status_code == 422
    assert "Type the service name exactly to confirm." in wrong.text
    assert site.live.read.submission(created["id"]) is not None
    done = _post(
        site, created, "erase", token, confirm_name="Erase Me", reason="Owner asked (ticket 42)"
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/submissions/"
    assert site.client.get(f"/admin/submissions/{created['id']}/").status_code == 410
    history = site.client.get(f"/admin/submissions/{created['id']}/history")
    assert history.status_code == 200
    assert "Personal data erased" in history.text
    assert "Owner asked (ticket 42)" in history.text
    assert "Ada" not in history.text  # the submitter's first name in the payload
    first = site.client.get(f"/admin/submissions/{created['id']}/versions/1")
    assert first.status_code == 200
    assert "value erased" in first.text
    timeline = site.live.read.submission_timeline(created["id"])
    assert timeline is not None
    assert timeline[-1]["type"] == "Submission.Erased"
    assert timeline[-1]["changed_by"] == "admin:ops"


def test_an_edit_saves_and_says_which_fields_changed(site: Site) -> None:
    created = site.register(service_name="Editable")
    token = sign_in_with_key(site.client, site.live.admin_full)
    form = site.client.get(f"/admin/submissions/{created['id']}/edit").text
    values = _form_values(form)
    response = _post(site, created, "edit", token, **{**values, "service_name": "Edited"})
    assert response.status_code == 303, response.text
    html = _detail(site, created)
    assert "1 field changed: Service Name: Editable → Edited" in html
    assert site.live.read.submission(created["id"])["status"] == "submitted"
    again = site.client.get(f"/admin/submissions/{created['id']}/edit").text
    unchanged = _post(site, created, "edit", token, **_form_values(again))
    assert unchanged.status_code == 303
    assert "Saved — no field values were changed." in _detail(site, created)


def test_a_stale_edit_gets_the_conflict_page_and_a_guided_reapply(site: Site) -> None:
    created = site.register(service_name="Contested", website_url="https://a.example.org")
    token = sign_in_with_key(site.client, site.live.admin_full)
    form = site.client.get(f"/admin/submissions/{created['id']}/edit").text
    values = _form_values(form)
    # Meanwhile the owner renames the service.
    site.amend_as_owner(created, service_name="Contested (owner)")
    mine = {"service_name": "Contested (admin)", "website_url": "https://b.example.org"}
    conflict = _post(site, created, "edit", token, **{**values, **mine})
    assert conflict.status_code == 409
    text = conflict.text
    assert "This submission was changed while you were editing" in text
    assert "Changes made by API: Initial key" in text
    steps = text.split('id="intervening"', 1)[1].split("</ul>", 1)[0]
    assert "Content edited by API: Initial key at" in steps
    assert "Both changed: Service Name" in text
    your = text.split('id="your-changes"', 1)[1].split("</table>", 1)[0]
    assert "https://b.example.org" in your
    assert site.live.read.submission(created["id"])["service_name"] == "Contested (owner)"
    # The form again: the latest name (a decision left to the admin) and the admin's URL.
    reapply = _form_values(text)
    assert reapply["service_name"] == "Contested (owner)"
    assert reapply["website_url"] == "https://b.example.org"
    saved = _post(site, created, "edit", token, **reapply)
    assert saved.status_code == 303
    doc = site.live.read.submission(created["id"])
    assert doc["service_name"] == "Contested (owner)"
    assert doc["website_url"] == "https://b.example.org"


def test_history_filters_versions_as_of_and_compare(site: Site) -> None:
    created = site.register(service_name="Historic")
    site.amend_as_owner(created, service_name="Historic II")
    site.status(created, "approved")
    sign_in_with_key(site.client, site.live.admin_read)
    base = f"/admin/submissions/{created['id']}/"
    everything = site.client.get(base + "history").text
    assert everything.count('class="timeline-entry"') == 4
    assert re.findall(r'data-version="(\d+)"', everything)[0] == "4"  # newest first
    oldest = site.client.get(base + "history?order=oldest").text
    assert re.findall(r'data-version="(\d+)"', oldest)[0] == "1"
    status_only = site.client.get(base + "history?type=status").text
    assert status_only.count('class="timeline-entry"') == 1
    owner_only = site.client.get(base + "history?actor=api%3AInitial+key").text
    assert owner_only.count('class="timeline-entry"') == 1
    first = site.client.get(base + "versions/1")
    assert first.status_code == 200
    assert "You are viewing version 1 of 4" in first.text
    assert 'id="status-form"' not in first.text
    assert "Historic II" not in first.text.split('id="version-banner"', 1)[1]
    assert site.client.get(base + "versions/9").status_code == 404
    compared = site.client.get(base + "compare?from=1&to=4")
    assert compared.status_code == 200
    assert "<del>Historic</del>" in compared.text
    assert "<ins>Historic II</ins>" in compared.text
    assert site.client.get(base + "?as_of=yesterday").status_code == 400
    before = site.client.get(base + "?as_of=2000-01-01T00:00:00Z")
    assert before.status_code == 404
    assert "The submission did not exist at that time." in before.text
    now = site.client.get(base + "?as_of=2999-01-01T00:00:00Z")
    assert now.status_code == 200
    assert "You are viewing version 4 of 4" in now.text


def _form_values(html: str) -> dict[str, str]:
    """The edit form's fields as a browser would post them (checkboxes only when checked)."""
    form = html.split('id="edit-form"', 1)[1].split("</form>", 1)[0]
    values: dict[str, str] = {}
    for tag in re.finditer(r"<input [^>]*>", form):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag[0]))
        if "name" not in attrs or attrs["name"] == "csrf_token":
            continue
        if attrs.get("type") == "checkbox":
            if " checked" in tag[0]:
                values[attrs["name"]] = attrs.get("value", "on")
            continue
        values[attrs["name"]] = _unescape(attrs.get("value", ""))
    for name, body in re.findall(
        r'<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
    ):
        values[name] = _unescape(body)
    for name, body in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        values[name] = _unescape(chosen[1]) if chosen else ""
    return values


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _editor(site: Site) -> str:
    """Sign ``site.client`` in as a named Editor account; return the pages' CSRF token."""
    make_account(site, "eddie", "editor")
    return sign_in_with_account(site.client, "eddie", PASSWORD)


def test_an_editor_approves_and_manages_keys_but_cannot_erase_or_change_reference_data(
    site: Site,
) -> None:
    created = site.register(service_name="Editor Work")
    token = _editor(site)
    html = _detail(site, created)
    approve = _post(site, created, "status", token, status="approved", version=_version(html))
    assert approve.status_code == 303
    issued = _post(site, created, "keys/issue", token, label="Editor key", scope="write")
    assert issued.status_code == 200
    assert "Copy it now" in issued.text
    erase = _post(site, created, "erase", token, confirm_name="Editor Work")
    assert erase.status_code == 403
    reference = site.client.post(
        "/admin/reference/categories/new", data={"name": "Editors' pick", "csrf_token": token}
    )
    assert reference.status_code == 403
    doc = site.live.read.submission(created["id"])
    assert doc is not None
    assert doc["status"] == "approved"
    timeline = site.live.read.submission_timeline(created["id"])
    assert timeline is not None
    assert {e["changed_by"] for e in timeline[-2:]} == {"admin:eddie"}


def test_the_timeline_has_no_cap_and_shows_more_in_pages_of_fifty(site: Site) -> None:
    created = site.register(service_name="Busy")
    sid = created["id"]
    from uuid import UUID

    for i in range(60):
        site.live.app.amend_submission(
            UUID(sid), {"service_name": f"Busy {i}"}, actor="admin:root", by_admin=True
        )
    sign_in_with_key(site.client, site.live.admin_read)
    first = site.client.get(f"/admin/submissions/{sid}/history").text
    assert first.count('class="timeline-entry"') == 50
    more = re.search(r'<li id="show-more"><a href="([^"]+)" hx-get="([^"]+)"', first)
    assert more
    assert "62 of 62 entries" in first
    fragment = site.client.get(more[2].replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.count('class="timeline-entry"') == 12
    assert 'id="show-more"' not in fragment.text
    compared = site.client.get(f"/admin/submissions/{sid}/compare?from=1&to=62").text
    assert "changed 60 times in between" in compared
    assert "<del>Busy</del>" in compared
    assert "<ins>Busy 59</ins>" in compared


def test_a_message_the_domain_refuses_is_a_422_naming_the_problem(site: Site) -> None:
    created = site.register(service_name="Odd Message")
    token = sign_in_with_key(site.client, site.live.admin_full)
    version = _version(_detail(site, created))
    for comment, problem in (
        ("x" * 2001, "The message must be at most 2,000 characters."),
        ("bad \x00 byte", 'id="problem"'),
    ):
        refused = _post(
            site, created, "status", token, status="approved", comment=comment, version=version
        )
        assert refused.status_code == 422, refused.text
        assert problem in refused.text
    doc = site.live.read.submission(created["id"])
    assert doc is not None
    assert doc["status"] == "submitted"


def test_a_key_label_the_domain_refuses_is_a_422(site: Site) -> None:
    created = site.register(service_name="Odd Label")
    token = sign_in_with_key(site.client, site.live.admin_full)
    response = _post(site, created, "keys/issue", token, label="bad \x00 label", scope="write")
    assert response.status_code == 422, response.text
    assert "The key was not issued" in response.text
    assert len(site.live.read.keys_of(created["id"])) == 1
