"""The public pages in a real browser (spec/ui.md §4 "Verification", §11): axe-core finds no
WCAG 2.2 A/AA violation on any page in the light and dark schemes, with JavaScript on and off;
no CSP violation; nothing loaded from another origin; no sideways scrolling at 320 px; the
catalogue's htmx behaviour (pushed URLs, out-of-band count, focus) and its no-JS twin."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.ui.browser import axe_violations, no_sideways_scroll, screenshot, serve
from tests.ui.conftest import CSP_RECORDER_SCRIPT, Site, seed

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
        "not-found": "/catalogue/00000000-0000-0000-0000-000000000000/",
    }


def visit(page: Page, base: str, path: str) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base + path)
    page.wait_for_load_state("load")
    origins = {urlsplit(u).netloc for u in requests if not u.startswith("data:")}
    assert origins <= {urlsplit(base).netloc}, origins


def test_every_public_page_passes_axe_csp_and_reflow_in_both_schemes_with_and_without_js(
    site: Site, browser: Any
) -> None:
    made = seed(site)
    with serve(site.client.app) as base:
        for scheme in ("light", "dark"):
            for js in (True, False):
                context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
                context.add_init_script(CSP_RECORDER_SCRIPT)
                if not js:  # the page's own scripts never run: exactly the no-JS rendering
                    context.route("**/*.js", lambda route: route.abort())
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
