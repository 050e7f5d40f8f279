"""The connection handling every query shares.

Every query is one statement on a pooled connection, prepared on the server at its first
execution there (one more round trip, once per connection and statement): planning the detail or
list statement cost more than executing it, and psycopg's default (prepare from the fifth
execution) left every connection of the pool planning its first few.

The stable views are dropped and re-created when a projection is promoted; a prepared statement
survives that (PostgreSQL re-plans it) as long as its result columns keep their types, which is
why every query names its columns. Should a promoted version change a column's type, the server
refuses the old statement ("cached plan must not change result type"): the connection then
forgets its prepared statements and the query runs again unprepared, so a promote never fails a
read.

A single statement needs no transaction block, so it runs in autocommit mode: that saves the
BEGIN and COMMIT round trips psycopg otherwise adds around it (3 round trips become 1). The
pool's connections are shared with code that uses transactions, so the mode is restored on
release.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def keep(cache: dict[K, V], key: K, value: V, cap: int) -> None:
    """Put ``value`` under ``key`` in a per-process cache of at most ``cap`` entries: a full
    one starts over (its entries are re-read at the next miss; no bookkeeping on hits)."""
    if len(cache) >= cap and key not in cache:
        cache.clear()
    cache[key] = value


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
            execute(cur, query, params)
            rows: list[dict[str, Any]] = cur.fetchall()
            return rows

    def _one(self, query: str, params: Any = ()) -> dict[str, Any] | None:
        rows = self._all(query, params)
        return rows[0] if rows else None

    def _run(self, query: str, params: Any = ()) -> None:
        with self._connection() as conn, conn.cursor() as cur:
            execute(cur, query, params)


def execute(cur: psycopg.Cursor[Any], query: str, params: Any = ()) -> None:
    """Run ``query`` on ``cur`` as a prepared statement; outside a transaction block, a statement
    whose view changed its result types under it is re-run unprepared."""
    try:
        cur.execute(query, params, prepare=True)
    except psycopg.errors.FeatureNotSupported:
        conn = cur.connection
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            raise
        # Psycopg forgets its own prepared statements when it sees DEALLOCATE ALL.
        conn.execute("DEALLOCATE ALL")
        cur.execute(query, params, prepare=False)
