"""Page weights (spec/ui.md §2.6): the assets every page loads, and the owner's pages (the edit
page carries the whole registration form, so it has the registration page's 90 kB budget; the
review-impact fragment a fragment's 30 kB). Server times are ``registry bench``'s ``pages``
phase (bench/pages.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.ui.conftest import Site

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_the_scripts_and_styles_stay_within_their_budgets() -> None:
    app_js = (STATIC / "ui" / "app.js").stat().st_size
    ui_css = (STATIC / "ui" / "ui.css").stat().st_size
    htmx = (STATIC / "vendor" / "htmx-2.0.11" / "htmx.min.js").stat().st_size
    pico = (STATIC / "vendor" / "pico-2.1.1" / "pico.min.css").stat().st_size
    assert app_js <= 12_000
    assert ui_css <= 20_000
    assert htmx == 52_182
    assert pico + ui_css <= 110_000


@pytest.mark.integration
def test_the_owner_pages_stay_within_their_budgets(site: Site) -> None:
    created = site.approved()
    page = site.client.get("/update/")
    assert len(page.content) <= 30_000
    token = _TOKEN.search(page.text)
    assert token
    signed = site.client.post(
        "/update/",
        data={"api_key": created["api_key"], "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    edit = site.client.get("/update/edit/")
    assert edit.status_code == 200
    assert len(edit.content) <= 90_000, len(edit.content)
    csrf = _TOKEN.search(edit.text)
    assert csrf
    impact = site.client.post(
        "/update/edit/impact",
        data={"service_name": "A new name", "csrf_token": csrf.group(1)},
        headers={"HX-Request": "true"},
    )
    assert impact.status_code == 200
    assert len(impact.content) <= 30_000
    history = site.client.get("/update/history/")
    assert len(history.content) <= 80_000
