"""The registration form in a real browser (spec/ui.md §4, §5.3, §5.4, §11): axe-core finds no
WCAG 2.2 A/AA violation on the form, its error state and the key page, in both colour schemes,
with JavaScript on and off; no CSP violation; no sideways scrolling at 320 px; a keyboard-only
registration through the chip pickers; the same registration without JavaScript; drafts,
reveals, counts and the live re-validation of a shown error."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from tests.ui.browser import (
    axe_violations,
    fill_contacts,
    no_sideways_scroll,
    page_context,
    screenshot,
    serve,
)
from tests.ui.conftest import Site, app_client
from tests.ui.test_register_pages import FakeLookup

pytestmark = pytest.mark.integration


def open_page(
    browser: Any, base: str, *, js: bool, scheme: str = "light", width: int = 1280
) -> Page:
    page: Page = page_context(browser, js=js, scheme=scheme, width=width).new_page()
    return page


def ready(page: Page) -> None:
    """Wait until app.js has run."""
    expect(page.locator("body")).to_have_attribute("data-htmx-settled", "0")


def fill_required(page: Page, site: Site, *, js: bool) -> None:
    """The required answers, typed (no pointer): text fields, radios and boxes by keyboard."""
    page.fill("#id_submitter_first_name", "Ada")
    page.fill("#id_submitter_last_name", "Lovelace")
    page.fill("#id_submitter_affiliation", "Analytical Engines Ltd")
    page.fill("#id_service_name", "Keyboard Mapper")
    page.fill(
        "#id_service_description", "Maps sequencing reads to a reference genome, quickly and well."
    )
    page.fill("#id_year_established", "2019")
    page.focus(f"input[name=service_categories][value='{site.live.category}']")
    page.keyboard.press("Space")
    page.fill("#id_publications_pmids", "12345678")
    page.focus(f"input[name=responsible_pis][value='{site.live.pi}']")
    page.keyboard.press("Space")
    page.fill("#id_host_institute", "Bielefeld University")
    page.focus(f"input[name=service_center][value='{site.live.centre}']")
    page.keyboard.press("Space")
    fill_contacts(page, "mapper.example.org")
    page.focus("#id_kpi_monitoring_1")  # Planned
    page.keyboard.press("Space")
    page.focus("#id_data_protection_consent")
    page.keyboard.press("Space")
    if not js:
        page.fill("#id_edam_topics", "Sequence analysis")
        page.fill("#id_licenses", "MIT")


def pick(page: Page, picker: str, text: str, expected: str) -> None:
    """Choose a suggestion by keyboard: type, Arrow Down, Enter."""
    combo = page.locator(f"#id_{picker}-input")
    combo.focus()
    page.keyboard.type(text)
    expect(page.locator(f"#id_{picker}-listbox [role=option]").first).to_be_visible()
    expect(combo).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(combo).to_have_attribute("aria-activedescendant", f"{picker}-opt-{expected}")
    page.keyboard.press("Enter")
    expect(page.locator(f"#id_{picker}-chips input[value='{expected}']")).to_have_count(1)
    expect(combo).to_be_focused()


def test_the_form_error_and_key_pages_pass_axe_csp_and_reflow(site: Site, browser: Any) -> None:
    with serve(site.client.app) as base:
        for scheme in ("light", "dark"):
            for js in (True, False):
                page = open_page(browser, base, js=js, scheme=scheme)
                tag = f"{scheme}{'' if js else '-nojs'}"
                page.goto(base + "/register/")
                if js:
                    ready(page)
                for width in (1280, 320):
                    page.set_viewport_size({"width": width, "height": 900})
                    count, report = axe_violations(page)
                    assert count == 0, f"register ({tag}, {width}):\n{report}"
                    assert no_sideways_scroll(page), f"register scrolls sideways at {width}"
                    if js:
                        screenshot(page, f"register-{'desktop' if width > 320 else '320'}-{scheme}")
                page.set_viewport_size({"width": 1280, "height": 900})
                # An empty submit: the error summary, first in main (focused with JS).
                page.fill("#id_service_name", "ab")
                page.locator("#submit-form").press("Enter")
                expect(page.locator("#error-summary")).to_be_visible()
                if js:
                    ready(page)
                    expect(page.locator("#error-summary")).to_be_focused()
                assert page.title().startswith("Error: ")
                count, report = axe_violations(page)
                assert count == 0, f"register with errors ({tag}):\n{report}"
                if js:
                    screenshot(page, f"register-errors-desktop-{scheme}")
                    page.set_viewport_size({"width": 320, "height": 900})
                    assert no_sideways_scroll(page)
                    screenshot(page, f"register-errors-320-{scheme}")
                    page.set_viewport_size({"width": 1280, "height": 900})
                # A registration, then the key page.
                fill_required(page, site, js=js)
                if js:
                    pick(page, "edam_topics", "seq", "topic_0080")
                    pick(page, "licenses", "mit", "MIT")
                page.locator("#submit-form").press("Enter")
                expect(page.locator("#api-key")).to_be_visible()
                if js:
                    ready(page)
                    expect(page.locator("#copy-key")).to_be_visible()
                else:
                    expect(page.locator("#copy-key")).to_be_hidden()
                count, report = axe_violations(page)
                assert count == 0, f"key page ({tag}):\n{report}"
                assert page.evaluate("window.__csp") == []
                if js:
                    screenshot(page, f"register-success-desktop-{scheme}")
                    page.set_viewport_size({"width": 320, "height": 900})
                    assert no_sideways_scroll(page)
                    screenshot(page, f"register-success-320-{scheme}")
                page.context.close()


def test_a_keyboard_only_registration_through_the_pickers(site: Site, browser: Any) -> None:
    with serve(site.client.app) as base:
        page = open_page(browser, base, js=True)
        page.goto(base + "/register/")
        ready(page)
        # The no-JS text fields are replaced (and disabled) by the chip widgets.
        expect(page.locator("#id_edam_topics")).to_be_hidden()
        expect(page.locator("#id_edam_topics")).to_be_disabled()
        fill_required(page, site, js=True)
        pick(page, "edam_topics", "bio-inf", "topic_0091")
        expect(page.locator("#id_edam_topics-listbox")).to_contain_text("")
        expect(page.locator("#edam_topics-status")).to_contain_text("1 of 6 selected")
        # Picking it again changes nothing and says so.
        combo = page.locator("#id_edam_topics-input")
        combo.focus()
        page.keyboard.type("bioinformatics")
        expect(page.locator("#id_edam_topics-listbox [role=option]").first).to_be_visible()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(page.locator("#edam_topics-status")).to_contain_text("Already selected")
        expect(page.locator("#id_edam_topics-chips li")).to_have_count(1)
        pick(page, "edam_topics", "seq", "topic_0080")
        # A chip is removed by its own button (Backspace in the box removes nothing).
        page.keyboard.press("Backspace")
        expect(page.locator("#id_edam_topics-chips li")).to_have_count(2)
        page.locator("#id_edam_topics-chips button[aria-label='Remove Sequence analysis']").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#id_edam_topics-chips li")).to_have_count(1)
        expect(combo).to_be_focused()
        pick(page, "licenses", "apache", "Apache-2.0")
        # Check your answers first (nothing saved), then submit from there.
        page.locator("#preview-form").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#check-answers")).to_be_focused()
        expect(page.locator("#check-answers")).to_contain_text("Bioinformatics (topic_0091)")
        expect(page.locator("#id_licenses-chips input[value='Apache-2.0']")).to_have_count(1)
        count, report = axe_violations(page)
        assert count == 0, report
        screenshot(page, "register-check-answers-desktop-light")
        expect(page.locator("#id_data_protection_consent")).to_be_checked()
        page.locator("#submit-form").focus()
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text("Registration submitted")
        expect(page.locator("#registration-success")).to_be_focused()
        submission_id = page.locator("#submission-id").inner_text()
    doc = site.live.read.submission(UUID(submission_id))
    assert doc is not None
    assert [t["accession"] for t in doc["edam_topics"]] == ["topic_0091"]
    assert doc["licenses"] == ["Apache-2.0"]


def test_the_same_registration_works_without_javascript(site: Site, browser: Any) -> None:
    with serve(site.client.app) as base:
        page = open_page(browser, base, js=False)
        page.goto(base + "/register/")
        expect(page.locator("#id_edam_topics")).to_be_visible()
        expect(page.locator("fieldset[data-picker=edam_topics]")).to_be_hidden()
        # Conditional fields are all shown without JS.
        expect(page.locator("#id_toolbox_name")).to_be_visible()
        fill_required(page, site, js=False)
        # Check your answers without JS too: nothing saved, every answer kept, no violation.
        page.locator("#preview-form").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#check-answers")).to_contain_text("Sequence analysis (topic_0080)")
        count, report = axe_violations(page)
        assert count == 0, report
        page.locator("#submit-form").focus()
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text("Registration submitted")
        submission_id = page.locator("#submission-id").inner_text()
        page.goto(base + "/register/success/")
        expect(page.locator("h1")).to_have_text("Register a service")  # shown once
    doc = site.live.read.submission(UUID(submission_id))
    assert doc is not None
    assert [t["accession"] for t in doc["edam_topics"]] == ["topic_0080"]
    assert doc["licenses"] == ["MIT"]


def test_reveals_counts_live_validation_and_drafts(site: Site, browser: Any) -> None:
    with serve(site.client.app) as base:
        page = open_page(browser, base, js=True)
        page.goto(base + "/register/")
        ready(page)
        # Conditional reveal: the toolbox name only when "Yes".
        expect(page.locator("#field-wrapper-toolbox_name")).to_be_hidden()
        page.focus("#id_is_toolbox")
        page.keyboard.press("Space")
        expect(page.locator("#field-wrapper-toolbox_name")).to_be_visible()
        expect(page.locator("#id_is_toolbox")).to_have_attribute(
            "aria-controls", "field-wrapper-toolbox_name"
        )
        # The KPI year hides when monitoring is only planned.
        page.focus("#id_kpi_monitoring_1")
        page.keyboard.press("Space")
        expect(page.locator("#field-wrapper-kpi_since")).to_be_hidden()
        # The PI filter hides the rows that do not match, and says how many are shown.
        page.fill("#id_responsible_pis-filter", "zzz")
        expect(page.locator("#id_responsible_pis-filter-count")).to_have_text("0 of 1 shown")
        page.fill("#id_responsible_pis-filter", "")
        expect(page.locator("#id_responsible_pis-filter-count")).to_have_text("1 of 1 shown")
        # Character count.
        page.fill("#id_service_description", "Short")
        expect(page.locator("#id_service_description-count")).to_have_text(
            "You need 45 more characters"
        )
        page.fill("#id_license_note", "x" * 203)
        expect(page.locator("#id_license_note-count")).to_have_text(
            "You have 3 characters too many"
        )
        page.fill("#id_license_note", "")
        # Live validation runs on a field showing an error, and clears it.
        page.fill("#id_service_name", "ab")
        page.locator("#submit-form").press("Enter")
        ready(page)
        error = page.locator("#id_service_name-error")
        expect(error).to_contain_text("Service name must be at least 3 characters.")
        # The licence's summary link leads to the licence combobox (the no-JS field without JS).
        page.locator("#error-summary a[href='#id_licenses']").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#id_licenses-input")).to_be_focused()
        page.fill("#id_service_name", "A good name")
        page.locator("#id_service_name").press("Tab")
        expect(error).to_be_hidden()
        expect(page.locator("#id_service_name")).not_to_have_attribute("aria-invalid", "true")
        # Drafts: kept in this browser, restored on the next visit, cleared on request.
        page.goto(base + "/register/")
        ready(page)
        page.fill("#id_service_name", "Draft Service")
        page.fill("#id_internal_contact_email", "secret@example.org")
        page.wait_for_function(
            "() => (localStorage.getItem('registry_draft_register') || '')"
            ".includes('Draft Service')"
        )
        stored = page.evaluate("localStorage.getItem('registry_draft_register')")
        assert "secret@example.org" not in stored  # the internal contact is never kept
        assert "csrf" not in stored
        page.goto(base + "/register/")
        ready(page)
        expect(page.locator("#id_service_name")).to_have_value("Draft Service")
        expect(page.locator("#draft-status")).to_contain_text("We restored answers you entered on")
        page.locator("#draft-clear").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#id_service_name")).to_have_value("")
        assert page.evaluate("localStorage.getItem('registry_draft_register')") is None


def test_the_biotools_prefill_fills_only_what_the_person_keeps_ticked(
    site: Site, browser: Any
) -> None:
    with app_client(site, biotools=FakeLookup()) as client, serve(client.app) as base:
        page = open_page(browser, base, js=True)
        page.goto(base + "/register/")
        ready(page)
        page.fill("#id_service_name", "My own name")
        page.fill("#id_biotools_url", "https://bio.tools/mapper")
        page.locator("#biotools-fetch").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#biotools-prefill")).to_be_visible()
        # An answered field's row starts unticked; empty fields' rows ticked.
        expect(page.locator("#prefill-service_name")).not_to_be_checked()
        expect(page.locator("#prefill-service_description")).to_be_checked()
        count, report = axe_violations(page)
        assert count == 0, report
        page.locator("#biotools-apply").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#biotools-result")).to_have_text("7 answers copied from bio.tools.")
        expect(page.locator("#id_service_name")).to_have_value("My own name")
        expect(page.locator("#id_service_description")).to_have_value("Maps reads to genomes.")
        expect(page.locator("#id_edam_topics-chips input[value=topic_0080]")).to_have_count(1)
        expect(page.locator("#id_licenses-chips input[value=MIT]")).to_have_count(1)
        expect(page.locator("#id_github_url")).to_have_value("https://github.com/example/mapper")
        # A failure is a message; the form still works.
        page.fill("#id_biotools_url", "https://bio.tools/nothing")
        page.locator("#biotools-fetch").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#biotools-error")).to_have_text(
            "bio.tools lookup failed: no tool with the id 'nothing'"
        )
