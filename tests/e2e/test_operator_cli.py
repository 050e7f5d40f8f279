"""The `registry` command against a real database, as an operator uses it: refusals are one line
with exit code 3 (never a traceback), --json output parses, and progress goes to stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry import failures
from tests.conftest import create_database
from tests.e2e.conftest import (
    ROOT,
    Processes,
    free_port,
    registry_command,
    registry_env,
    wait_ready,
)

pytestmark = pytest.mark.e2e


def _run(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "registry", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def env(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One migrated database for the module (nothing here changes what the others read)."""
    url, drop = create_database()
    environment = registry_env(
        REGISTRY_DATABASE_URL=url,
        REGISTRY_DATA_DIR=str(tmp_path_factory.mktemp("cli") / "var"),
    )
    try:
        registry_command("migrate", env=environment)
        yield environment
    finally:
        drop()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("projections", "promote", "submissions", "9"), "version 9 is not in the catalogue"),
        (("projections", "rebuild", "nothing", "1"), "nothing"),
        (
            ("admin-keys", "revoke", "6f1c1a2e-1111-4111-8111-111111111111"),
            "6f1c1a2e-1111-4111-8111-111111111111 not found",
        ),
    ],
)
def test_an_unknown_name_version_or_id_is_one_line_and_exit_3(
    env: dict[str, str], args: tuple[str, ...], says: str
) -> None:
    done = _run(*args, env=env)
    assert done.returncode == failures.REFUSED, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("registry: ")
    assert says in lines[0]


def test_an_unmigrated_database_says_to_migrate(database_url: str, tmp_path: Path) -> None:
    env = registry_env(REGISTRY_DATABASE_URL=database_url)
    done = _run("admin-keys", "list", env=env)
    assert done.returncode == failures.UNAVAILABLE, done.stderr
    assert done.stderr.strip().splitlines() == [
        "registry: the database is not migrated: run `registry migrate` first"
    ]


def test_json_output_of_status_check_and_admin_keys(env: dict[str, str]) -> None:
    status = json.loads(registry_command("projections", "status", "--json", env=env))
    assert {"name", "version", "state", "position", "head"} <= set(status[0])
    checked = _run("projections", "check", "--json", env=env)
    report = json.loads(checked.stdout)
    assert set(report) == {"ok", "problems"}
    assert checked.returncode == (0 if report["ok"] else 1)

    keys = json.loads(registry_command("admin-keys", "list", "--json", env=env))
    assert isinstance(keys, list)  # empty: no projector runs here to show new keys


def test_reference_loads_report_progress_on_stderr_and_a_summary(env: dict[str, str]) -> None:
    done = _run("reference", "load-spdx", env=env)
    assert done.returncode == 0, done.stderr
    assert "reference: SPDX licences: " in done.stderr
    assert "(100%)" in done.stderr
    assert done.stdout.startswith("SPDX licences ")
    assert "added" in done.stdout


def test_the_data_dir_is_the_same_from_any_working_directory(tmp_path: Path) -> None:
    # `registry up` prints it first; the same default must come out wherever it is started.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    code = "from schema.settings import load_settings; print(load_settings().data_dir)"
    here = subprocess.run(
        [sys.executable, "-c", code], env=clean, cwd=ROOT, capture_output=True, text=True
    )
    there = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert here.stdout == there.stdout == f"{ROOT / 'var'}\n"


def test_serve_listens_where_host_and_port_say_over_the_environment(
    env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    processes = Processes(tmp_path / "logs")
    try:
        served = processes.start(
            "serve",
            ["registry", "serve", "--host", "127.0.0.1", "--port", str(port)],
            {**env, "REGISTRY_PORT": str(free_port())},
        )
        wait_ready(f"http://127.0.0.1:{port}", served)
    finally:
        processes.stop_all()
    assert f"registry: listening on http://127.0.0.1:{port}" in processes.log("serve")
