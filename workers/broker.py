"""The Dramatiq broker of a worker process, chosen by URL.

Call `make_broker(url)` once, early, in the process's composition root: it sets the global
broker, and only then may `workers.actors` be imported (actors bind to the global broker when they
are declared). Importing this module has no side effects.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage

__all__ = ["make_broker"]


def _postgres_broker(
    url: str, heartbeat_timeout: float | None, pool_size: int | None
) -> dramatiq.Broker:
    import psycopg
    from dramatiq_postgres import PostgresBroker, init

    # Durable queue tables in the `dramatiq` schema; init() is idempotent and takes a lock.
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        init(cursor)
    options: dict[str, float] = {}
    if heartbeat_timeout is not None:
        # In dramatiq-postgres' own proportions (60 s: heartbeat every 15 s, upkeep every 30 s),
        # so that a live worker always beats well within the timeout.
        options = {
            "heartbeat_ttl": heartbeat_timeout,
            "heartbeat_interval": heartbeat_timeout / 4,
            "maintenance_interval": heartbeat_timeout / 2,
        }
    if pool_size is not None:
        # dramatiq-postgres reads its pool's ceiling (default 16) from the URL's `maxconn`.
        parts = urlsplit(url)
        query = [*parse_qsl(parts.query), ("maxconn", str(pool_size))]
        url = parts._replace(query=urlencode(query)).geturl()
    broker: dramatiq.Broker = PostgresBroker(url=url, results=False, **options)
    return broker


def make_broker(
    url: str,
    *,
    set_global: bool = True,
    namespace: str | None = None,
    heartbeat_timeout: float | None = None,
    maintenance_chance: int | None = None,
    pool_size: int | None = None,
) -> dramatiq.Broker:
    """A broker for `redis://`, `amqp://`, `postgresql://` or `stub://` URLs, with the
    CurrentMessage middleware added; also installed as the global broker unless told not to.

    A worker silent for `heartbeat_timeout` seconds counts as dead and its unacknowledged jobs
    go back to their queue (Redis and PostgreSQL; None: the brokers' default, 60 s). Redis
    only: that happens at the next maintenance, which runs on `maintenance_chance` broker
    commands in a million (None: Dramatiq's 1000, about a quarter of an hour on an idle
    queue); `namespace` prefixes the keys (to keep test runs apart). PostgreSQL only: the broker
    holds at most `pool_size` connections (None: dramatiq-postgres' 16)."""
    scheme = urlsplit(url).scheme.lower()
    broker: dramatiq.Broker
    if scheme in ("redis", "rediss"):
        from dramatiq.brokers.redis import RedisBroker

        options: dict[str, object] = {"namespace": namespace} if namespace else {}
        if heartbeat_timeout is not None:
            options["heartbeat_timeout"] = int(heartbeat_timeout * 1000)
        if maintenance_chance is not None:
            options["maintenance_chance"] = maintenance_chance
        broker = RedisBroker(url=url, **options)  # type: ignore[no-untyped-call]
    elif scheme in ("amqp", "amqps"):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url)
    elif scheme in ("postgresql", "postgres"):
        broker = _postgres_broker(url, heartbeat_timeout, pool_size)
    elif scheme == "stub":
        broker = StubBroker()
    else:
        raise ValueError(f"unsupported broker URL scheme {scheme!r}")
    broker.add_middleware(CurrentMessage())
    if set_global:
        dramatiq.set_broker(broker)
    return broker
