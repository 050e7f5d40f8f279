"""The `registry` command as an operator tool: every expected failure is one line on stderr that
says what to do, with a documented exit code (registry.failures), never a traceback unless asked.
The failures that need a database are in tests/e2e/test_operator_cli.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry import failures

ROOT = Path(__file__).resolve().parents[3]
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nothing"


def _registry(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    return subprocess.run(
        [sys.executable, "-m", "registry", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert lines[0].startswith("registry: ")
    return lines[0]


@pytest.mark.parametrize("command", ["up", "serve", "project", "worker", "schedule", "migrate"])
def test_an_invalid_variable_stops_every_process_with_one_line_naming_it(command: str) -> None:
    done = _registry(command, REGISTRY_PORT="eighty")
    assert done.returncode == failures.USAGE
    assert _one_line(done).startswith("registry: invalid configuration: REGISTRY_PORT: ")


def test_ddl_prints_a_versions_file_without_a_database() -> None:
    done = _registry("projections", "ddl", "submissions", "1")
    assert done.returncode == 0, done.stderr
    expected = (ROOT / "schema" / "ddl" / "submissions" / "v1.sql").read_text()
    assert done.stdout.strip() == expected.strip()


def test_an_unknown_subcommand_is_a_usage_error() -> None:
    done = _registry("fly")
    assert done.returncode == failures.USAGE
    assert "invalid choice" in done.stderr


def test_version_is_printed() -> None:
    done = _registry("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("registry 0.")


@pytest.mark.parametrize(
    "args",
    [
        ("projections", "status"),
        ("projections", "check", "--json"),
        ("admin-keys", "list"),
        ("migrate",),
        ("reference", "load-spdx"),
    ],
)
def test_an_unreachable_database_is_one_line_and_exit_4(args: tuple[str, ...]) -> None:
    done = _registry(*args, REGISTRY_DATABASE_URL=UNREACHABLE)
    assert done.returncode == failures.UNAVAILABLE
    line = _one_line(done)
    assert "cannot reach the database" in line
    assert "REGISTRY_DATABASE_URL" in line


def test_debug_shows_the_traceback() -> None:
    for done in (
        _registry("--debug", "admin-keys", "list", REGISTRY_DATABASE_URL=UNREACHABLE),
        _registry(
            "admin-keys", "list", REGISTRY_DATABASE_URL=UNREACHABLE, REGISTRY_LOG_LEVEL="DEBUG"
        ),
    ):
        assert done.returncode == failures.UNAVAILABLE
        assert "Traceback" in done.stderr
        assert done.stderr.strip().splitlines()[-1].startswith("registry: cannot reach")


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.mark.parametrize(("command", "workers"), [("up", "1"), ("serve", "1"), ("serve", "2")])
def test_a_port_in_use_fails_before_claiming_to_listen(
    command: str, workers: str, taken_port: int, tmp_path: Path
) -> None:
    done = _registry(
        command,
        "--port",
        str(taken_port),
        REGISTRY_DATA_DIR=str(tmp_path / "var"),
        REGISTRY_WEB_WORKERS=workers,
    )
    assert done.returncode == failures.CANNOT_LISTEN
    assert "listening on" not in done.stdout
    line = _one_line(done)
    assert f"127.0.0.1:{taken_port} is in use" in line
    assert "--port" in line
    assert not (tmp_path / "var" / "postgres").exists()  # nothing was started


def test_a_port_out_of_range_is_a_usage_error() -> None:
    done = _registry("serve", "--port", "70000")
    assert done.returncode == failures.USAGE
    assert "not a port number" in done.stderr


def test_alive_fails_without_a_recent_heartbeat(tmp_path: Path) -> None:
    done = _registry("alive", "worker", REGISTRY_DATA_DIR=str(tmp_path))
    assert done.returncode == failures.CHECK_FAILED
    assert "no heartbeat" in _one_line(done)
    beat = tmp_path / "heartbeat" / "worker"
    beat.parent.mkdir()
    beat.touch()
    assert _registry("alive", "worker", REGISTRY_DATA_DIR=str(tmp_path)).returncode == 0
    os.utime(beat, (beat.stat().st_atime - 120, beat.stat().st_mtime - 120))
    stale = _registry("alive", "worker", "--max-age", "60", REGISTRY_DATA_DIR=str(tmp_path))
    assert stale.returncode == failures.CHECK_FAILED
    assert "stuck or stopped" in _one_line(stale)
