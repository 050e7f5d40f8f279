"""A version built by batched replay equals the same projection built live, event by event."""

from __future__ import annotations

import random

from projections import operations
from tests.integration.projections.helpers import (
    digest,
    head,
    kill,
    position,
    start_runner,
    wait_until,
)
from tests.integration.projections.toy import UNLUCKY, CountersV1, CountersV3, open_toy


def test_a_version_built_by_batched_replay_equals_one_built_live_event_by_event(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    runner = start_runner(database_url, "1", 1)  # one event per transaction
    try:
        rnd = random.Random(5)
        counters = [app.create(f"e{i}") for i in range(40)]
        for _ in range(600):
            counter = rnd.choice(counters)
            counter.add(rnd.choice([a for a in range(1, 51) if a != UNLUCKY]))
            app.save(counter)
        for counter in counters[::9]:
            counter.close()
            app.save(counter)
        wait_until(lambda: position(database_url, "counters", 1) == head(database_url), 60)
    finally:
        kill(runner)

    operations.rebuild(
        database_url, "counters", 3, projectors=[CountersV1, CountersV3], app_factory=open_toy
    )
    live_built = (
        digest(database_url, "counters_v1", "id"),
        digest(database_url, "counter_adds_v1", "counter_id, seq"),
    )
    replayed = (
        digest(database_url, "counters_v3", "id"),
        digest(database_url, "counter_adds_v3", "counter_id, seq"),
    )
    assert live_built == replayed
    assert live_built[0][0] == 40 - len(counters[::9])
    assert live_built[1][0] == 600
