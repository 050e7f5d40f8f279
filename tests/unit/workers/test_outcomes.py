"""Job outcomes are reported per actor: done, or failed when the actor raised."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker

from workers.outcomes import JobOutcomes


def test_done_and_failed_jobs_are_reported_per_actor() -> None:
    seen: list[tuple[str, str]] = []
    broker = StubBroker()
    broker.add_middleware(JobOutcomes(lambda actor, outcome: seen.append((actor, outcome))))

    @dramatiq.actor(broker=broker, max_retries=0)
    def fine() -> None:
        return None

    @dramatiq.actor(broker=broker, max_retries=0)
    def broken() -> None:
        raise ValueError("no")

    fine.send()
    broken.send()
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    try:
        broker.join(fine.queue_name, fail_fast=False)
        worker.join()
    finally:
        worker.stop()
    assert sorted(seen) == [("broken", "failed"), ("fine", "done")]
