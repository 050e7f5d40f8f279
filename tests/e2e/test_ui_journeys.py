"""Two journeys in a real browser (Debian's Chromium driven by Playwright) against a real
``registry up`` on its embedded database: a provider registers through the form, signs in with
the one-time key and edits the description, and (once approved through the API) finds the
service in the public catalogue; a named admin account, made with ``registry admins create``,
chooses its password through the setup link, signs in, and approves a waiting submission with
a message through the status panel: the API's history records the change under its name, and
the message reaches the submitter in the status e-mail."""

from __future__ import annotations

import email
import email.policy
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    ROOT,
    admin_setup,
    ready_key,
    registry_command,
    served_env,
    wait_until,
)
from tests.ui.browser import chromium, fill_contacts

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
MESSAGE = "Looks good, welcome aboard."
NEW_DESCRIPTION = "Maps long and short sequencing reads to a reference genome, with a report."


@dataclass(frozen=True)
class Registry:
    """The running ``registry up``: its address, environment, an admin key and the ids of the
    reference data (a category, a PI, a service centre) plus a valid API payload."""

    base: str
    data: Path
    env: dict[str, str]
    admin_key: str
    payload: dict[str, Any]

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"AdminKey {self.admin_key}"}

    def set_status(self, submission_id: str, status: str) -> None:
        response = httpx.post(
            f"{self.base}/api/v1/submissions/{submission_id}/status/",
            json={"status": status},
            headers=self.admin,
            timeout=30,
        )
        assert response.status_code == 200, response.text


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """One ``registry up`` for the module; Ctrl-C (SIGINT) stops it and its PostgreSQL."""
    data = tmp_path_factory.mktemp("journeys") / "var"
    base, env = served_env(REGISTRY_DATA_DIR=str(data))
    process = subprocess.Popen([sys.executable, "-m", "registry", "up"], env=env, cwd=ROOT)
    try:
        admin_key = ready_key(base, process, env, "journeys")
        yield Registry(base, data, env, admin_key, admin_setup(base, admin_key))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (never a downloaded browser), one per module."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def ready(page: Page) -> None:
    """Wait until app.js has run."""
    expect(page.locator("body")).to_have_attribute("data-htmx-settled", "0")


def pick(page: Page, picker: str, text: str, expected: str) -> None:
    """Choose a picker's suggestion by keyboard: type, Arrow Down, Enter."""
    combo = page.locator(f"#id_{picker}-input")
    combo.fill(text)
    expect(page.locator(f"#id_{picker}-listbox [role=option]").first).to_be_visible()
    combo.press("ArrowDown")
    combo.press("Enter")
    expect(page.locator(f"#id_{picker}-chips input[value='{expected}']")).to_have_count(1)


def fill_registration(page: Page, payload: dict[str, Any], name: str) -> None:
    """The required answers of the registration form."""
    page.fill("#id_submitter_first_name", "Ada")
    page.fill("#id_submitter_last_name", "Lovelace")
    page.fill("#id_submitter_affiliation", "Analytical Engines Ltd")
    page.fill("#id_service_name", name)
    page.fill("#id_service_description", payload["service_description"])
    page.fill("#id_year_established", "2019")
    page.check(f"input[name=service_categories][value='{payload['service_category_ids'][0]}']")
    page.fill("#id_publications_pmids", "12345678")
    page.check(f"input[name=responsible_pis][value='{payload['responsible_pi_ids'][0]}']")
    page.fill("#id_host_institute", "Bielefeld University")
    page.check(f"input[name=service_center][value='{payload['service_center_id']}']")
    fill_contacts(page, "journey.example.org")
    page.check("#id_kpi_monitoring_1")  # Planned
    page.check("#id_data_protection_consent")
    pick(page, "licenses", "mit", "MIT")


