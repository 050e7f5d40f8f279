"""The owner's update flow in a real browser (spec/ui.md §5.6, §4, §11): the journeys with
JavaScript off (the confirm step says what saving will do) and on (the live review-impact box,
the deprecation dialog, the session timeout warning), axe-core in light and dark, no CSP
violation, no sideways scrolling at 320 px. Screenshots under $REGISTRY_UI_SCREENSHOTS."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from schema.settings import Settings
from tests.ui.browser import axe_violations, no_sideways_scroll, page_context, screenshot, serve
from tests.ui.conftest import Site, app_client
from web.ui.session import token_hash

pytestmark = pytest.mark.integration

RESET = "Saving will send your service back for review because you changed: Service Name."


def check(page: Page, name: str, scheme: str, *, shot: bool = True) -> None:
    """axe (WCAG 2.2 A/AA), no CSP violation, and no sideways scrolling at 320 px."""
    count, report = axe_violations(page)
    assert count == 0, f"{name} ({scheme}):\n{report}"
    assert page.evaluate("window.__csp") == [], name
    if shot:
        screenshot(page, f"{name}-desktop-{scheme}")
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    assert no_sideways_scroll(page), f"{name} scrolls sideways at 320 px"
    if shot:
        screenshot(page, f"{name}-320-{scheme}")
    assert size is not None
    page.set_viewport_size(size)


def new_page(browser: Any, scheme: str, *, js: bool) -> tuple[Any, Page]:
    context = page_context(browser, js=js, scheme=scheme)
    return context, context.new_page()


def sign_in(page: Page, base: str, key: str) -> None:
    page.goto(base + "/update/")
    page.get_by_label("API key", exact=True).fill(key)
    page.get_by_role("button", name="Continue").click()


def test_the_update_journey_without_javascript_passes_axe_in_both_schemes(
    site: Site, browser: Any
) -> None:
    with serve(site.client.app) as base:
        for scheme in ("light", "dark"):
            created = site.approved(service_name=f"Owner Journey {scheme}")
            context, page = new_page(browser, scheme, js=False)

            page.goto(base + "/update/")
            check(page, "update-sign-in", scheme)
            sign_in(page, base, "not-a-key-but-long-enough-to-check")
            expect(page.locator("#error-summary")).to_contain_text(
                "Invalid API key. Please check and try again."
            )
            check(page, "update-sign-in-error", scheme)

            sign_in(page, base, created["api_key"])
            expect(page).to_have_url(base + "/update/edit/")
            expect(page.locator("#owner-editing")).to_have_text(f"Editing: Owner Journey {scheme}")
            check(page, "update-edit", scheme)

            page.get_by_label("Name of the Service").fill(f"Renamed Journey {scheme}")
            page.get_by_role("button", name="Check before saving").click()
            expect(page.locator("#review-impact")).to_have_text(RESET)
            check(page, "update-edit-checked", scheme)

            page.get_by_role("button", name="Save changes").click()
            expect(page).to_have_url(base + "/update/success/")
            expect(page.locator("#outcome")).to_contain_text("back in review")
            expect(page.locator("table.diff ins")).to_contain_text([f"Renamed Journey {scheme}"])
            check(page, "update-success", scheme)

            page.get_by_role("link", name="View history").click()
            expect(page.locator("#timeline > li").first).to_contain_text("Content edited")
            check(page, "update-history", scheme)

            page.goto(base + "/update/deprecate/")
            check(page, "update-deprecate", scheme)
            page.get_by_role("button", name="Yes, deprecate this service").click()
            expect(page.locator("#messages")).to_contain_text(
                "Your service has been marked as deprecated."
            )
            context.close()


def test_with_javascript_the_impact_box_updates_live_and_deprecation_opens_a_dialog(
    site: Site, browser: Any
) -> None:
    created = site.approved(service_name="Live Impact")
    with serve(site.client.app) as base:
        for scheme in ("light", "dark"):
            context, page = new_page(browser, scheme, js=True)
            page.goto(base + "/update/")
            key = page.get_by_label("API key", exact=True)
            key.fill(created["api_key"])
            expect(key).to_have_attribute("type", "password")
            page.get_by_label("Show key").check()
            expect(key).to_have_attribute("type", "text")
            page.get_by_role("button", name="Continue").click()
            expect(page).to_have_url(base + "/update/edit/")
            expect(page.get_by_role("button", name="Check before saving")).to_be_hidden()

            github = page.get_by_label("GitHub URL", exact=False).first
            github.fill("https://github.com/example/live")
            github.press("Tab")  # change
            expect(page.locator("#review-impact [data-impact]")).to_have_attribute(
                "data-impact", "keep"
            )
            expect(page.locator("#review-impact")).to_contain_text("keep your service approved")
            name = page.get_by_label("Name of the Service")
            name.fill("Live Impact Renamed")
            name.press("Tab")
            expect(page.locator("#review-impact")).to_contain_text("Service Name")
            expect(page.locator("#review-impact [data-impact]")).to_have_attribute(
                "data-impact", "reset"
            )
            check(page, "update-edit-live-impact", scheme, shot=scheme == "light")

            page.get_by_role("button", name="Deprecate this service").click()
            dialog = page.locator("#deprecate-dialog")
            expect(dialog).to_be_visible()
            check(page, "update-deprecate-dialog", scheme, shot=False)
            dialog.get_by_role("button", name="Cancel").click()
            expect(dialog).to_be_hidden()
            assert site.live.app.get_submission(_uuid(created)).status == "approved"
            context.close()


def test_the_timeout_warning_opens_before_the_session_ends_and_stay_signed_in_extends_it(
    database_url: str, site: Site, browser: Any
) -> None:
    created = site.register(service_name="Timeout Tool")
    settings = Settings(
        rate_limits="off",
        database_url=database_url,
        ui_owner_idle_seconds=60,
        ui_warn_before_seconds=58,
    )
    store = site.sessions
    with app_client(site, settings=settings) as client, serve(client.app) as base:
        context, page = new_page(browser, "light", js=True)
        sign_in(page, base, created["api_key"])
        expect(page).to_have_url(base + "/update/edit/")
        dialog = page.locator("#timeout-dialog")
        expect(dialog).to_be_visible(timeout=10_000)
        expect(dialog).to_contain_text("Your session will end in 1 minute.")
        check(page, "update-timeout-warning", "light")
        token = next(c["value"] for c in context.cookies() if c["name"] == "registry_owner")
        before = store.get(token_hash(token), _now())
        assert before is not None
        with page.expect_response("**/session/extend") as extended:
            dialog.get_by_role("button", name="Stay signed in").click()
        assert extended.value.status == 204
        expect(dialog).to_be_hidden()
        after = store.get(token_hash(token), _now())
        assert after is not None
        assert after.idle_expires_at > before.idle_expires_at
        context.close()


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)


def _uuid(created: dict[str, Any]) -> Any:
    from uuid import UUID

    return UUID(created["id"])


def test_the_public_history_passes_axe_in_both_schemes(site: Site, browser: Any) -> None:
    created = site.approved(service_name="History in Public")
    site.amend_as_owner(created, github_url="https://github.com/example/history-public")
    site.amend_as_owner(created, service_name="History in Public, renamed")
    site.status(created, "approved")
    with serve(site.client.app) as base:
        for scheme in ("light", "dark"):
            for js in (True, False):
                context, page = new_page(browser, scheme, js=js)
                page.goto(base + f"/catalogue/{created['id']}/history/")
                expect(page.locator("#timeline > li")).to_have_count(3)
                check(page, "service-history", scheme, shot=js)
                context.close()


def test_the_conflict_page_passes_axe_and_its_merged_form_saves(site: Site, browser: Any) -> None:
    with serve(site.client.app) as base:
        for scheme in ("light", "dark"):
            created = site.approved(service_name=f"Conflict {scheme}")
            context, page = new_page(browser, scheme, js=False)
            sign_in(page, base, created["api_key"])
            expect(page).to_have_url(base + "/update/edit/")
            site.amend_as_owner(created, github_url=f"https://github.com/example/{scheme}")
            page.get_by_label("Name of the Service").fill(f"Conflict {scheme} mine")
            page.get_by_role("button", name="Save changes").click()
            expect(page.locator("h1")).to_have_text(
                "This registration was changed after you opened it"
            )
            check(page, "update-conflict", scheme)
            expect(page.get_by_label("GitHub URL", exact=False).first).to_have_value(
                f"https://github.com/example/{scheme}"
            )
            page.get_by_role("button", name="Save changes").click()
            expect(page).to_have_url(base + "/update/success/")
            context.close()


def test_the_read_only_view_of_a_read_key_passes_axe(site: Site, browser: Any) -> None:
    created = site.approved(service_name="Read Only View")
    key = site.read_key(created)
    with serve(site.client.app) as base:
        for scheme in ("light", "dark"):
            context, page = new_page(browser, scheme, js=True)
            sign_in(page, base, key)
            expect(page.locator("#read-only")).to_be_visible()
            expect(page.locator("#edit-form")).to_have_count(0)
            check(page, "update-read-only", scheme)
            context.close()
