"""``docs/api.md`` runs as written against a real ``registry up``: every fenced command in one
shell, each answer compared with the one the walkthrough shows."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from schema.settings import Settings
from tests.e2e.conftest import (
    ROOT,
    served_env,
    wait_ready,
)
from tests.e2e.docs_runner import check, mismatch, run, steps

pytestmark = pytest.mark.e2e
WALKTHROUGH = ROOT / "docs" / "api.md"
#: The address the walkthrough names (`make run`'s); the test's registry listens elsewhere.
DOCUMENTED = "http://127.0.0.1:8000"


def test_every_command_of_the_api_walkthrough_runs_and_answers_as_shown(
    database_url: str, tmp_path: Path, spawn: list[subprocess.Popen[bytes]]
) -> None:
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    assert missing == [], f"the walkthrough's commands need {missing} on PATH"
    base, env = served_env(
        REGISTRY_DATABASE_URL=database_url,
        REGISTRY_DATA_DIR=str(tmp_path / "var"),
        REGISTRY_RATE_LIMITS=Settings().rate_limits,  # the shipped limits, as `make run` has
    )
    process = subprocess.Popen([sys.executable, "-m", "registry", "up"], env=env, cwd=ROOT)
    spawn.append(process)
    wait_ready(base, process)

    as_written = steps(WALKTHROUGH.read_text())
    commands = "".join(step.command for step in as_written)
    assert commands.count(DOCUMENTED) == 1, "the commands name the address once, in BASE="
    walkthrough = [replace(s, command=s.command.replace(DOCUMENTED, base)) for s in as_written]
    assert len(walkthrough) >= 15
    workdir = tmp_path / "reader"
    workdir.mkdir()
    (workdir / ".venv").symlink_to(ROOT / ".venv")  # the commands name .venv/bin/registry
    shell_env = {k: v for k, v in env.items() if k != "REGISTRY_PORT"}
    shell_env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    outputs = run(walkthrough, cwd=workdir, env=shell_env)

    problems = [
        f"step {step.number}:\n{step.command}\n-> {problem}"
        for step in walkthrough
        if (problem := check(step, outputs.get(step.number, ""))) is not None
    ]
    assert problems == [], "\n\n".join(problems)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0


def test_the_answer_check_refuses_what_differs() -> None:
    assert mismatch({"a": [1, "..."]}, {"a": [1, {"x": 2}], "b": 3}) is None
    assert mismatch({"a": 1}, {"a": 2}) == "$.a: expected 1, got 2"
    assert mismatch([1], [1, 2]) is not None
    (step,) = steps("```sh\necho hi\n```\n\n```text\nh...\nthere\n```\n")
    assert check(step, "hi\n") == "no line 'there' (in order) in:\nhi\n"
