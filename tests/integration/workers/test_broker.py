"""`make_broker` gives working brokers for every supported URL scheme."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

import dramatiq
import psycopg
import pytest
import redis
from dramatiq.brokers.stub import StubBroker

from workers.broker import make_broker

pytestmark = pytest.mark.integration


SEEN_LAST: list[int] = []


def _wait(done: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "messages were not processed in time"
        time.sleep(0.05)


def _round_trip(broker: dramatiq.Broker, join: Callable[[str], None]) -> list[int]:
    """Send three messages through `broker` and process them with a real Worker."""
    seen: list[int] = SEEN_LAST
    seen.clear()
    queue = f"q{secrets.token_hex(4)}"

    @dramatiq.actor(broker=broker, queue_name=queue, actor_name=f"collect_{queue}")
    def collect(value: int) -> None:
        seen.append(value)

    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    try:
        for value in (1, 2, 3):
            collect.send(value)
        join(queue)
    finally:
        worker.stop()
        broker.close()
    return sorted(seen)


def test_a_stub_url_gives_the_global_stub_broker() -> None:
    broker = make_broker("stub://")
    assert isinstance(broker, StubBroker)
    assert dramatiq.get_broker() is broker


def test_redis_carries_messages() -> None:
    namespace = f"t-{secrets.token_hex(3)}"
    broker = make_broker("redis://127.0.0.1:6379/0", set_global=False, namespace=namespace)
    try:
        assert _round_trip(broker, lambda q: broker.join(q, timeout=10_000)) == [1, 2, 3]
    finally:
        # The Redis server is shared: leave nothing of this run behind.
        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        for key in client.scan_iter(f"{namespace}:*"):
            client.delete(key)


def test_postgresql_carries_messages_and_creates_its_schema(database_url: str) -> None:
    broker = make_broker(database_url, set_global=False)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT to_regclass('dramatiq.queue')").fetchone() == (
            "dramatiq.queue",
        )
    # dramatiq-postgres has no join(): wait until the worker has run all three.
    assert _round_trip(broker, lambda q: _wait(lambda: len(SEEN_LAST) == 3)) == [1, 2, 3]


def test_rabbitmq_carries_messages() -> None:
    broker = make_broker("amqp://guest:guest@127.0.0.1:5672/%2F", set_global=False)

    def join(queue: str) -> None:
        broker.join(queue, timeout=10_000)

    assert _round_trip(broker, join) == [1, 2, 3]


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported broker URL scheme"):
        make_broker("kafka://127.0.0.1")
