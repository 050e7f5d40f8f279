"""`registry projections check` accepts a bounded lag: REGISTRY_PROJECTIONS_MAX_LAG, overridden by
`--max-lag` (issue 12, item 1)."""

from __future__ import annotations

import pytest

from projections import operations
from projections.eventstore import open_registry
from registry.cli import main


def test_the_lag_bound_comes_from_the_setting_and_the_flag_overrides_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    operations.migrate(database_url)
    app = open_registry(database_url)
    try:
        for name in ("Tools", "Databases", "Workflows"):
            app.create_category({"name": name}, actor="admin:root")  # no runner: lag grows
    finally:
        app.close()
    monkeypatch.setenv("REGISTRY_DATABASE_URL", database_url)

    monkeypatch.setenv("REGISTRY_PROJECTIONS_MAX_LAG", "0")
    assert main(["projections", "check"]) == 1
    assert "events behind" in capsys.readouterr().out
    assert main(["projections", "check", "--max-lag", "100"]) == 0
    assert "at most 100 events behind" in capsys.readouterr().out

    monkeypatch.setenv("REGISTRY_PROJECTIONS_MAX_LAG", "100")
    assert main(["projections", "check"]) == 0
    assert main(["projections", "check", "--max-lag", "0"]) == 1
