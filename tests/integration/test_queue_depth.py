"""The worker queues' depth read from a Redis broker (issue 17): LLEN of the queue and of its
delay queue, ZCARD of its dead letters, in the namespace the broker was made with."""

from __future__ import annotations

import dramatiq
import pytest

from registry.queues import BrokerQueues
from tests.e2e.conftest import claimed_redis_db
from web.ports import QueueLine
from workers.broker import make_broker
from workers.queues import ALL_QUEUES

pytestmark = pytest.mark.integration


def message(queue: str, n: int) -> dramatiq.Message[object]:
    return dramatiq.Message(
        queue_name=queue, actor_name="sync_biotools", args=(n,), kwargs={}, options={}
    )


def test_the_depth_of_redis_queues_counts_waiting_and_delayed_messages() -> None:
    with claimed_redis_db() as url:
        depth = BrokerQueues(url)
        assert depth.depths() == [QueueLine(q, 0, 0, 0) for q in ALL_QUEUES]
        broker = make_broker(url, set_global=False)
        try:
            for n in range(3):
                broker.enqueue(message("biotools", n))
            broker.enqueue(message("mail", 9), delay=600_000)
        finally:
            broker.close()
        assert depth.depths() == [QueueLine("biotools", 3, 0, 0), QueueLine("mail", 0, 1, 0)]
        # Another namespace's keys are not these.
        assert BrokerQueues(url, namespace="elsewhere").depths()[0] == QueueLine(
            "biotools", 0, 0, 0
        )


def test_an_unreadable_broker_gives_unknown_counts() -> None:
    for url in ("redis://127.0.0.1:1/0", "postgresql://nobody@127.0.0.1:1/none", "stub://"):
        assert BrokerQueues(url, timeout=1).depths() == [
            QueueLine(q, None, None, None) for q in ALL_QUEUES
        ]
