"""Rate-limit counts in PostgreSQL: a ``limits`` storage over the ``rate_limit_windows`` table.

What ``REGISTRY_RATE_LIMIT_STORAGE=database`` uses when there is no Redis: every process and host
counts against the same rows, so a limit is global (see ``web.ratelimit``). It implements the
fixed-window storage of the ``limits`` library: one atomic upsert per counted call starts a new
window when the row's has ended, else adds to it, and returns the window's count. Rows whose
window ended are deleted now and then by the calls themselves (one in :data:`SWEEP_EVERY`).
"""

from __future__ import annotations

import random
import time
from typing import Any

import psycopg
from limits.storage import Storage
from psycopg_pool import ConnectionPool

#: One counted call in this many also deletes the rows whose window has ended.
SWEEP_EVERY = 500

# `set_config(..., true)` lasts until the end of this transaction, whose commit then skips its
# WAL flush (selecting FROM cfg makes sure it runs): a count lost with a crash of the server
# costs nothing worth a flush per counted call.
_INCR = """WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true))
INSERT INTO rate_limit_windows AS w (key, hits, expires_at)
SELECT %(key)s, %(amount)s, clock_timestamp() + make_interval(secs => %(expiry)s) FROM cfg
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN w.expires_at <= clock_timestamp() THEN EXCLUDED.hits
                ELSE w.hits + EXCLUDED.hits END,
    expires_at = CASE WHEN w.expires_at <= clock_timestamp() THEN EXCLUDED.expires_at
                      ELSE w.expires_at END
RETURNING hits"""
_GET = "SELECT hits FROM rate_limit_windows WHERE key = %s AND expires_at > clock_timestamp()"
_EXPIRY = """SELECT extract(epoch FROM expires_at)::float8 FROM rate_limit_windows
WHERE key = %s AND expires_at > clock_timestamp()"""
_SWEEP = "DELETE FROM rate_limit_windows WHERE expires_at <= clock_timestamp()"


class PostgresRateLimitStorage(Storage):
    """The ``limits`` fixed-window storage over a connection pool of the registry's database."""

    STORAGE_SCHEME = None

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        super().__init__()
        self._pool = pool

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return psycopg.Error

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the window of ``key`` (a new one of ``expiry`` seconds when it
        has none or it has ended); the window's count after."""
        with self._pool.connection() as conn:
            if random.randrange(SWEEP_EVERY) == 0:
                conn.execute(_SWEEP, prepare=False)
            row = conn.execute(
                _INCR, {"key": key, "amount": amount, "expiry": expiry}, prepare=False
            ).fetchone()
        return int(row[0]) if row else amount

    def get(self, key: str) -> int:
        """The count of ``key``'s current window (0 without one)."""
        with self._pool.connection() as conn:
            row = conn.execute(_GET, (key,), prepare=False).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        """When ``key``'s window ends (epoch seconds; now without one)."""
        with self._pool.connection() as conn:
            row = conn.execute(_EXPIRY, (key,), prepare=False).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self._pool.connection() as conn:
                conn.execute("SELECT 1", prepare=False)
        except psycopg.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every window; how many there were."""
        with self._pool.connection() as conn:
            deleted: int = conn.execute("DELETE FROM rate_limit_windows", prepare=False).rowcount
        return deleted

    def clear(self, key: str) -> None:
        """Forget ``key``'s window."""
        with self._pool.connection() as conn:
            conn.execute("DELETE FROM rate_limit_windows WHERE key = %s", (key,), prepare=False)
