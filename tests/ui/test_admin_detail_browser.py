"""The reviewer's pages in a real browser (spec/ui.md §4, §5.7.4, §5.7.5, §11): the status change
with JavaScript on and off, and axe-core (WCAG 2.2 A/AA), no CSP violation and no sideways
scrolling at 320 px on the detail, history, version, compare, keys, erase, edit, conflict and
reference data pages; screenshots when ``REGISTRY_UI_SCREENSHOTS`` is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.ui.browser import axe_violations, no_sideways_scroll, page_context, screenshot, serve
from tests.ui.conftest import Site

pytestmark = pytest.mark.integration


def _sign_in(page: Page, base: str, key: str) -> None:
    page.goto(base + "/admin/sign-in/")
    page.locator("#id_admin_key").fill(key)
    page.get_by_role("button", name="Sign in with the key").click()
    expect(page.locator("#signed-in-as")).to_be_visible()


def _signed_in(browser: Any, js: bool, base: str, key: str) -> tuple[Any, Page]:
    """A new context (``js`` on or off) and its page, signed in with the admin ``key``."""
    context = page_context(browser, js=js)
    page = context.new_page()
    _sign_in(page, base, key)
    return context, page


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_reviewer_approves_with_a_message_by_keyboard_with_and_without_javascript(
    site: Site, browser: Any, js: bool
) -> None:
    created = site.register(service_name=f"Browser Review {js}")
    site.amend_as_owner(created, website_url="https://changed.example.org")
    with serve(site.client.app) as base:
        context, page = _signed_in(browser, js, base, site.live.admin_full)
        page.goto(f"{base}/admin/submissions/{created['id']}/")
        message = page.locator("#id_comment")
        message.focus()
        page.keyboard.type("Thanks, approved.")
        page.keyboard.press("Tab")  # the first button: Approve
        expect(page.get_by_role("button", name="Approve")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#messages")).to_contain_text("Status changed to Approved.")
        assert page.url == f"{base}/admin/submissions/{created['id']}/"
        expect(page.get_by_role("button", name="Approve")).to_have_count(0)
        assert page.evaluate("window.__csp") == []
        context.close()
    doc = site.live.read.submission(created["id"])
    assert doc is not None
    assert doc["status"] == "approved"
    timeline = site.live.read.submission_timeline(created["id"])
    assert timeline is not None
    assert timeline[-1]["comment"] == "Thanks, approved."


def test_every_reviewer_page_passes_axe_csp_and_reflow(site: Site, browser: Any) -> None:
    created = site.approved(
        service_name="Accessible Service",
        service_description="A service used in many labs. " * 12,
    )
    site.live.app.assign_maturity_tags(
        __import__("uuid").UUID(created["id"]), "mature", ["unstable"], actor="admin:ops"
    )
    site.amend_as_owner(created, service_name="Accessible Service II")
    site.amend_as_owner(created, service_description="A service used in most labs. " * 12)
    sid = created["id"]
    erased = site.register(service_name="Erased Service")
    site.erase(erased)
    latest = site.live.read.submission(sid)["version"]
    cat = site.live.category
    pages = {
        "admin-detail": f"/admin/submissions/{sid}/",
        "admin-history": f"/admin/submissions/{sid}/history",
        "admin-version": f"/admin/submissions/{sid}/versions/2",
        "admin-compare": f"/admin/submissions/{sid}/compare?from=1&to={latest}",
        "admin-keys": f"/admin/submissions/{sid}/keys",
        "admin-erase": f"/admin/submissions/{sid}/erase",
        "admin-edit": f"/admin/submissions/{sid}/edit",
        "admin-erased-history": f"/admin/submissions/{erased['id']}/history",
        "admin-reference-categories": "/admin/reference/categories/",
        "admin-reference-pis": "/admin/reference/pis/",
        "admin-reference-history": f"/admin/reference/categories/{cat}/history",
        "admin-reference-new-pi": "/admin/reference/pis/new",
        "admin-reference-edam": "/admin/reference/edam/",
        "admin-reference-licenses": "/admin/reference/licenses/",
    }
    with serve(site.client.app) as base:
        for js in (True, False):
            context, page = _signed_in(browser, js, base, site.live.admin_full)
            for name, path in pages.items():
                response = page.goto(base + path)
                assert response is not None
                assert response.status == 200, path
                count, report = axe_violations(page)
                assert count == 0, f"{name} (js={js}):\n{report}"
                assert page.evaluate("window.__csp") == [], name
                if js:
                    screenshot(page, f"{name}-desktop-light")
            # The conflict page: the form opened, then the owner edits, then Save.
            page.goto(f"{base}/admin/submissions/{sid}/edit")
            site.amend_as_owner(created, website_url=f"https://meanwhile-{js}.example.org")
            page.locator("#id_service_name").fill("Accessible Service III")
            page.get_by_role("button", name="Save").click()
            expect(page.locator("#conflict")).to_be_visible()
            count, report = axe_violations(page)
            assert count == 0, f"conflict (js={js}):\n{report}"
            if js:
                screenshot(page, "admin-conflict-desktop-light")
            page.set_viewport_size({"width": 320, "height": 800})
            for name in ("admin-detail", "admin-history", "admin-compare", "admin-keys"):
                page.goto(base + pages[name])
                assert no_sideways_scroll(page), f"{name} scrolls sideways at 320 px"
                if js and name == "admin-detail":
                    screenshot(page, f"{name}-320-light")
            context.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_any_two_versions_are_compared_from_the_timeline_by_keyboard(
    site: Site, browser: Any, js: bool
) -> None:
    created = site.register(service_name="Picked")
    site.amend_as_owner(created, service_name="Picked Again")
    with serve(site.client.app) as base:
        context, page = _signed_in(browser, js, base, site.live.admin_read)
        page.goto(f"{base}/admin/submissions/{created['id']}/history")
        page.get_by_label("Compare from version 1").focus()
        page.keyboard.press("Space")
        page.get_by_label("Compare to version 3").focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Compare selected").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Version 1 → version 3")).to_be_visible()
        expect(page.locator("table.diff del").first).to_have_text("Picked")
        expect(page.locator("table.diff ins").first).to_have_text("Picked Again")
        context.close()


def test_a_new_key_downloads_as_a_text_file_without_javascript(site: Site, browser: Any) -> None:
    created = site.register(service_name="Downloadable")
    with serve(site.client.app) as base:
        context = browser.new_context(accept_downloads=True)
        context.route("**/*.js", lambda route: route.abort())
        page = context.new_page()
        _sign_in(page, base, site.live.admin_full)
        page.goto(f"{base}/admin/submissions/{created['id']}/keys")
        page.get_by_role("button", name="Issue new key").click()
        expect(page.locator("#new-key")).to_be_visible()
        key = page.locator("#new-key").input_value()
        count, report = axe_violations(page)
        assert count == 0, report
        with page.expect_download() as info:
            page.locator("#download-key").click()
        download = info.value
        assert download.suggested_filename == f"registry-key-{created['id']}.txt"
        path = download.path()
        assert path is not None
        assert Path(path).read_text(encoding="utf-8") == key
        context.close()
