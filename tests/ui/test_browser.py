"""The public pages in a real browser (spec/ui.md §4 "Verification", §11): axe-core finds no
WCAG 2.2 A/AA violation on any page in the light and dark schemes, with JavaScript on and off;
no CSP violation; nothing loaded from another origin; no sideways scrolling at 320 px; the
catalogue's htmx behaviour (pushed URLs, out-of-band count, focus) and its no-JS twin."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.ui.browser import axe_violations, no_sideways_scroll, page_context, screenshot, serve
from tests.ui.conftest import Seeded

pytestmark = pytest.mark.integration


def pages_of(made: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {
        "home": "/",
        "catalogue": "/catalogue/",
        "catalogue-filtered": f"/catalogue/?q=genom&category={1}&view=list",
        "catalogue-grouped": "/catalogue/?group_by=service_center",
        "service": f"/catalogue/{made['Proteomics Toolkit']['id']}/",
        "service-in-review": f"/catalogue/{made['Galaxy Europe']['id']}/",
        "service-deprecated": f"/catalogue/{made['Legacy Portal']['id']}/",
        "accessibility": "/accessibility/",
        "not-found": "/catalogue/00000000-0000-0000-0000-000000000000/",
    }


def visit(page: Page, base: str, path: str) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(base + path)
    assert response is not None
    assert response.status == (404 if "0000-0000" in path else 200), path
    page.wait_for_load_state("load")
    origins = {urlsplit(u).netloc for u in requests if not u.startswith("data:")}
    assert origins <= {urlsplit(base).netloc}, origins


def test_every_public_page_passes_axe_csp_and_reflow_in_both_schemes_with_and_without_js(
    seeded: Seeded, browser: Any
) -> None:
    made = seeded.made
    with serve(seeded.site.client.app) as base:
        for scheme in ("light", "dark"):
            for js in (True, False):
                context = page_context(browser, js=js, scheme=scheme)
                page = context.new_page()
                for name, path in pages_of(made).items():
                    visit(page, base, path)
                    count, report = axe_violations(page)
                    assert count == 0, f"{name} ({scheme}, js={js}):\n{report}"
                    assert page.evaluate("window.__csp") == [], name
                    if js:
                        screenshot(page, f"{name}-desktop-{scheme}")
                page.set_viewport_size({"width": 320, "height": 800})
                for name, path in pages_of(made).items():
                    visit(page, base, path)
                    assert no_sideways_scroll(page), f"{name} scrolls sideways at 320 px"
                    if js:
                        screenshot(page, f"{name}-320-{scheme}")
                context.close()


def ready(page: Page) -> None:
    """Wait until app.js has run (it sets ``data-htmx-settled``; no page-side polling, which
    the CSP would refuse as eval)."""
    expect(page.locator("body")).to_have_attribute("data-htmx-settled", "0")


def test_the_catalogue_filters_as_you_type_with_pushed_urls_and_kept_focus(
    seeded: Seeded, browser: Any
) -> None:
    with serve(seeded.site.client.app) as base:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "/catalogue/")
        ready(page)
        expect(page.locator("button.apply-filters")).to_be_hidden()  # JS hides the no-JS twin

        search = page.locator("#catalogue-search")
        search.press_sequentially("proteo", delay=20)
        expect(page.locator("#result-count")).to_have_text("1 result found")
        expect(page).to_have_url(base + "/catalogue/?q=proteo")
        expect(search).to_be_focused()
        expect(page.locator("article.service-card h3")).to_have_text(["Proteomics Toolkit"])

        page.get_by_role("link", name="Remove filter Search: “proteo”").click()
        expect(page.locator("#result-count")).to_have_text("14 services registered")
        expect(page.locator("#results-heading")).to_be_focused()
        expect(search).to_have_value("")
        expect(page).to_have_url(base + "/catalogue/")

        page.locator("#cat-2").check()
        expect(page.locator("#result-count")).to_have_text("4 results found")
        expect(page.locator("#cat-2")).to_be_focused()  # the swapped sidebar kept its focus
        expect(page).to_have_url(base + "/catalogue/?category=2")

        page.get_by_role("link", name="Clear all filters").first.click()
        expect(page.locator("#result-count")).to_have_text("14 services registered")
        page.get_by_role("link", name="Next page").click()
        expect(page).to_have_url(base + "/catalogue/?page=2")
        expect(page.locator("#results-heading")).to_be_focused()
        expect(page.locator(".page-status")).to_have_text("Page 2 of 2 (14 services)")

        page.go_back()  # htmx keeps no history cache: the previous URL is fetched again
        expect(page).to_have_url(base + "/catalogue/")
        expect(page.locator(".page-status")).to_have_text("Page 1 of 2 (14 services)")
        context.close()


def test_the_catalogue_filters_without_javascript_and_by_keyboard(
    seeded: Seeded, browser: Any
) -> None:
    with serve(seeded.site.client.app) as base:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(base + "/catalogue/")
        page.locator("#cat-2").check()
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"/catalogue/\?q=&sort=&.*category=2"))
        expect(page.locator("#result-count")).to_have_text("4 results found")
        context.close()

        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "/catalogue/")
        ready(page)
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")  # from main: the search box is the first control
        expect(page.locator("#catalogue-search")).to_be_focused()
        page.keyboard.type("proteo")
        expect(page.locator("#result-count")).to_have_text("1 result found")
        page.locator("#cat-1").focus()
        page.keyboard.press("Space")
        expect(page.locator("#result-count")).to_have_text("1 result found")
        expect(page).to_have_url(base + "/catalogue/?q=proteo&category=1")
        context.close()
