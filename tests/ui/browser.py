"""Browser harness of the pages' tests (spec/ui.md §11): the app served by uvicorn on a free
loopback port in a thread, Debian's Chromium driven by Playwright (never a downloaded browser),
axe-core through axe-playwright-python, and the checks every page must pass."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: Set to a directory (e.g. docs/screenshots) to save the screenshots of every page there.
SCREENSHOTS = os.environ.get("REGISTRY_UI_SCREENSHOTS")
#: Records Content-Security-Policy violations in ``window.__csp`` (an init script, which the
#: page's CSP does not govern).
CSP_RECORDER_SCRIPT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def page_context(browser: Any, *, js: bool, scheme: str = "light", width: int = 1280) -> Any:
    """A context in ``scheme`` (``width`` × 900) recording CSP violations in ``window.__csp``;
    without ``js`` the pages' own scripts never run: exactly the no-JS rendering."""
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
    context.add_init_script(CSP_RECORDER_SCRIPT)
    if not js:
        context.route("**/*.js", lambda route: route.abort())
    return context


def fill_contacts(page: Page, host: str) -> None:
    """The registration form's contact and address answers, all at ``host``."""
    page.fill("#id_public_contact_email", f"help@{host}")
    page.fill("#id_internal_contact_name", "Ada Internal")
    page.fill("#id_internal_contact_email", f"ada@{host}")
    page.fill("#id_internal_contact_email_confirm", f"ada@{host}")
    page.fill("#id_website_url", f"https://{host}")
    page.fill("#id_terms_of_use_url", f"https://{host}/terms")


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright until the block ends; the test is skipped without it
    (and fails under CI, where ``make test`` installs it with apt)."""
    import pytest
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is required under CI (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` on ``http://127.0.0.1:<free port>`` until the block ends."""
    # log_config/log_level None: uvicorn leaves the process's logging alone (a level set on
    # "uvicorn.error" here would outlive the server and silence later tests' log records).
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_config=None,
        log_level=None,
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def axe_violations(page: Page) -> tuple[int, str]:
    """axe-core's WCAG 2.2 A/AA violations of the page once it has loaded, and the report."""
    # A check right after a form POST's redirect (``expect(page).to_have_url``) can start
    # before the new page's stylesheets have applied: axe then measures unstyled links (CI
    # saw 17 px high navigation links once, on one page of eight, under load).
    page.wait_for_load_state("load")
    result = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]},
    )
    return result.violations_count, result.generate_report()


def no_sideways_scroll(page: Page) -> bool:
    """Whether the page fits its viewport's width (WCAG 1.4.10 at 320 px)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot under $REGISTRY_UI_SCREENSHOTS (when set)."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
