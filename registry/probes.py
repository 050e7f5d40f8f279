"""Readiness probes: each returns None when its dependency is fine, else a reason for the log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg_pool import ConnectionPool

from projections import operations, repair

Probe = Callable[[], str | None]


def database_probe(pool: ConnectionPool[Any]) -> Probe:
    """The database answers a trivial query within two seconds."""

    def probe() -> str | None:
        with pool.connection(timeout=2) as conn:
            conn.execute("SELECT 1")
        return None

    return probe


def broker_probe(url: str) -> Probe:
    """The broker accepts a connection (Redis PING, an AMQP handshake, or PostgreSQL)."""
    scheme = urlsplit(url).scheme

    def probe() -> str | None:
        if scheme.startswith("redis"):
            import redis

            redis.Redis.from_url(url, socket_timeout=2).ping()
        elif scheme.startswith("amqp"):
            import pika

            pika.BlockingConnection(pika.URLParameters(url)).close()
        elif scheme.startswith("postgres"):
            with psycopg.connect(url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
        return None

    return probe


def projections_probe(database_url: str) -> Probe:
    """Every declared projection has a live version and none of them failed."""

    def probe() -> str | None:
        problems = operations.readiness(database_url)
        return "; ".join(problems) if problems else None

    return probe


def quarantine_probe(database_url: str) -> Probe:
    """No projection version has quarantined rows (a warning: the registry still serves)."""

    def probe() -> str | None:
        found = repair.warnings(database_url)
        return "; ".join(found) if found else None

    return probe


def warning_probes(database_url: str) -> list[tuple[str, Probe]]:
    """The warnings of ``/health/ready/``: quarantined projection rows."""
    return [("projections-quarantine", quarantine_probe(database_url))]


def readiness_probes(
    pool: ConnectionPool[Any], database_url: str, broker: str
) -> list[tuple[str, Probe]]:
    """The probes of ``/health/ready/`` for a web process: database, broker, projections."""
    return [
        ("database", database_probe(pool)),
        ("broker", broker_probe(broker)),
        ("projections", projections_probe(database_url)),
    ]
