"""The system under test: a scratch database and the real ``registry`` processes.

Everything started here is tracked by process id and stopped by ``Cluster.close`` (SIGTERM, then
SIGKILL of what is left of each tracked process tree); the database is dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psutil  # type: ignore[import-untyped]
import psycopg
from psycopg import sql

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


class BenchError(RuntimeError):
    """The system under test could not be set up (a process died, a command failed)."""


def connect(
    url: str, *, autocommit: bool = False, patience: float = 120
) -> psycopg.Connection[Any]:
    """A connection to ``url``, waiting while the server has no free connection slot (the
    server is shared: other test runs may hold most of its ``max_connections`` for a while)."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return psycopg.connect(url, autocommit=autocommit)
        except psycopg.OperationalError as exc:
            if "too many clients" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def server_url() -> str:
    """The PostgreSQL server the benchmark creates its databases on."""
    return os.environ.get("REGISTRY_BENCH_POSTGRES") or DEFAULT_SERVER


def create_database(server: str, suffix: str = "") -> str:
    """A new uniquely named database on ``server``; returns its URL."""
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    name = f"bench_{stamp}_{secrets.token_hex(3)}{suffix}"
    with connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_dbname(server, name)


def with_dbname(url: str, name: str) -> str:
    """``url`` (a postgresql:// URL) pointed at database ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(server: str, url: str) -> None:
    """Drop the database at ``url`` (closing any connection still open on it)."""
    name = urlsplit(url).path.lstrip("/")
    with connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def registry_env(database_url: str, **overrides: str) -> dict[str, str]:
    """This process's environment without REGISTRY_* settings, pointed at ``database_url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(
        {
            "REGISTRY_DATABASE_URL": database_url,
            "REGISTRY_RATE_LIMITS": "off",
            "REGISTRY_LOG_LEVEL": "WARNING",
            "REGISTRY_LOG_FORMAT": "json",
            **overrides,
        }
    )
    return env


def registry_command(*args: str, env: Mapping[str, str], timeout: float = 600) -> str:
    """Run ``registry ARGS`` to completion; its standard output (BenchError on failure)."""
    # The argv is this interpreter and fixed sub-commands: nothing comes from outside.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "registry", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"registry {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


@dataclass
class Cluster:
    """The processes of one benchmark run on one database."""

    database_url: str
    port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """Where ``registry serve`` listens."""
        return f"http://127.0.0.1:{self.port}"

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment of every process of this cluster."""
        return registry_env(self.database_url, REGISTRY_PORT=str(self.port), **overrides)

    def start(self, name: str, *args: str, **env: str) -> psutil.Process:
        """Start ``registry ARGS`` in the background as ``name``."""
        process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed sub-commands
            [sys.executable, "-m", "registry", *args],
            env=self.env(**env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes[name] = process
        return psutil.Process(process.pid)

    def wait_ready(self, timeout: float = 120) -> None:
        """Poll ``/health/ready/`` until 200; BenchError if a process died or time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise BenchError(f"{name} exited with {process.returncode}")
            try:
                if httpx.get(f"{self.base_url}/health/ready/", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise BenchError(f"{self.base_url} was not ready within {timeout} s")

    def close(self) -> list[str]:
        """Stop every started process tree; returns the pids that had to be killed."""
        trees: list[psutil.Process] = []
        for process in self.processes.values():
            try:
                parent = psutil.Process(process.pid)
                trees.extend([parent, *parent.children(recursive=True)])
            except psutil.NoSuchProcess:
                pass
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        killed: list[str] = []
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
                killed.append(str(process.pid))
        _gone, alive = psutil.wait_procs(trees, timeout=10)
        for proc in alive:
            proc.kill()
            killed.append(str(proc.pid))
        self.processes.clear()
        return killed
