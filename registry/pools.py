"""How every connection pool of a process behaves when the database goes away and comes back,
and in which order it hands out its connections.

psycopg_pool's defaults suit a database that never restarts: a pooled connection whose server
went away is handed out as if nothing happened (the request fails on it), a request waits 30 s
for a connection, and a failed reconnection backs off exponentially for up to five minutes (after
a 40 s outage the pools came back 17.6 s after the server). Here:

- ``check``: a connection is tested before it is handed out, at no cost while the server is up:
  an idle connection's socket has nothing to read unless the server closed it (a restart or a
  terminated backend sends a notice and closes), so only a readable socket is tested with a
  round trip. When one is dead, every idle connection of the pool is dropped at once (they all
  lost the same server), so no later request meets one;
- ``timeout``: a request waits at most ``REGISTRY_DATABASE_TIMEOUT`` seconds for a connection,
  then the API answers 503 with ``Retry-After``;
- ``reconnect_timeout``: a failed reconnection is given up after ``RECONNECT_WINDOW`` seconds
  instead of backing off for minutes; the next request that needs a connection tries again at
  once, so the pool is back within about that long after the server;
- most recently used first: psycopg_pool hands out the connection that has waited longest (a
  queue), so once a burst has opened N connections every later request takes them in turn.
  Handed out as a stack instead, the connection just returned serves the next request and the
  others wait unused (the pool still closes one unused connection per ``max_idle``). Measured
  with ``bench/scripts/history_stall.py`` (issue 19): after 5,000 list pages at concurrency 8,
  2,000 reads of a 1,000-change history one at a time had a p99 of 10.3, 21.1 and 29.4 ms in
  turn (24 and 28 reads over 20 ms, waiting in psycopg's execute while PostgreSQL logged no
  statement over 15 ms), 6.5, 5.1 and 4.2 ms (none over 20 ms) most recent first, as with a
  pool of one connection.

eventsourcing builds its own pool for the event store from environment variables that cover only
the wait; :func:`harden` gives an existing pool the rest.
"""

from __future__ import annotations

import logging
import select
from collections import deque
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

log = logging.getLogger("registry.pools")

#: Seconds a pool keeps retrying a failed reconnection before it waits for demand again.
RECONNECT_WINDOW = 1.0


def pool_options(wait: float) -> dict[str, Any]:
    """The keyword arguments of a ``ConnectionPool`` that behaves as described above (the
    ``check`` callback is given by :func:`harden`, which needs the pool itself)."""
    return {"timeout": wait, "reconnect_timeout": RECONNECT_WINDOW}


def harden(pool: ConnectionPool[Any], wait: float) -> ConnectionPool[Any]:
    """Give ``pool`` the outage behaviour of this module; returns it."""
    pool.timeout = wait
    pool.reconnect_timeout = RECONNECT_WINDOW
    # psycopg_pool takes `check` only as a constructor argument, and eventsourcing constructs
    # the event store's pool itself: the attribute is what the pool calls before handing out.
    pool._check = _checker(pool)
    # psycopg_pool has no option for the order: its idle connections are the deque `_pool`, taken
    # with popleft and returned with append (tests/integration/test_pools.py fails if that changes).
    pool._pool = _MostRecentFirst(pool._pool)
    return pool


class _MostRecentFirst(deque[Any]):
    """A pool's idle connections, handed out last in, first out (see the module docstring).
    The pool's shrinking takes from the same end: it closes a connection while one is unused,
    which one does not matter."""

    def popleft(self) -> Any:
        return self.pop()


def _checker(pool: ConnectionPool[Any]) -> Any:
    def check(conn: psycopg.Connection[Any]) -> None:
        if not conn.closed and not _readable(conn):
            return  # the server has said nothing: the connection is as it was
        try:
            ConnectionPool.check_connection(conn)
        except psycopg.Error:
            log.warning("dropping the idle connections of pool %r: the server went away", pool.name)
            pool.drain()
            raise

    return check


def _readable(conn: psycopg.Connection[Any]) -> bool:
    """Whether the server sent something to an idle connection (it never does unless it is
    closing it: a terminated backend, a shutdown) or closed it."""
    try:
        ready, _, _ = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError, psycopg.Error):
        return True
    return bool(ready)
