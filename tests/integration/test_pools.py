"""The hardened pools hand out the connection returned last (``registry.pools``): a burst's
extra connections then idle instead of taking turns with the one that serves."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from registry.pools import harden, pool_options


def _backend(conn: psycopg.Connection[Any]) -> int:
    return int(conn.info.backend_pid)


def test_the_connection_returned_last_serves_the_next_request(database_url: str) -> None:
    pool: ConnectionPool[Any] = ConnectionPool(
        database_url, min_size=1, max_size=3, open=True, **pool_options(5.0)
    )
    harden(pool, 5.0)
    try:
        held = [pool.getconn() for _ in range(3)]  # a burst opens three connections
        backends = [_backend(conn) for conn in held]
        for conn in held:
            pool.putconn(conn)
        # One request at a time afterwards: always the connection put back last.
        for _ in range(5):
            with pool.connection() as conn:
                assert _backend(conn) == backends[-1]
        assert pool.get_stats()["pool_available"] == 3  # the other two are idle, not closed
    finally:
        pool.close()


def test_a_request_during_a_burst_still_gets_a_free_connection(database_url: str) -> None:
    pool: ConnectionPool[Any] = ConnectionPool(
        database_url, min_size=1, max_size=2, open=True, **pool_options(5.0)
    )
    harden(pool, 5.0)
    try:
        with pool.connection() as first, pool.connection() as second:
            assert _backend(first) != _backend(second)
            assert first.execute("SELECT 1").fetchone() == (1,)
            assert second.execute("SELECT 2").fetchone() == (2,)
    finally:
        pool.close()