def test_a_provider_registers_updates_and_finds_the_service_in_the_catalogue(
    registry: Registry, page: Page
) -> None:
    base = registry.base
    page.goto(base + "/register/")
    ready(page)
    fill_registration(page, registry.payload, "Journey Mapper")
    page.locator("#submit-form").click()
    expect(page.locator("h1")).to_have_text("Registration submitted")
    key = page.locator("#api-key").inner_text().strip()
    submission_id = page.locator("#submission-id").inner_text().strip()
    assert key
    assert submission_id

    # Approved, so that the owner's edit of a reviewed field sends it back to review.
    registry.set_status(submission_id, "approved")

    page.goto(base + "/update/")
    page.get_by_label("API key", exact=True).fill(key)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(base + "/update/edit/")
    expect(page.locator("#owner-editing")).to_have_text("Editing: Journey Mapper")
    ready(page)
    description = page.locator("#id_service_description")
    description.fill(NEW_DESCRIPTION)
    description.press("Tab")  # a change event: the live review-impact box answers
    expect(page.locator("#review-impact [data-impact]")).to_have_attribute("data-impact", "reset")
    expect(page.locator("#review-impact")).to_contain_text(
        "Saving will send your service back for review because you changed: Service Description."
    )
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(base + "/update/success/")
    expect(page.locator("#outcome")).to_contain_text("back in review")
    expect(page.locator("table.diff")).to_contain_text("Service Description")
    expect(page.locator("table.diff")).to_contain_text("with a report")

    registry.set_status(submission_id, "approved")

    # The public catalogue is its own projection, which the API's answer does not wait for.
    def listed() -> bool:
        found = httpx.get(f"{base}/catalogue.json", params={"q": "Journey"}, timeout=10)
        return found.status_code == 200 and NEW_DESCRIPTION in found.text

    wait_until(listed, 30, "the approved service in the public catalogue")
    page.goto(base + "/catalogue/?q=Journey")
    card = page.get_by_role("link", name="Journey Mapper", exact=True)
    expect(card).to_be_visible()
    card.click()
    expect(page).to_have_url(f"{base}/catalogue/{submission_id}/")
    expect(page.locator("h1")).to_have_text("Journey Mapper")
    expect(page.locator("main")).to_contain_text(NEW_DESCRIPTION)


def test_a_named_admin_sets_a_password_signs_in_and_approves_with_a_message(
    registry: Registry, page: Page
) -> None:
    base = registry.base
    created = httpx.post(
        f"{base}/api/v1/submissions/",
        json={**registry.payload, "service_name": "Waiting Aligner"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    submission_id = created.json()["id"]

    out = registry_command(
        "admins", "create", "--username", "journey", "--role", "editor", env=registry.env
    )
    link = re.search(r"http://\S+/admin/setup/\S+", out)
    assert link, out
    setup_path = link.group(0).split("/admin/setup/", 1)[1]

    page.goto(f"{base}/admin/setup/{setup_path}")
    expect(page.locator("h1")).to_have_text("Choose a password for journey")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_confirm").fill(PASSWORD)
    page.get_by_role("button", name="Set the password").click()

    page.goto(base + "/admin/sign-in/")
    page.locator("#id_username").fill("journey")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#signed-in-as")).to_be_visible()

    page.goto(base + "/admin/submissions/")
    row = page.get_by_role("link", name="Waiting Aligner")
    expect(row).to_be_visible()
    row.click()
    expect(page).to_have_url(f"{base}/admin/submissions/{submission_id}/")
    expect(page.locator("h1")).to_have_text("Waiting Aligner")
    page.locator("#id_comment").fill(MESSAGE)
    page.locator("#status-form button[name=status][value=approved]").click()
    expect(page.locator("#messages")).to_contain_text("Status changed to Approved.")

    history = httpx.get(
        f"{base}/api/v1/submissions/{submission_id}/history/", headers=registry.admin, timeout=30
    )
    assert history.status_code == 200, history.text
    latest = history.json()[-1]
    assert latest["changed_by"] == "admin:journey", history.json()
    assert {"field": "status", "label": "Status", "old": "Submitted", "new": "Approved"} in latest[
        "changes"
    ], latest
    # The message reaches the submitter: the mail the approval sends (to the data directory's
    # outbox under ``registry up``) carries it.
    wait_until(lambda: _mailed(registry.data / "outbox", MESSAGE), 30, "the approval's e-mail")


def _mailed(outbox: Path, text: str) -> bool:
    """Whether some e-mail in ``outbox`` has ``text`` in a text part."""
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for part in message.walk():
            if part.get_content_maintype() == "text" and text in part.get_content():
                return True
    return False
