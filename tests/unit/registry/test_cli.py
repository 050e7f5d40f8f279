"""The `registry` command: bad configuration stops it with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _registry(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    return subprocess.run(
        [sys.executable, "-m", "registry", *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", ["up", "serve", "project", "worker", "schedule", "migrate"])
def test_an_invalid_variable_stops_every_process_with_one_line_naming_it(command: str) -> None:
    done = _registry(command, REGISTRY_PORT="eighty")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("registry: invalid configuration: REGISTRY_PORT: ")


def test_ddl_prints_a_versions_file_without_a_database() -> None:
    done = _registry("projections", "ddl", "submissions", "1")
    assert done.returncode == 0, done.stderr
    expected = (ROOT / "schema" / "ddl" / "submissions" / "v1.sql").read_text()
    assert done.stdout.strip() == expected.strip()


def test_an_unknown_subcommand_is_a_usage_error() -> None:
    done = _registry("fly")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr
