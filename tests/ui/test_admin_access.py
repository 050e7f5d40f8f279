"""Signing in to the admin console with an admin key (spec/ui.md §3.4, §5.7.1), over the real
stack: read keys are Viewers, full keys Managers, unknown and revoked keys get the same 401, a
revoked key ends its session at once, sign-out is a POST with the session's token."""

from __future__ import annotations

from uuid import UUID

import pytest

from tests.ui.admin_helpers import csrf_of, post_sign_in, sign_in_with_key
from tests.ui.conftest import Site

pytestmark = pytest.mark.integration


def test_admin_pages_send_a_visitor_without_a_session_to_the_sign_in_page(site: Site) -> None:
    response = site.client.get("/admin/?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/sign-in/?next=/admin/%3Fx%3D1"


def test_a_full_key_signs_in_as_manager_and_a_read_key_as_viewer(site: Site) -> None:
    sign_in_with_key(site.client, site.live.admin_full)
    page = site.client.get("/admin/")
    assert "ops (Manager)" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert '<meta name="robots" content="noindex">' in page.text
    site.client.cookies.clear()
    sign_in_with_key(site.client, site.live.admin_read)
    assert "auditor (Viewer)" in site.client.get("/admin/").text


def test_signing_in_goes_to_the_page_asked_for_but_never_off_site(site: Site) -> None:
    form = site.client.get("/admin/sign-in/?next=/admin/activity/")
    assert 'name="next" value="/admin/activity/"' in form.text
    response = site.client.post(
        "/admin/sign-in/",
        data={
            "admin_key": site.live.admin_full,
            "csrf_token": csrf_of(form.text),
            "next": "//evil.example/admin/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/"


def test_unknown_revoked_and_submission_keys_get_the_same_401(site: Site) -> None:
    created = site.register(service_name="Owner Service")
    revoked = site.live.app.create_admin_key("gone", "full", created_by="test")
    site.live.app.revoke_admin_key(revoked.key_id, actor="admin:test")
    site.sync()
    for key in ("x" * 40, revoked.api_key, created["api_key"]):
        response = post_sign_in(site.client, admin_key=key)
        assert response.status_code == 401
        assert "The admin key is not valid." in response.text
        assert key not in response.text
        assert "registry_admin" not in response.headers.get("set-cookie", "")
    metrics = site.client.get("/metrics").text
    assert 'ui_signins_total{result="invalid"} 3.0' in metrics


def test_a_sign_in_without_the_csrf_token_is_refused(site: Site) -> None:
    site.client.get("/admin/sign-in/")
    response = site.client.post(
        "/admin/sign-in/", data={"admin_key": site.live.admin_full}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "This form expired" in response.text


def test_revoking_the_key_ends_its_session_at_once(site: Site) -> None:
    issued = site.live.app.create_admin_key("temp", "full", created_by="test")
    site.sync()
    sign_in_with_key(site.client, issued.api_key)
    site.live.app.revoke_admin_key(UUID(str(issued.key_id)), actor="admin:test")
    site.sync()
    response = site.client.get("/admin/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/sign-in/")


def test_sign_out_is_a_post_with_the_session_token_and_ends_the_session(site: Site) -> None:
    token = sign_in_with_key(site.client, site.live.admin_full)
    assert site.client.get("/admin/sign-out/").status_code == 405
    refused = site.client.post("/admin/sign-out/", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert site.client.get("/admin/", follow_redirects=False).status_code == 200
    done = site.client.post("/admin/sign-out/", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert site.client.get("/admin/", follow_redirects=False).status_code == 303


def test_admin_pages_carry_the_timeout_warning_and_stay_signed_in_extends_the_session(
    site: Site,
) -> None:
    import datetime as dt

    from bs4 import BeautifulSoup

    token = sign_in_with_key(site.client, site.live.admin_full)
    page = BeautifulSoup(site.client.get("/admin/").text, "html.parser")
    dialog = page.select_one("dialog#timeout-dialog")
    assert dialog is not None
    expires = dt.datetime.fromisoformat(str(dialog["data-idle-expires"]).replace("Z", "+00:00"))
    left = (expires - dt.datetime.now(dt.UTC)).total_seconds()
    assert 1700 < left <= 1800
    assert dialog["data-warn-before"] == "120"
    extended = site.client.post("/session/extend", data={"csrf_token": token})
    assert extended.status_code == 204
