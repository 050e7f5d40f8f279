"""Killing a runner process at random points never makes a projection apply an event twice or
skip one: after restarts its tables equal a from-scratch replay.

Each kill waits for an observable state (the runner has committed past a randomly chosen
position), never for a fixed time: on a loaded machine a runner may need seconds just to start,
and a kill before its first commit would test nothing.
"""

from __future__ import annotations

import random
import subprocess
import threading

import psycopg

from projections import operations
from tests.integration.projections.helpers import (
    actual,
    append,
    expected,
    head,
    kill,
    position,
    start_runner,
    wait_until,
)
from tests.integration.projections.toy import Counter, CountersV1, CountersV2, open_toy

PROJECTORS = [CountersV1, CountersV2]


def test_a_rebuild_killed_at_random_points_equals_a_from_scratch_replay(database_url: str) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=6000, adds=4)
    operations.migrate(database_url, projectors=PROJECTORS, app_factory=open_toy)
    rnd = random.Random(4)
    top = head(database_url)
    interrupted_at: list[int] = []
    for round_ in range(1, 5):
        # Somewhere in the round's sixth of the log: the kill lands inside a later page.
        goal = int(top * (round_ + rnd.random()) / 6)
        runner = start_runner(database_url, "1,2", 250)
        _wait_for_position(runner, database_url, 2, goal)
        kill(runner)
        interrupted_at.append(position(database_url, "counters", 2))
    mid_build = [p for p in interrupted_at if 0 < p < top]
    assert len(mid_build) >= 2, f"not interrupted twice mid-build: {interrupted_at}"
    runner = start_runner(database_url, "1,2", 250)
    try:
        wait_until(lambda: position(database_url, "counters", 2) == head(database_url), 60)
        wait_until(lambda: position(database_url, "counters", 1) == head(database_url), 60)
    finally:
        kill(runner)
    for projector in (CountersV1(), CountersV2()):
        want = expected(app, projector)
        assert len(want) > 25000
        assert actual(database_url, projector) == want


def test_live_following_killed_at_random_points_equals_a_from_scratch_replay(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    stop = threading.Event()

    def write() -> None:
        rnd = random.Random(7)
        counters = [app.create(f"w{i}") for i in range(20)]
        while not stop.is_set():
            picked = rnd.sample(counters, rnd.randint(1, 5))
            for counter in picked:
                counter.add(rnd.randint(1, 9))
            app.save(*picked)

    writer = threading.Thread(target=write)
    writer.start()
    rnd = random.Random(11)
    try:
        for _ in range(5):
            # Past everything written so far, plus a random stretch written while it follows.
            goal = head(database_url) + rnd.randint(1, 60)
            runner = start_runner(database_url, "1", 50)
            _wait_for_position(runner, database_url, 1, goal)
            kill(runner)
        wait_until(lambda: head(database_url) > 400, 120)  # enough written to mean something
    finally:
        stop.set()
        writer.join()
    runner = start_runner(database_url, "1", 50)
    try:
        wait_until(lambda: position(database_url, "counters", 1) == head(database_url), 30)
    finally:
        kill(runner)
    want = expected(app, CountersV1())
    assert sum(1 for k in want if k[0] == "counter_adds") > 200
    assert actual(database_url, CountersV1()) == want
    assert isinstance(app.repository.get(next(iter(want))[1][0]), Counter)


def _wait_for_position(
    runner: subprocess.Popen[bytes], url: str, version: int, goal: int, timeout: float = 120
) -> None:
    """Wait until the runner has committed `counters` v`version` up to at least `goal` (polled
    on one connection: a connection per poll would cost the server a process each time)."""
    with psycopg.connect(url, autocommit=True) as conn:

        def reached() -> bool:
            assert runner.poll() is None, f"the runner exited with {runner.returncode}"
            row = conn.execute(
                "SELECT position FROM projection_versions WHERE name = 'counters' AND version = %s",
                (version,),
            ).fetchone()
            return row is not None and int(row[0]) >= goal

        wait_until(reached, timeout, interval=0.05)
