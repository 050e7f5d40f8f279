"""The owner's update flow (spec/ui.md §5.6, §3.5, §8, §9 item 1) over the real stack: routes
with cookies, CSRF and redirects on PostgreSQL, the same domain commands and actor as the API's
PATCH, the reset rule asked in advance without recording anything."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from tests.ui.conftest import Site, app_client
from web.ui.owner import READ_ONLY

pytestmark = pytest.mark.integration

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_of(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, key: str, **fields: str) -> Any:
    page = client.get("/update/")
    return client.post(
        "/update/",
        data={"api_key": key, **fields, "csrf_token": token_of(page.text)},
        follow_redirects=False,
    )


def signed_in(site: Site, created: dict[str, Any]) -> TestClient:
    response = sign_in(site.client, created["api_key"])
    assert response.status_code == 303, response.text
    return site.client


def version_of(site: Site, created: dict[str, Any]) -> int:
    return int(site.live.app.get_submission(UUID(created["id"])).version)


def edit_form(client: TestClient) -> dict[str, Any]:
    """The edit form's fields as the browser would send them (text inputs, checked radios)."""
    return edit_form_of(client.get("/update/edit/").text)


def edit_form_of(page: str) -> dict[str, Any]:
    """The fields of the edit form on ``page``."""
    html = page[page.index('id="edit-form"') :]
    html = html[: html.index("</form>")]
    data: dict[str, Any] = {}
    for match in re.finditer(r"<input ([^>]*)>", html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', match.group(1)))
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name or name == "q" or kind == "file":
            continue
        value = _unescape(attrs.get("value", ""))
        if kind in ("radio", "checkbox"):
            if " checked" in match.group(1):
                data.setdefault(name, []).append(value)
        else:
            data.setdefault(name, value)  # the first: a picker's text field, not its chips
    for match in re.finditer(
        r'<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        data[match.group(1)] = _unescape(match.group(2))
    return data


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


# -- sign-in --------------------------------------------------------------------------------------


def test_the_update_page_asks_for_the_key_as_a_password_and_is_not_stored(site: Site) -> None:
    page = site.client.get("/update/")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "<h1>Update your registration</h1>" in page.text
    field = re.search(r'<input id="id_api_key"[^>]*>', page.text)
    assert field
    assert 'type="password"' in field.group(0)
    assert 'autocomplete="current-password"' in field.group(0)
    assert 'spellcheck="false"' in field.group(0)
    assert "Lost your key?" in page.text


def test_a_wrong_key_is_refused_with_the_error_summary_and_no_session(site: Site) -> None:
    response = sign_in(site.client, "x" * 40)
    assert response.status_code == 403
    assert "Invalid API key. Please check and try again." in response.text
    assert 'href="#id_api_key"' in response.text
    assert response.text.count("<title>Error: ") == 1
    assert "registry_owner" not in site.client.cookies


def test_an_empty_or_malformed_key_names_the_field(site: Site) -> None:
    empty = sign_in(site.client, "")
    assert empty.status_code == 422
    assert "API key is required." in empty.text
    short = sign_in(site.client, "short")
    assert short.status_code == 422
    assert "Invalid API key format." in short.text


def test_a_revoked_key_is_refused_like_an_unknown_one(site: Site) -> None:
    created = site.register()
    site.live.client.post(
        f"/api/v1/submissions/{created['id']}/keys/reset/", headers=site.live.admin()
    )
    site.sync()
    response = sign_in(site.client, created["api_key"])
    assert response.status_code == 403
    assert "Invalid API key. Please check and try again." in response.text


def test_signing_in_starts_a_new_owner_session_and_goes_to_the_edit_page(site: Site) -> None:
    created = site.register(service_name="Galaxy Owner")
    site.client.cookies.set("registry_owner", "planted-by-an-attacker", domain="testserver.local")
    response = sign_in(site.client, created["api_key"])
    assert response.status_code == 303
    assert response.headers["location"] == "/update/edit/"
    token = site.client.cookies.get("registry_owner", domain="testserver.local")
    assert token
    assert token != "planted-by-an-attacker"
    page = site.client.get("/update/edit/")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Editing: Galaxy Owner" in page.text
    assert f"Version {version_of(site, created)}</p>" in page.text
    assert created["api_key"] not in page.text


def test_a_next_path_under_update_is_honoured_and_others_are_not(site: Site) -> None:
    created = site.register()
    for wanted, location in (
        ("/update/history/", "/update/history/"),
        ("https://evil.example/", "/update/edit/"),
    ):
        response = sign_in(site.client, created["api_key"], next=wanted)
        assert response.headers["location"] == location, wanted


def test_sign_in_without_the_csrf_token_is_refused(site: Site) -> None:
    created = site.register()
    site.client.get("/update/")
    response = site.client.post(
        "/update/", data={"api_key": created["api_key"]}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "This form expired" in response.text
    assert "registry_owner" not in site.client.cookies


def test_without_a_session_the_owner_pages_send_to_the_sign_in_with_a_notice(site: Site) -> None:
    for path in ("/update/edit/", "/update/history/", "/update/deprecate/", "/update/success/"):
        response = site.client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/update/?m=expired"
    page = site.client.get("/update/?m=expired")
    assert "Your session has expired. Please enter your API key again." in page.text


def test_signing_out_ends_the_session(site: Site) -> None:
    created = site.register()
    client = signed_in(site, created)
    page = client.get("/update/edit/")
    response = client.post(
        "/update/signout", data={"csrf_token": token_of(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/update/?m=signedout"
    assert client.get("/update/edit/", follow_redirects=False).status_code == 303


def test_revoking_the_key_ends_its_session_at_once(site: Site) -> None:
    created = site.register()
    client = signed_in(site, created)
    assert client.get("/update/edit/").status_code == 200
    site.live.client.post(
        f"/api/v1/submissions/{created['id']}/keys/reset/", headers=site.live.admin()
    )
    site.sync()
    response = client.get("/update/edit/", follow_redirects=False)
    assert response.headers["location"] == "/update/?m=expired"


def test_failed_sign_ins_are_throttled_per_client(site: Site) -> None:
    with app_client(site, "ui_update=2/hour") as client:
        for _ in range(2):
            assert sign_in(client, "y" * 40).status_code == 403
        response = sign_in(client, "y" * 40)
        assert response.status_code == 429
        assert "retry-after" in response.headers
        assert re.search(r"Too many requests. Try again after \d\d:\d\d UTC.", response.text)


# -- the page, read-only keys, history ------------------------------------------------------------


def test_a_read_scope_key_sees_values_but_no_form_and_cannot_post(site: Site) -> None:
    created = site.register(service_name="Read Only Tool")
    client = signed_in(site, {"api_key": site.read_key(created)})
    page = client.get("/update/edit/")
    assert "This key can view but not change the registration." in page.text
    assert 'id="edit-form"' not in page.text
    assert "Deprecate this service" not in page.text
    assert "Read Only Tool" in page.text
    assert "<dd>Tools</dd>" in page.text  # the category's name, not its id
    before = version_of(site, created)
    response = client.post(
        "/update/edit/",
        data={"csrf_token": token_of(page.text), "service_name": "Changed", "version": before},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/update/"
    assert READ_ONLY in client.get("/update/").text
    assert version_of(site, created) == before


def test_the_history_shows_changes_by_role_never_by_name(site: Site) -> None:
    created = site.approved(service_name="History Tool")
    site.amend_as_owner(created, github_url="https://github.com/example/history")
    client = signed_in(site, created)
    page = client.get("/update/history/")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    entries = re.findall(r'<li class="timeline-entry" data-version="(\d+)"', page.text)
    assert entries == sorted(entries, key=int, reverse=True)
    assert "Registry team" in page.text
    assert "Status changed" in page.text
    assert "https://github.com/example/history" in page.text
    for item in site.live.read.history(UUID(created["id"])):
        actor = str(item["changed_by"])
        if actor.startswith("admin:"):
            assert actor not in page.text
            assert actor.split(":", 1)[1] not in page.text


# -- deprecation ----------------------------------------------------------------------------------


def test_deprecation_asks_for_confirmation_then_records_it_once(site: Site) -> None:
    created = site.approved(service_name="Old Tool")
    client = signed_in(site, created)
    confirm = client.get("/update/deprecate/")
    assert confirm.status_code == 200
    assert "Deprecate Old Tool?" in confirm.text
    token = token_of(confirm.text)
    response = client.post(
        "/update/edit/", data={"csrf_token": token, "_deprecate": "1"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/update/"
    assert "Your service has been marked as deprecated." in client.get("/update/").text
    assert "Your service has been marked as deprecated." not in client.get("/update/").text
    view = site.live.app.get_submission(UUID(created["id"]))
    assert view.status == "deprecated"
    again = client.post(
        "/update/edit/", data={"csrf_token": token, "_deprecate": "1"}, follow_redirects=False
    )
    assert again.status_code == 303
    assert version_of(site, created) == view.version
    page = client.get("/update/edit/")
    assert "Contact the registry team to reverse this." in page.text
    history = site.live.read.history(UUID(created["id"]))
    assert history[-1]["changed_by"] == "api:Initial key"


# -- the reset rule, asked in advance (§9 item 1) ------------------------------------------------


def test_checking_before_saving_says_a_core_change_sends_the_service_back_to_review(
    site: Site,
) -> None:
    created = site.approved(service_name="Approved Tool")
    client = signed_in(site, created)
    form = edit_form(client)
    before = version_of(site, created)
    response = client.post(
        "/update/edit/", data={**form, "service_name": "Renamed Tool", "_preview": "1"}
    )
    assert response.status_code == 200
    assert (
        "Saving will send your service back for review because you changed: Service Name."
        in response.text
    )
    assert 'value="Renamed Tool"' in response.text  # the form keeps what was typed
    assert version_of(site, created) == before  # nothing recorded
    assert site.live.app.get_submission(UUID(created["id"])).status == "approved"


def test_checking_before_saving_says_an_exempt_change_keeps_the_approval(site: Site) -> None:
    created = site.approved()
    client = signed_in(site, created)
    form = edit_form(client)
    response = client.post(
        "/update/edit/",
        data={**form, "github_url": "https://github.com/example/new", "_preview": "1"},
    )
    assert (
        "Saving will keep your service approved: you changed only fields that do not need"
        " review (GitHub URL)." in response.text
    )


def test_the_live_impact_box_answers_a_fragment_and_records_nothing(site: Site) -> None:
    created = site.approved()
    client = signed_in(site, created)
    form = edit_form(client)
    token = form.pop("csrf_token")
    before = version_of(site, created)
    response = client.post(
        "/update/edit/impact",
        data={**form, "service_description": form["service_description"] + " More words."},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'data-impact="reset"' in response.text
    assert "Service Description" in response.text
    unchanged = client.post(
        "/update/edit/impact", data=form, headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert 'data-impact="none"' in unchanged.text
    refused = client.post("/update/edit/impact", data=form)
    assert refused.status_code == 403
    assert version_of(site, created) == before


# -- saving ---------------------------------------------------------------------------------------


def test_saving_a_core_change_records_it_with_the_apis_actor_and_shows_the_diff(
    site: Site,
) -> None:
    created = site.approved(service_name="Public Name")
    client = signed_in(site, created)
    form = edit_form(client)
    response = client.post(
        "/update/edit/", data={**form, "service_name": "Private Rename"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/update/success/"
    page = client.get("/update/success/")
    assert "Your service registration has been updated successfully." in page.text
    assert (
        "Your registration is back in review because core fields changed: Service Name."
        in page.text
    )
    assert "<del>Public Name</del>" in page.text
    assert "<ins>Private Rename</ins>" in page.text
    view = site.live.app.get_submission(UUID(created["id"]))
    assert view.status == "submitted"
    assert site.live.read.history(UUID(created["id"]))[-1]["changed_by"] == "api:Initial key"
    site.sync()
    public = site.client.get(f"/catalogue/{created['id']}/")
    assert "Public Name" in public.text
    assert "Private Rename" not in public.text


def test_saving_an_exempt_change_keeps_the_service_live(site: Site) -> None:
    created = site.approved()
    client = signed_in(site, created)
    form = edit_form(client)
    response = client.post(
        "/update/edit/",
        data={**form, "github_url": "https://github.com/example/kept"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get("/update/success/")
    assert "Your changes are live." in page.text
    assert site.live.app.get_submission(UUID(created["id"])).status == "approved"


def test_saving_without_a_change_records_nothing(site: Site) -> None:
    created = site.approved()
    client = signed_in(site, created)
    before = version_of(site, created)
    response = client.post("/update/edit/", data=edit_form(client), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/update/edit/"
    assert "No changes were made." in client.get("/update/edit/").text
    assert "No changes were made." not in client.get("/update/edit/").text  # shown once
    assert "No changes were made." not in client.get("/update/edit/?m=nochange").text
    assert version_of(site, created) == before


def test_a_stale_version_is_a_conflict_never_an_overwrite(site: Site) -> None:
    created = site.approved(service_name="Shared Tool")
    client = signed_in(site, created)
    form = edit_form(client)
    site.amend_as_owner(created, github_url="https://github.com/example/theirs")
    site.amend_as_owner(created, service_description="Their description. " * 5)
    before = version_of(site, created)
    response = client.post(
        "/update/edit/",
        data={**form, "service_name": "Mine", "service_description": "My description. " * 5},
    )
    assert response.status_code == 409
    assert "Someone else changed this registration after you opened it." in response.text
    assert "https://github.com/example/theirs" in response.text
    assert version_of(site, created) == before
    view = site.live.app.get_submission(UUID(created["id"]))
    assert view.values["service_name"] == "Shared Tool"
    # The guided merge: the form holds the current version with only my changes applied.
    assert "You changed: Service Name, Service Description." in response.text
    assert "Changed by both:</strong> Service Description." in response.text
    merged = {**edit_form_of(response.text)}
    assert merged["version"] == str(before)
    assert merged["service_name"] == "Mine"
    assert merged["github_url"] == "https://github.com/example/theirs"  # theirs kept
    saved = client.post("/update/edit/", data=merged, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    view = site.live.app.get_submission(UUID(created["id"]))
    assert view.values["service_name"] == "Mine"
    assert view.values["github_url"] == "https://github.com/example/theirs"


def test_invalid_values_answer_422_with_the_domains_message_linked_to_the_field(
    site: Site,
) -> None:
    created = site.approved()
    client = signed_in(site, created)
    form = edit_form(client)
    before = version_of(site, created)
    response = client.post("/update/edit/", data={**form, "service_name": "ab"})
    assert response.status_code == 422
    assert "Service name must be at least 3 characters." in response.text
    assert 'href="#id_service_name"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert version_of(site, created) == before


def test_an_edit_without_the_csrf_token_saves_nothing(site: Site) -> None:
    created = site.approved()
    client = signed_in(site, created)
    form = edit_form(client)
    form.pop("csrf_token")
    before = version_of(site, created)
    response = client.post("/update/edit/", data={**form, "service_name": "Forged"})
    assert response.status_code == 403
    assert "This form expired. Check your answers and submit again." in response.text
    assert version_of(site, created) == before


# -- the logo and EDAM names (the registration form's rules) -------------------------------------


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 128, 0, 255)).save(out, "PNG")
    return out.getvalue()


def test_an_owner_replaces_and_removes_the_logo_keeping_the_approval(site: Site) -> None:
    created = site.approved()
    client = signed_in(site, created)
    form = edit_form(client)
    response = client.post(
        "/update/edit/",
        data=form,
        files={"logo": ("logo.png", _png(), "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    view = site.live.app.get_submission(UUID(created["id"]))
    assert str(view.values["logo"]).startswith("logos/")
    assert view.status == "approved"
    page = client.get("/update/edit/")
    assert 'alt="Current logo"' in page.text
    response = client.post(
        "/update/edit/", data={**edit_form(client), "logo_clear": "on"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert site.live.app.get_submission(UUID(created["id"])).values["logo"] is None


def test_a_file_that_is_not_an_image_is_refused_naming_the_logo(site: Site) -> None:
    created = site.approved()
    client = signed_in(site, created)
    before = version_of(site, created)
    response = client.post(
        "/update/edit/",
        data=edit_form(client),
        files={"logo": ("logo.png", b"not an image at all", "image/png")},
    )
    assert response.status_code == 422
    assert 'href="#id_logo"' in response.text
    assert version_of(site, created) == before


def test_edam_names_resolve_and_unknown_ones_are_named(site: Site) -> None:
    created = site.approved()
    client = signed_in(site, created)
    form = edit_form(client)
    unknown = client.post("/update/edit/", data={**form, "edam_topics": "No Such Topic"})
    assert unknown.status_code == 422
    assert "Unknown EDAM topic: &#39;No Such Topic&#39;" in unknown.text


# -- undo (SHOULD, §5.6, §9 item 10) --------------------------------------------------------------


def test_undo_restores_exactly_the_changed_fields_as_a_new_change(site: Site) -> None:
    created = site.approved(service_name="Undo Tool")
    client = signed_in(site, created)
    form = edit_form(client)
    saved = client.post(
        "/update/edit/",
        data={**form, "service_name": "Undo Tool Renamed"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get("/update/success/")
    assert "Undo these changes" in page.text
    assert "does not restore an approval" in page.text
    version = version_of(site, created)
    response = client.post(
        "/update/undo",
        data={"csrf_token": token_of(page.text), "version": str(version)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/update/edit/"
    assert "Your changes were undone." in client.get("/update/edit/").text
    view = site.live.app.get_submission(UUID(created["id"]))
    assert view.values["service_name"] == "Undo Tool"
    assert view.version == version + 1  # a compensating event: nothing deleted
    assert view.status == "submitted"  # the approval is not restored
    history = site.live.read.history(UUID(created["id"]))
    assert [c["field"] for c in history[-1]["changes"]] == ["service_name"]


def test_undo_is_refused_once_the_registration_changed_since(site: Site) -> None:
    created = site.approved(service_name="Undo Later")
    client = signed_in(site, created)
    form = edit_form(client)
    client.post("/update/edit/", data={**form, "service_name": "Undo Later 2"})
    page = client.get("/update/success/")
    saved = version_of(site, created)
    site.amend_as_owner(created, github_url="https://github.com/example/after")
    response = client.post(
        "/update/undo",
        data={"csrf_token": token_of(page.text), "version": str(saved)},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/update/edit/"
    assert "can no longer be undone" in client.get("/update/edit/").text
    view = site.live.app.get_submission(UUID(created["id"]))
    assert view.values["service_name"] == "Undo Later 2"


def test_malformed_answers_name_their_fields_and_a_broken_body_is_no_500(site: Site) -> None:
    created = site.approved()
    client = signed_in(site, created)
    form = edit_form(client)
    before = version_of(site, created)
    response = client.post(
        "/update/edit/",
        data={**form, "year_established": "abc", "service_center": "not-a-uuid"},
    )
    assert response.status_code == 422
    assert 'href="#id_year_established"' in response.text
    assert 'href="#id_service_center' in response.text
    broken = client.post(
        "/update/edit/",
        content=b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb',
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert broken.status_code in (400, 403)  # never a 500
    assert "text/html" in broken.headers["content-type"]
    assert version_of(site, created) == before
