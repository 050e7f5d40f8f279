"""The worker queues' depth, read straight from the broker (the admin System page).

Plain reads with a short timeout, never through a Dramatiq broker object (building one would
declare queues, start threads or, for PostgreSQL, run its schema set-up):

- PostgreSQL (dramatiq-postgres): one ``count`` over its table ``dramatiq.queue``, by queue name
  and state (delayed messages sit in ``<queue>.DQ``; dead letters are ``rejected`` rows);
- Redis: ``LLEN <ns>:<queue>``, ``LLEN <ns>:<queue>.DQ`` and ``ZCARD <ns>:<queue>.XQ``;
- RabbitMQ: a passive ``queue_declare`` of ``<queue>``, ``<queue>.DQ`` and ``<queue>.XQ`` (its
  ``message_count``: ready messages, not those a worker holds unacknowledged).

A queue the broker does not answer for has None counts; the page says "unknown".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

import psycopg

from web.ports import QueueLine
from workers.queues import ALL_QUEUES

__all__ = ["BrokerQueues"]

log = logging.getLogger("registry.queues")

#: Seconds a read may take (connecting included) before the page shows "unknown".
TIMEOUT = 2.0

_COUNTS = """
SELECT queue_name, "state"::text, count(*)
FROM dramatiq.queue
WHERE queue_name = ANY(%s)
GROUP BY queue_name, "state"
"""


def _unknown(queues: Sequence[str]) -> list[QueueLine]:
    return [QueueLine(name, None, None, None) for name in queues]


class BrokerQueues:
    """:class:`web.ports.QueueDepth` over the broker at ``url`` (``postgresql://``,
    ``redis://`` or ``amqp://``; anything else: unknown). ``namespace``: the Redis key prefix the
    broker was made with (Dramatiq's default ``dramatiq``)."""

    def __init__(
        self,
        url: str,
        queues: Sequence[str] = ALL_QUEUES,
        *,
        namespace: str = "dramatiq",
        timeout: float = TIMEOUT,
    ) -> None:
        self._url = url
        self._queues = tuple(queues)
        self._namespace = namespace
        self._timeout = timeout

    def depths(self) -> list[QueueLine]:
        """Every queue's counts; None counts for what could not be read."""
        scheme = urlsplit(self._url).scheme.lower()
        read: Callable[[], list[QueueLine]] | None = {
            "postgresql": self._postgres,
            "postgres": self._postgres,
            "redis": self._redis,
            "rediss": self._redis,
            "amqp": self._rabbitmq,
            "amqps": self._rabbitmq,
        }.get(scheme)
        if read is None:
            return _unknown(self._queues)
        try:
            return read()
        except Exception:  # an unreachable or odd broker is shown as "unknown", never a 500
            log.warning("reading the queue depth failed", exc_info=True)
            return _unknown(self._queues)

    def _postgres(self) -> list[QueueLine]:
        names = [n for q in self._queues for n in (q, f"{q}.DQ")]
        with psycopg.connect(self._url, connect_timeout=max(1, round(self._timeout))) as conn:
            conn.execute(f"SET statement_timeout = {int(self._timeout * 1000)}")
            rows = conn.execute(_COUNTS, (names,)).fetchall()
        counts = {(str(name), str(state)): int(n) for name, state, n in rows}

        def count(name: str, state: str) -> int:
            return counts.get((name, state), 0)

        return [
            QueueLine(
                q,
                count(q, "queued"),
                count(f"{q}.DQ", "queued"),
                count(q, "rejected") + count(f"{q}.DQ", "rejected"),
            )
            for q in self._queues
        ]

    def _redis(self) -> list[QueueLine]:
        import redis

        client = redis.Redis.from_url(
            self._url, socket_timeout=self._timeout, socket_connect_timeout=self._timeout
        )
        try:
            pipe = client.pipeline(transaction=False)
            for q in self._queues:
                key = f"{self._namespace}:{q}"
                pipe.llen(key)
                pipe.llen(f"{key}.DQ")
                pipe.zcard(f"{key}.XQ")
            found = [int(n) for n in pipe.execute()]
        finally:
            client.close()
        return [QueueLine(q, *found[3 * i : 3 * i + 3]) for i, q in enumerate(self._queues)]

    def _rabbitmq(self) -> list[QueueLine]:
        import pika
        import pika.exceptions

        params = pika.URLParameters(self._url)
        params.socket_timeout = self._timeout
        params.blocked_connection_timeout = self._timeout
        params.stack_timeout = self._timeout
        connection = pika.BlockingConnection(params)
        try:

            def ready(name: str) -> int | None:
                # A passive declare of a queue that does not exist closes the channel: one each.
                channel = connection.channel()
                try:
                    method = channel.queue_declare(queue=name, passive=True).method
                    return int(method.message_count)
                except pika.exceptions.ChannelClosedByBroker:
                    return None
                finally:
                    if channel.is_open:
                        channel.close()

            return [
                QueueLine(q, ready(q), ready(f"{q}.DQ"), ready(f"{q}.XQ")) for q in self._queues
            ]
        finally:
            connection.close()
