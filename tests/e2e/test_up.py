"""`registry up` on its embedded default: create then read over HTTP, and Ctrl-C leaves nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.e2e.conftest import (
    ROOT,
    admin_setup,
    free_port,
    new_admin_key,
    registry_command,
    registry_env,
    served_env,
    wait_ready,
)

pytestmark = pytest.mark.e2e


def _leftovers(data_dir: Path, children: list[psutil.Process]) -> list[str]:
    alive = [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    named = []
    for proc in psutil.process_iter(attrs=["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if str(data_dir) in cmdline:
            named.append(proc)
    return [f"{p.pid}: {' '.join(p.cmdline())}" for p in {*alive, *named}]


def test_up_serves_create_then_read_and_sigint_leaves_no_process(
    tmp_path: Path, spawn: list[subprocess.Popen[bytes]]
) -> None:
    base, env = served_env(REGISTRY_DATA_DIR=str(tmp_path / "var"))
    process = subprocess.Popen(
        [sys.executable, "-m", "registry", "up"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,  # a few lines only: the pipe never fills
        text=True,
    )
    spawn.append(process)
    wait_ready(base, process)
    assert _leftovers(tmp_path, []), "the embedded PostgreSQL server runs on the data directory"

    admin_key = new_admin_key(env, "e2e")
    payload = admin_setup(base, admin_key)

    created = httpx.post(f"{base}/api/v1/submissions/", json=payload, timeout=30)
    assert created.status_code == 201, created.text
    body = created.json()
    read = httpx.get(
        f"{base}/api/v1/submissions/{body['id']}/",
        headers={"Authorization": f"ApiKey {body['api_key']}"},
    )
    assert read.status_code == 200, read.text
    assert read.json()["service_name"] == "Sequence Mapper"
    assert "internal_contact_email" not in read.json()

    children = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    assert process.stdout is not None
    printed = process.stdout.read().splitlines()
    assert printed[:4] == [  # where everything is, before it claims to listen
        f"registry: data in {tmp_path / 'var'}",
        f"registry: mail goes to {tmp_path / 'var' / 'outbox'}",
        f"registry: API documents at {base}/api/docs/",
        f"registry: listening on {base}",
    ]
    deadline = time.monotonic() + 15
    while _leftovers(tmp_path, children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _leftovers(tmp_path, children) == []


def test_up_finds_its_data_again_after_a_restart(
    tmp_path: Path, spawn: list[subprocess.Popen[bytes]]
) -> None:
    env = registry_env(REGISTRY_DATA_DIR=str(tmp_path / "var"))
    for _ in range(2):
        port = free_port()
        env["REGISTRY_PORT"] = str(port)
        process = subprocess.Popen([sys.executable, "-m", "registry", "up"], env=env, cwd=ROOT)
        spawn.append(process)
        wait_ready(f"http://127.0.0.1:{port}", process)
        if _ == 0:
            registry_command("admin-keys", "create", "--label", "first", env=env)
        else:
            listing = registry_command("admin-keys", "list", env=env)
            assert "first" in listing
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
