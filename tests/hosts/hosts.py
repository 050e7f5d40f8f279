"""Several "hosts" on this machine: each a process group of its own (``registry serve``, and as
the test asks ``project`` and ``worker``) on a port of its own, all on one PostgreSQL database
(and one Redis database as the broker). Killing a host is a SIGKILL of its whole process group,
as a machine that loses power ends every process at once.

Linux network namespaces would give each host its own address, but creating them needs root
(or user namespaces with a veth pair the sandbox does not allow), so hosts differ by port."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import (
    ROOT,
    free_port,
    new_admin_key,
    registry_command,
    registry_env,
    wait_ready,
)

#: Small pools: every host's processes together stay within a few connections each.
SMALL_POOLS: Mapping[str, str] = {
    "REGISTRY_WEB_POOL_SIZE": "1",
    "REGISTRY_PROJECTOR_POOL_SIZE": "1",
    "REGISTRY_WORKER_POOL_SIZE": "1",
}


@dataclass
class Host:
    """One host: its processes share one process group (the first one's pid)."""

    name: str
    env: dict[str, str]
    logs: Path
    port: int = field(default_factory=free_port)
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    group: int | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, role: str, argv: Sequence[str], **settings: str) -> subprocess.Popen[bytes]:
        """Start ``registry <argv...>`` as ``role`` in this host's process group."""
        self.logs.mkdir(parents=True, exist_ok=True)
        env = {**self.env, "REGISTRY_PORT": str(self.port), **settings}
        command = [sys.executable, "-m", "registry", *argv]
        with (self.logs / f"{self.name}-{role}.log").open("ab") as log:
            process = subprocess.Popen(
                command,
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0 if self.group is None else self.group,
            )
        if self.group is None:
            self.group = process.pid
        self.running[role] = process
        return process

    def serve(self, **settings: str) -> None:
        """Start ``registry serve`` and wait until it is ready."""
        wait_ready(self.base, self.start("serve", ["serve"], **settings))

    def log(self, role: str, tail: int = 3000) -> str:
        path = self.logs / f"{self.name}-{role}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group (uvicorn's workers too) and reap what we started."""
        if self.group is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.group, signal.SIGKILL)
        for process in self.running.values():
            process.wait(timeout=10)
        self.running.clear()

    def stop(self) -> None:
        """SIGINT every process (as Ctrl-C), then SIGKILL the group if any lingers."""
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 20
        for process in self.running.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        self.kill()


def hosts_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment shared by every host of a test (small pools, plain logs)."""
    return registry_env(
        REGISTRY_DATABASE_URL=database_url,
        REGISTRY_WEB_WORKERS="1",
        REGISTRY_LOG_LEVEL="WARNING",
        REGISTRY_DATABASE_TIMEOUT="5",
        **{**SMALL_POOLS, **settings},
    )


def migrate_and_admin_key(env: Mapping[str, str]) -> str:
    """``registry migrate`` and a full admin key (its plaintext)."""
    registry_command("migrate", env=env)
    return new_admin_key(env, "hosts")


def until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition`` as fast as a request allows; the seconds it took (fail after
    ``timeout``)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"{what}: not within {timeout} s")
    return time.monotonic() - started


def visible(base: str, admin_key: str) -> bool:
    """Whether the admin key is accepted by the API at ``base`` (projected and listened)."""
    try:
        response = httpx.get(
            f"{base}/api/v1/categories/", headers={"Authorization": f"AdminKey {admin_key}"}
        )
    except httpx.TransportError:
        return False
    return response.status_code == 200
