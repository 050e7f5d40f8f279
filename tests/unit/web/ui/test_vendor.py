"""The vendored htmx and Pico CSS are the files recorded in MANIFEST.json (spec/ui.md §2.2)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from web.ui.assets import SERVED, STATIC_DIR, Assets

VENDOR = STATIC_DIR / "vendor"
EXPECTED = {
    "htmx-2.0.11/htmx.min.js": (
        "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
    ),
    "pico-2.1.1/pico.min.css": (
        "sha384-L1dWfspMTHU/ApYnFiMz2QID/PlP1xCW9visvBdbEkOLkSSWsP6ZJWhPw6apiXxU"
    ),
}


def sha384(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def test_every_vendored_file_matches_its_recorded_hash() -> None:
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text())
    files = manifest["files"]
    on_disk = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    assert on_disk - {"MANIFEST.json"} == set(files)
    for name, entry in files.items():
        assert sha384(VENDOR / name) == entry["sha384"], name
        assert (VENDOR / name).stat().st_size == entry["bytes"], name
    for name, digest in EXPECTED.items():  # the upstream releases the spec names
        assert files[name]["sha384"] == digest
    assert {"htmx-2.0.11/LICENSE", "pico-2.1.1/LICENSE.md"} <= set(files)


def test_pages_load_the_vendored_files_with_their_integrity() -> None:
    assets = Assets()
    for name, digest in EXPECTED.items():
        assert assets.integrity(f"vendor/{name}") == digest


def test_the_budgets_for_scripts_and_styles_hold() -> None:
    assets = Assets()
    sizes = {name: assets.size(name) for name in SERVED}
    assert sizes["ui/app.js"] <= 12_000
    assert sizes["ui/ui.css"] <= 20_000
    assert sizes["vendor/pico-2.1.1/pico.min.css"] + sizes["ui/ui.css"] <= 110_000
