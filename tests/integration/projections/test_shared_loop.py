"""The shared loop: caught-up versions are followed together, one page and one transaction for
all of them, and a version that fails there is handed back and quarantines the row alone."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from projections import operations
from projections.runner import Runner
from tests.integration.projections.helpers import (
    actual,
    append,
    expected,
    head,
    position,
    upgraded,
    wait_until,
)
from tests.integration.projections.toy import Counter, CountersV1, CountersV3, open_toy

V1 = ("counters", 1)
BOTH = {V1, ("counters", 3)}


def _dead_letters(url: str) -> list[tuple[int, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT version, position FROM projection_dead_letters").fetchall()
    return [(int(v), int(p)) for v, p in rows]


def _xmins(url: str) -> dict[int, int]:
    """The id of the transaction that last wrote each version's catalogue row."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT version, xmin::text::bigint FROM projection_versions WHERE name = 'counters'"
        ).fetchall()
    return {int(v): int(x) for v, x in rows}


def _caught_up(url: str, *versions: int) -> bool:
    top = head(url)
    return all(position(url, "counters", v) == top for v in versions)


def test_caught_up_versions_advance_together_in_one_transaction_per_page(
    database_url: str,
) -> None:
    app = upgraded(database_url, [CountersV1], [CountersV1, CountersV3])
    append(app, counters=20, adds=2)
    runner = Runner(
        database_url, app=open_toy(database_url), projectors=[CountersV1, CountersV3], page_size=50
    )
    runner.start()
    try:
        wait_until(lambda: _caught_up(database_url, 1, 3), 20)
        assert runner.shared is not None
        wait_until(lambda: runner.shared is not None and runner.shared.members == BOTH, 10)
        for seed in range(1, 4):
            append(app, counters=5, adds=3, seed=seed)
            wait_until(lambda: _caught_up(database_url, 1, 3), 10)
            xmins = _xmins(database_url)
            assert xmins[1] == xmins[3], "both positions moved by one transaction"
        assert runner.shared.members == BOTH
    finally:
        runner.stop()
    for projector in (CountersV1(), CountersV3()):
        assert actual(database_url, projector) == expected(app, projector)


class PoisonedV3(CountersV3):
    """v3 with a bug v1 does not have: it cannot handle a counter labelled 'poison'."""

    def apply(self, rows: Any, event: Any, position: int) -> None:
        if isinstance(event, Counter.Created) and getattr(event, "label", None) == "poison":
            raise ValueError("v3 cannot handle poison")
        super().apply(rows, event, position)


class NullLabelV3(CountersV3):
    """v3 writing a row the database rejects (NOT NULL) for a counter labelled 'poison'."""

    def row(self, event: Any, position: int) -> dict[str, Any]:
        row = super().row(event, position)
        return {**row, "label": None} if row["label"] == "poison" else row


@pytest.mark.parametrize("v3", [PoisonedV3, NullLabelV3], ids=["projector error", "row error"])
def test_a_version_failing_in_the_shared_loop_quarantines_the_row_alone_and_all_go_on(
    database_url: str, v3: type[CountersV3]
) -> None:
    app = upgraded(database_url, [CountersV1], [CountersV1, v3])
    append(app, counters=10, adds=1)
    runner = Runner(database_url, app=open_toy(database_url), projectors=[CountersV1, v3])
    runner.start()
    try:
        wait_until(lambda: runner.shared is not None and runner.shared.members == BOTH, 20)
        poison = app.create("poison")
        bad = head(database_url)
        append(app, counters=10, adds=1, seed=5)
        wait_until(lambda: _caught_up(database_url, 1, 3), 10)
        assert _dead_letters(database_url) == [(3, bad)]
        with psycopg.connect(database_url) as conn:
            failed = conn.execute(
                "SELECT version FROM projection_versions WHERE failed_at IS NOT NULL"
            ).fetchall()
            quarantined = conn.execute(
                "SELECT version, row_key ->> 0 FROM projection_quarantine"
            ).fetchall()
        assert failed == []
        assert quarantined == [(3, str(poison.id))]
        # Both go on following together once v3's own thread has caught up around the event.
        wait_until(lambda: runner.shared is not None and runner.shared.members == BOTH, 10)
        append(app, counters=3, adds=1, seed=6)
        wait_until(lambda: _caught_up(database_url, 1, 3), 10)
    finally:
        runner.stop()
    assert actual(database_url, CountersV1()) == expected(app, CountersV1())
    rest = {k: v for k, v in expected(app, CountersV3()).items() if k[1][0] != poison.id}
    assert actual(database_url, v3()) == rest


class FeedingV1(CountersV1):
    """v1 that appends one more counter to the log each time it applies an event while
    `feeding` is set: every catch-up of its own thread then finds new events behind it, like a
    version followed under a steady write load."""

    feeding = True
    app: Any = None

    def apply(self, rows: Any, event: Any, position: int) -> None:
        super().apply(rows, event, position)
        if FeedingV1.feeding and FeedingV1.app is not None:
            FeedingV1.app.create("fed")


def test_a_version_that_never_finds_the_log_empty_still_joins_the_shared_loop(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[FeedingV1], app_factory=open_toy)
    FeedingV1.app, FeedingV1.feeding = open_toy(database_url), True
    FeedingV1.app.create("first")
    runner = Runner(database_url, app=open_toy(database_url), projectors=[FeedingV1])
    runner.start()
    try:
        # While the feed runs, no page the version reads is ever the last one.
        wait_until(lambda: runner.shared is not None and runner.shared.members == {V1}, 10)
        FeedingV1.feeding = False
        wait_until(lambda: _caught_up(database_url, 1), 10)
    finally:
        FeedingV1.feeding = False
        runner.stop()
    assert actual(database_url, FeedingV1()) == expected(FeedingV1.app, FeedingV1())


def test_a_member_stopped_behind_the_loops_back_moves_no_one_and_the_others_go_on(
    database_url: str,
) -> None:
    app = upgraded(database_url, [CountersV1], [CountersV1, CountersV3])
    append(app, counters=5, adds=1)
    runner = Runner(database_url, app=open_toy(database_url), projectors=[CountersV1, CountersV3])
    runner.start()
    try:
        wait_until(lambda: runner.shared is not None and runner.shared.members == BOTH, 20)
        append(app, counters=2, adds=1, seed=6)  # a page the loop commits for both
        wait_until(lambda: _caught_up(database_url, 1, 3), 10)
        stopped_at = position(database_url, "counters", 3)
        rows_then = actual(database_url, CountersV3())
        with psycopg.connect(database_url) as conn:  # as an operator or another process would
            conn.execute(
                "UPDATE projection_versions SET failed_at = now(), error = 'stopped by hand'"
                " WHERE name = 'counters' AND version = 3"
            )
        append(app, counters=5, adds=1, seed=7)
        wait_until(lambda: _caught_up(database_url, 1), 10)
        wait_until(lambda: runner.shared is not None and runner.shared.members == {V1}, 10)
        assert position(database_url, "counters", 3) == stopped_at
        assert actual(database_url, CountersV3()) == rows_then, "nothing written for v3"
    finally:
        runner.stop()
    assert actual(database_url, CountersV1()) == expected(app, CountersV1())
