"""The admin console in a real browser (spec/ui.md §4, §11): axe-core finds no WCAG 2.2 A/AA
violation on any admin page, with JavaScript on and off, no CSP violation, nothing from another
origin; the list's bulk approval with its confirmation page works without JavaScript and, with
it, through "Select all on this page" by keyboard."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.ui.admin_helpers import PASSWORD, make_account
from tests.ui.browser import axe_violations, no_sideways_scroll, page_context, screenshot, serve
from tests.ui.conftest import Site

pytestmark = pytest.mark.integration


def populate(site: Site) -> dict[str, dict[str, Any]]:
    made = {
        "Alpha Tool": site.register(service_name="Alpha Tool", licenses=["MIT", "Apache-2.0"]),
        "Beta Base": site.approved(service_name="Beta Base"),
        "Gamma Grid": site.register(service_name="Gamma Grid"),
        "Delta Old": site.approved(service_name="Delta Old"),
    }
    site.status(made["Delta Old"], "deprecated")
    site.amend_as_owner(made["Beta Base"], service_name="Beta Base (edited)")
    return made


def sign_in(page: Page, base: str, *, key: str = "", username: str = "") -> None:
    page.goto(base + "/admin/sign-in/")
    if key:
        page.locator("#id_admin_key").fill(key)
        page.get_by_role("button", name="Sign in with the key").click()
    else:
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#signed-in-as")).to_be_visible()


def check(page: Page, base: str, name: str, js: bool, scheme: str) -> None:
    count, report = axe_violations(page)
    assert count == 0, f"{name} ({scheme}, js={js}):\n{report}"
    assert page.evaluate("window.__csp") == [], name
    if js:
        screenshot(page, f"admin-{name}-desktop-{scheme}")


def test_every_admin_page_passes_axe_and_csp_with_and_without_js(site: Site, browser: Any) -> None:
    made = populate(site)
    make_account(site, "edna", "manager")
    make_account(site, "otto", "viewer")
    pages = {
        "dashboard": "/admin/",
        "submissions": "/admin/submissions/",
        "submissions-filtered": "/admin/submissions/?status=submitted&q=alpha&sort=service_name",
        "activity": "/admin/activity/",
        "biotools": "/admin/biotools/",
        "system": "/admin/system/",
        "account": "/admin/account",
        "accounts": "/admin/accounts/",
        "stats": "/admin/stats/",
    }
    requests: list[str] = []
    with serve(site.client.app) as base:
        for scheme, js in (("light", True), ("light", False), ("dark", True)):
            context = page_context(browser, js=js, scheme=scheme)
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(base + "/admin/sign-in/")
            check(page, base, "sign-in", js, scheme)
            sign_in(page, base, username="edna")
            for name, path in pages.items():
                response = page.goto(base + path)
                assert response is not None
                assert response.status == 200, path
                check(page, base, name, js, scheme)
            page.goto(base + "/admin/submissions/")
            page.locator(f"#sel-{made['Alpha Tool']['id']}").check()
            page.locator(f"#sel-{made['Delta Old']['id']}").check()
            page.get_by_role("button", name="Apply to selected").click()
            expect(page.locator("h1")).to_contain_text("check before you confirm")
            check(page, base, "bulk-confirm", js, scheme)
            page.set_viewport_size({"width": 320, "height": 800})
            for name, path in pages.items():
                page.goto(base + path)
                assert no_sideways_scroll(page), f"{name} scrolls sideways at 320 px: {wide(page)}"
            assert {urlsplit(u).netloc for u in requests} <= {urlsplit(base).netloc}
            context.close()


def wide(page: Page) -> list[str]:
    """The elements reaching past the viewport's right edge (outside scrollable tables)."""
    return list(
        page.evaluate(
            "Array.from(document.querySelectorAll('body *')).filter(e =>"
            " e.getBoundingClientRect().right > window.innerWidth + 1"
            " && !e.parentElement.closest('.table-scroll'))"
            ".map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 12)"
        )
    )


def test_bulk_approval_without_javascript_goes_through_the_confirmation_page(
    site: Site, browser: Any
) -> None:
    made = populate(site)
    with serve(site.client.app) as base:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        sign_in(page, base, key=site.live.admin_full)
        page.goto(base + "/admin/submissions/")
        expect(page.locator("#select-page")).to_be_hidden()  # needs JS; rows are ticked one by one
        for name in ("Alpha Tool", "Gamma Grid", "Delta Old"):
            page.locator(f"#sel-{made[name]['id']}").check()
        page.locator("#id_action").select_option("approve")
        page.get_by_role("button", name="Apply to selected").click()
        expect(page.locator("#bulk-summary")).to_have_text(
            "2 submissions will change. 1 will be skipped."
        )
        expect(page.locator("#will-skip")).to_contain_text("Delta Old: not allowed from Deprecated")
        page.locator("#id_comment").fill("Approved in the weekly review.")
        page.get_by_role("button", name="Confirm").click()
        expect(page.locator("#messages")).to_contain_text(
            "2 submissions marked as Approved. 1 skipped: not allowed from Deprecated."
        )
        context.close()


def test_select_all_on_the_page_and_a_bulk_action_by_keyboard_with_javascript(
    site: Site, browser: Any
) -> None:
    populate(site)
    with serve(site.client.app) as base:
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, base, key=site.live.admin_full)
        page.goto(base + "/admin/submissions/?status=submitted")
        box = page.locator("#select-page")
        expect(box).to_be_visible()
        box.focus()
        page.keyboard.press("Space")
        rows = page.locator("#submissions-table tbody input[name=ids]")
        expect(rows).to_have_count(3)
        for i in range(3):
            expect(rows.nth(i)).to_be_checked()
        page.locator("#id_action").focus()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Apply to selected")).to_be_focused()
        page.locator("#id_action").select_option("review")
        page.get_by_role("button", name="Apply to selected").press("Enter")
        expect(page.locator("#bulk-summary")).to_have_text(
            "3 submissions will change. 0 will be skipped."
        )
        page.get_by_role("button", name="Confirm").press("Enter")
        expect(page.locator("#messages")).to_contain_text("3 submissions marked as Under Review.")
        expect(page).to_have_url(re.compile(r"/admin/submissions/\?status=submitted$"))
        context.close()
