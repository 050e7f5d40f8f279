"""The real app on the real stack (``tests.integration.web``'s ``live``), plus a helper that runs
``registry import`` through the CLI entry point against the test's database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from registry.cli import main
from tests.integration.web.conftest import Live, live

__all__ = ["Live", "live"]

EXPORT = Path(__file__).parents[2] / "fixtures" / "import" / "export.json"

RunImport = Callable[..., tuple[int, str]]


@pytest.fixture
def run_import(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> RunImport:
    """``registry import FILE [flags]`` on the test database: ``(exit status, stdout)``."""
    monkeypatch.setenv("REGISTRY_DATABASE_URL", database_url)
    monkeypatch.setenv("REGISTRY_RATE_LIMITS", "off")

    def run(path: Path = EXPORT, *flags: str) -> tuple[int, str]:
        capsys.readouterr()
        status = main(["import", str(path), *flags])
        return status, capsys.readouterr().out

    return run
