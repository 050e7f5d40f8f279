"""Several runner processes for one projection version: exactly one is active, and a standby
takes over within seconds when the active one dies."""

from __future__ import annotations

import time

from projections import operations
from tests.integration.projections.helpers import (
    active_runner_pids,
    actual,
    append,
    expected,
    head,
    kill,
    position,
    start_runner,
    wait_until,
)
from tests.integration.projections.toy import CountersV1, open_toy


def test_one_of_two_runners_is_active_and_the_other_takes_over_when_it_dies(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=50, adds=2)
    first = start_runner(database_url, "1", 100)
    second = start_runner(database_url, "1", 100)
    try:
        pids = wait_until(lambda: active_runner_pids(database_url), 15)
        time.sleep(1.5)  # both have had several chances at the lock by now
        pids = active_runner_pids(database_url)
        assert len(pids) == 1
        assert pids[0] in (first.pid, second.pid)
        wait_until(lambda: position(database_url, "counters", 1) == head(database_url), 15)

        active, standby = (first, second) if pids[0] == first.pid else (second, first)
        kill(active)
        killed_at = time.monotonic()
        append(app, counters=10, adds=1, seed=1)
        wait_until(lambda: position(database_url, "counters", 1) == head(database_url), 10)
        took_over_in = time.monotonic() - killed_at
        assert active_runner_pids(database_url) == [standby.pid]
        assert took_over_in < 5
    finally:
        kill(first)
        kill(second)
    assert actual(database_url, CountersV1()) == expected(app, CountersV1())
