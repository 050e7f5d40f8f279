"""Helpers to run the real ``registry`` processes as subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def registry_env(**overrides: str) -> dict[str, str]:
    """The parent's environment without any REGISTRY_* setting, plus the overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update({"REGISTRY_RATE_LIMITS": "off", "REGISTRY_LOG_FORMAT": "json", **overrides})
    return env


def registry_command(*args: str, env: Mapping[str, str], timeout: float = 120) -> str:
    """Run ``registry ARGS`` to completion and return its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "registry", *args],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def wait_ready(base_url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    """Poll ``/health/ready/`` until it answers 200 (fail early if the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the process exited with {process.returncode} before it was ready")
        try:
            if httpx.get(f"{base_url}/health/ready/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{base_url} was not ready within {timeout} s")


@pytest.fixture
def spawn() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes started by a test; any still running at its end are killed."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
