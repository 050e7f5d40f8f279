"""``registry submissions erase ID [--reason TEXT]`` as an operator runs it (a real process on the
test's database): one line on stderr and a documented exit code for every refusal, never a
traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from registry.erasure import EXIT_ALREADY_ERASED, EXIT_ERASED, EXIT_UNKNOWN, EXIT_USAGE
from tests.integration.projections.read.conftest import Stack

ROOT = Path(__file__).resolve().parents[4]


def registry(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    return subprocess.run(
        [sys.executable, "-m", "registry", *args],
        env={**clean, "REGISTRY_DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_erases_once_then_says_already_erased(stack: Stack) -> None:
    sid = stack.register().submission_id
    done = registry(stack.url, "submissions", "erase", str(sid), "--reason", "ticket 42")
    assert done.returncode == EXIT_ERASED, done.stderr
    assert done.stdout.startswith(f"erased {sid} (version ")
    stack.sync()
    assert stack.read.submission(sid) is None
    erasure = stack.read.history(sid)[-1]
    assert erasure["changed_by"] == "admin:cli"
    assert erasure["changes"][0]["new"] == "ticket 42"
    head = stack.app.recorder.max_notification_id()

    again = registry(stack.url, "submissions", "erase", str(sid))
    assert again.returncode == EXIT_ALREADY_ERASED
    assert again.stderr.strip().splitlines() == [
        f"registry: submission {sid} was already erased; nothing recorded"
    ]
    assert stack.app.recorder.max_notification_id() == head


def test_the_cli_refuses_an_unknown_or_malformed_id_in_one_line(stack: Stack) -> None:
    unknown = registry(stack.url, "submissions", "erase", "00000000-0000-4000-8000-000000000000")
    assert unknown.returncode == EXIT_UNKNOWN
    assert unknown.stderr.strip().splitlines() == [
        "registry: no submission 00000000-0000-4000-8000-000000000000"
    ]
    malformed = registry(stack.url, "submissions", "erase", "42")
    assert malformed.returncode == EXIT_USAGE
    assert malformed.stderr.strip().splitlines() == ["registry: not a submission id: '42'"]
    sid = stack.register().submission_id
    too_long = registry(stack.url, "submissions", "erase", str(sid), "--reason", "x" * 2001)
    assert too_long.returncode == EXIT_USAGE
    assert too_long.stderr.strip().splitlines() == [
        "registry: --reason: Ensure this field has no more than 2000 characters."
    ]
    assert stack.read.submission(sid) is not None
    assert "Traceback" not in unknown.stderr + malformed.stderr + too_long.stderr
