"""The composition root starts Dramatiq workers with the process-boot hooks, so the actors'
declared time limits are enforced (stub broker: no broker server needed)."""

from __future__ import annotations

import threading
import time

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import TimeLimitExceeded

from registry.process import start_worker


def test_a_job_over_its_time_limit_is_interrupted() -> None:
    broker = StubBroker()
    outcome: list[str] = []
    done = threading.Event()

    @dramatiq.actor(broker=broker, time_limit=200, max_retries=0)
    def slow() -> None:
        try:
            for _ in range(100):  # 10 s unless interrupted
                time.sleep(0.1)
            outcome.append("finished")
        except TimeLimitExceeded:
            outcome.append("interrupted")
        finally:
            done.set()

    worker = start_worker(broker, threads=1)
    try:
        slow.send()
        assert done.wait(timeout=8)
    finally:
        worker.stop()
        broker.close()
    assert outcome == ["interrupted"]
