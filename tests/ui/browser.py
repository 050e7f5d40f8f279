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


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` on ``http://127.0.0.1:<free port>`` until the block ends."""
    # Neither log_config nor log_level: uvicorn must not reconfigure this process's logging (its
    # dictConfig stops "uvicorn.error" propagating and the level hides its INFO lines, which
    # later tests of the JSON log lines in the same session rely on).
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="off",
        log_config=None,
        log_level=None,
        access_log=False,
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
    """axe-core's WCAG 2.2 A/AA violations of the page as it is now, and the report."""
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
