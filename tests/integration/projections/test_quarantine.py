"""An event a projector cannot apply quarantines the rows it touches: the rest of the table keeps
following, later events on those rows are held, and an operator's retry (after a fix) or skip
applies the held events again. The event is never silently skipped."""

from __future__ import annotations

from typing import Any

import psycopg

from projections import operations, repair
from projections.projector import Projector, RowKey, replay
from projections.runner import Runner
from projections.store import VersionStore
from tests.integration.projections.helpers import actual, append, events, head, position, wait_until
from tests.integration.projections.toy import UNLUCKY, Counter, CountersV1, Toy, open_toy


def _dead_letters(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT name, version, position, topic, error FROM projection_dead_letters"
        ).fetchall()


def _held(url: str) -> list[int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT position FROM projection_held_events ORDER BY 1").fetchall()
    return [int(p) for (p,) in rows]


def _without(rows: dict[RowKey, Any], counter: object) -> dict[RowKey, Any]:
    return {k: v for k, v in rows.items() if k[1][0] != counter}


class Fixed(CountersV1):
    """v1 after the fix: the unlucky amount counts as nothing."""

    def apply(self, rows: Any, event: Any, position: int) -> None:
        if isinstance(event, Counter.Added) and event.amount == UNLUCKY:
            event = Counter.Added(
                originator_id=event.originator_id,
                originator_version=event.originator_version,
                timestamp=event.timestamp,
                amount=0,
            )
        super().apply(rows, event, position)


def _unlucky(app: Toy) -> tuple[Counter, int, int]:
    """A counter whose second event the projector cannot apply, with one more event after it:
    the counter, the bad event's position and the held follower's."""
    counter = app.create("unlucky")
    counter.add(UNLUCKY)
    app.save(counter)
    bad = app.recorder.max_notification_id()
    counter.add(5)
    app.save(counter)
    later = app.recorder.max_notification_id()
    assert bad is not None
    assert later is not None
    return counter, bad, later


def _rebuild(url: str, projector: type[Projector] = CountersV1) -> int:
    return operations.rebuild(url, "counters", 1, projectors=[projector], app_factory=open_toy)


def test_an_unknown_topic_quarantines_its_aggregate_and_the_table_goes_on(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=20, adds=1)
    with psycopg.connect(database_url) as conn:
        vanished = conn.execute(
            "INSERT INTO registry_events (originator_id, originator_version, topic, state)"
            " VALUES (gen_random_uuid(), 1, 'nowhere:Vanished', '{}') RETURNING originator_id"
        ).fetchone()
    assert vanished is not None
    bad = app.recorder.max_notification_id()
    append(app, counters=5, adds=1, seed=2)

    assert _rebuild(database_url) == head(database_url)

    assert position(database_url, "counters", 1) == head(database_url)
    [(name, version, at, topic, error)] = _dead_letters(database_url)
    assert (name, version, at, topic) == ("counters", 1, bad, "nowhere:Vanished")
    assert "nowhere" in str(error)
    [entry] = repair.listing(database_url)
    assert (entry.row_table, entry.row_key, entry.position) == ("", [str(vanished[0])], bad)
    assert _held(database_url) == [bad]
    [line] = operations.status(database_url, projectors=[CountersV1])
    assert (line.quarantined, line.failed_at) == (1, None)
    assert any("quarantined" in p for p in operations.check(database_url, projectors=[CountersV1]))
    assert repair.warnings(database_url) == [
        "counters v1: 1 row(s) quarantined (registry projections quarantine list)"
    ]
    assert operations.readiness(database_url, projectors=[CountersV1]) == []  # still serving
    projector = CountersV1()
    decodable = [e for e in _events_around(app, projector, bad)]
    assert actual(database_url, projector) == replay(projector, decodable)


def _events_around(app: Toy, projector: Projector, bad: int) -> list[Any]:
    """Every event the projector wants but the one at `bad` (which cannot be decoded)."""
    store = VersionStore(projector)
    page = [n for n in app.recorder.select_notifications(0, 10_000) if n.id != bad]
    return store.decode(page, app.mapper)


def test_a_projector_bug_holds_one_counter_until_a_fix_is_retried(database_url: str) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=30, adds=2)
    counter, bad, later = _unlucky(app)
    append(app, counters=30, adds=2, seed=3)

    _rebuild(database_url)
    assert position(database_url, "counters", 1) == head(database_url)
    assert _held(database_url) == [bad, later]
    found = repair.listing(database_url)
    assert {(e.row_table, tuple(e.row_key), e.position) for e in found} == {
        ("counters", (str(counter.id),), bad),
        ("counter_adds", (str(counter.id), 2), bad),  # both rows the event touches
    }
    assert all("unlucky amount" in e.error for e in found)
    assert _without(actual(database_url, CountersV1()), counter.id) == _without(
        replay(Fixed(), events(app, Fixed())), counter.id
    )
    # The counter's row stays as it was before the bad event: readable, not half-applied.
    before = replay(CountersV1(), events(app, CountersV1(), stop=bad - 1))
    assert (
        actual(database_url, CountersV1())[("counters", (counter.id,))]
        == before[("counters", (counter.id,))]
    )

    still = repair.retry(
        database_url, "counters", 1, projectors=[CountersV1], app_factory=open_toy
    )  # the bug is still there: quarantined again, nothing lost
    assert still.still_quarantined == 2
    assert _held(database_url) == [bad, later]

    fixed = repair.retry(database_url, "counters", 1, projectors=[Fixed], app_factory=open_toy)
    assert fixed.released is not None
    assert (fixed.released.applied, fixed.still_quarantined) == (2, 0)
    assert repair.listing(database_url) == []
    assert _held(database_url) == []
    assert operations.check(database_url, projectors=[Fixed]) == []
    assert actual(database_url, Fixed()) == replay(Fixed(), events(app, Fixed()))


