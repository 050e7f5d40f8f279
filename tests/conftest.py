"""Shared fixtures: a private, uniquely named PostgreSQL database per test or per session.

Every database this suite creates is named ``regtest_<random>`` and dropped when its fixture
ends, so runs never see each other's data. The server is the one on ``REGISTRY_TEST_POSTGRES``
(default ``postgresql://postgres@127.0.0.1:5432/postgres``). With ``CI=true`` a missing server
fails the run; elsewhere the tests that need it are skipped with the reason.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator

import psycopg
import pytest
from psycopg import sql

ADMIN_URL = os.environ.get(
    "REGISTRY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _server_available() -> str | None:
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        return str(exc).strip().splitlines()[0]
    return None


def _url_for(dbname: str) -> str:
    return psycopg.conninfo.make_conninfo(ADMIN_URL, dbname=dbname)


def _as_url(dbname: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(ADMIN_URL)
    user = info.get("user", "postgres")
    host = info.get("host", "127.0.0.1")
    port = info.get("port", 5432)
    return f"postgresql://{user}@{host}:{port}/{dbname}"


def create_database() -> tuple[str, Callable[[], None]]:
    """Create a uniquely named database; return its URL and a function that drops it."""
    name = f"regtest_{secrets.token_hex(6)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop() -> None:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
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
    return ADMIN_URL


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
