"""The connection handling every query shares.

Every query is one statement on a pooled connection, executed with ``prepare=False``: the stable
views are dropped and re-created when a projection is promoted, and a server-side prepared
statement against the old view would fail with "cached plan must not change result type".

A single statement needs no transaction block, so it runs in autocommit mode: that saves the
BEGIN and COMMIT round trips psycopg otherwise adds around it (3 round trips become 1). The
pool's connections are shared with code that uses transactions, so the mode is restored on
release.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool


class QueryBase:
    """Holds the pool and runs single statements."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self._pool = pool

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        with self._pool.connection() as conn:
            previous = conn.autocommit
            conn.autocommit = True
            try:
                yield conn
            finally:
                if not conn.closed:
                    conn.autocommit = previous

    def _all(self, query: str, params: Any = ()) -> list[dict[str, Any]]:
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params, prepare=False)
            rows: list[dict[str, Any]] = cur.fetchall()
            return rows

    def _one(self, query: str, params: Any = ()) -> dict[str, Any] | None:
        rows = self._all(query, params)
        return rows[0] if rows else None

    def _run(self, query: str, params: Any = ()) -> None:
        with self._connection() as conn:
            conn.execute(query, params, prepare=False)