def test_skipping_the_failed_event_applies_the_rest_of_the_held_ones(database_url: str) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=10, adds=1)
    counter, bad, _ = _unlucky(app)
    _rebuild(database_url)

    done = repair.retry(
        database_url, "counters", 1, skip=bad, projectors=[CountersV1], app_factory=open_toy
    )
    assert done.released is not None
    assert (done.released.applied, done.released.skipped, done.still_quarantined) == (1, 1, 0)
    wanted = [e for e in events(app, CountersV1()) if e.position != bad]
    assert actual(database_url, CountersV1()) == replay(CountersV1(), wanted)
    assert actual(database_url, CountersV1())[("counters", (counter.id,))]["total"] == 5


def test_an_event_whose_row_the_database_rejects_is_found_in_its_batch_and_quarantined(
    database_url: str,
) -> None:
    class NullLabel(CountersV1):
        def row(self, event: Counter.Created, position: int) -> dict[str, object]:
            row = super().row(event, position)
            return {**row, "label": None} if event.label == "bad row" else row

    operations.migrate(database_url, projectors=[NullLabel], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=40, adds=1)
    broken = app.create("bad row")
    bad = app.recorder.max_notification_id()
    append(app, counters=40, adds=1, seed=4)

    _rebuild(database_url, NullLabel)

    assert position(database_url, "counters", 1) == head(database_url)
    [(_, _, at, _, error)] = _dead_letters(database_url)
    assert at == bad
    assert "label" in str(error)
    [entry] = repair.listing(database_url)
    assert (entry.row_key, entry.position) == ([str(broken.id)], bad)
    projector = NullLabel()
    assert actual(database_url, projector) == _without(
        replay(CountersV1(), events(app, CountersV1())), broken.id
    )


def test_a_running_runner_quarantines_and_releases_when_the_operator_asks(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=5, adds=1)
    runner = Runner(database_url, app=open_toy(database_url), projectors=[CountersV1])
    runner.start()
    try:
        counter, bad, later = _unlucky(app)
        append(app, counters=5, adds=1, seed=8)
        wait_until(lambda: position(database_url, "counters", 1) == head(database_url), 20)
        assert _held(database_url) == [bad, later]
    finally:
        runner.stop()
    fixed_runner = Runner(database_url, app=open_toy(database_url), projectors=[Fixed])
    fixed_runner.start()
    try:
        wait_until(lambda: ("counters", 1) in fixed_runner.active, 20)
        outcome = repair.retry(
            database_url, "counters", 1, projectors=[Fixed], app_factory=open_toy, timeout=20
        )
        assert outcome.released is None  # the runner did it: it holds the version's lock
        assert outcome.still_quarantined == 0
        append(app, counters=2, adds=1, seed=9)
        wait_until(lambda: position(database_url, "counters", 1) == head(database_url), 20)
    finally:
        fixed_runner.stop()
    assert actual(database_url, Fixed()) == replay(Fixed(), events(app, Fixed()))
    assert actual(database_url, Fixed())[("counters", (counter.id,))]["total"] == 5
