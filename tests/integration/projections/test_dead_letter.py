"""An event a projector cannot handle is recorded as a dead letter and stops the version; it is
never skipped, and a fixed projector resumes at it."""

from __future__ import annotations

import psycopg
import pytest

from projections import operations
from projections.follow import VersionFailed
from projections.projector import replay
from tests.integration.projections.helpers import actual, append, events, position
from tests.integration.projections.toy import UNLUCKY, Counter, CountersV1, open_toy


def _dead_letters(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT name, version, position, topic, error FROM projection_dead_letters"
        ).fetchall()


def test_an_unknown_topic_is_dead_lettered_and_the_version_reported_failed(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=20, adds=1)
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "INSERT INTO registry_events (originator_id, originator_version, topic, state)"
            " VALUES (gen_random_uuid(), 1, 'nowhere:Vanished', '{}')"
        )
    bad = app.recorder.max_notification_id()
    append(app, counters=5, adds=1, seed=2)

    with pytest.raises(VersionFailed):
        operations.rebuild(
            database_url, "counters", 1, projectors=[CountersV1], app_factory=open_toy
        )

    assert bad is not None
    assert position(database_url, "counters", 1) == bad - 1
    [(name, version, at, topic, error)] = _dead_letters(database_url)
    assert (name, version, at, topic) == ("counters", 1, bad, "nowhere:Vanished")
    assert "nowhere" in str(error)
    problems = operations.check(database_url, projectors=[CountersV1])
    assert any("failed" in p for p in problems)
    assert any("failed" in p for p in operations.readiness(database_url, projectors=[CountersV1]))
    [line] = operations.status(database_url, projectors=[CountersV1])
    assert line.failed_at is not None
    assert line.error
    assert "nowhere" in line.error
    projector = CountersV1()
    before = events(app, projector, stop=bad - 1)
    assert actual(database_url, projector) == replay(projector, before)


def test_a_projector_bug_stops_the_version_and_a_fixed_projector_resumes_at_the_event(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=30, adds=2)
    counter = app.create("unlucky")
    counter.add(UNLUCKY)
    app.save(counter)
    bad = app.recorder.max_notification_id()
    append(app, counters=30, adds=2, seed=3)

    with pytest.raises(VersionFailed):
        operations.rebuild(
            database_url, "counters", 1, projectors=[CountersV1], app_factory=open_toy
        )
    with pytest.raises(VersionFailed):  # stays stopped: retrying does not skip the event
        operations.rebuild(
            database_url, "counters", 1, projectors=[CountersV1], app_factory=open_toy
        )
    assert bad is not None
    assert position(database_url, "counters", 1) == bad - 1
    assert len(_dead_letters(database_url)) == 2

    class Fixed(CountersV1):
        def apply(self, rows: object, event: object, position: int) -> None:
            if isinstance(event, Counter.Added) and event.amount == UNLUCKY:
                event = Counter.Added(
                    originator_id=event.originator_id,
                    originator_version=event.originator_version,
                    timestamp=event.timestamp,
                    amount=0,
                )
            super().apply(rows, event, position)  # type: ignore[arg-type]

    operations.rebuild(database_url, "counters", 1, projectors=[Fixed], app_factory=open_toy)
    assert position(database_url, "counters", 1) == app.recorder.max_notification_id()
    assert operations.check(database_url, projectors=[Fixed]) == []
    assert actual(database_url, Fixed()) == replay(Fixed(), events(app, Fixed()))


def test_an_event_whose_row_the_database_rejects_is_found_in_its_batch_and_dead_lettered(
    database_url: str,
) -> None:
    class NullLabel(CountersV1):
        def row(self, event: Counter.Created, position: int) -> dict[str, object]:
            row = super().row(event, position)
            return {**row, "label": None} if event.label == "bad row" else row

    operations.migrate(database_url, projectors=[NullLabel], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=40, adds=1)
    app.create("bad row")
    bad = app.recorder.max_notification_id()
    append(app, counters=40, adds=1, seed=4)

    with pytest.raises(VersionFailed, match="NotNullViolation"):
        operations.rebuild(
            database_url, "counters", 1, projectors=[NullLabel], app_factory=open_toy
        )
    assert bad is not None
    assert position(database_url, "counters", 1) == bad - 1
    [(_, _, at, _, error)] = _dead_letters(database_url)
    assert at == bad
    assert "label" in str(error)
    projector = NullLabel()
    assert actual(database_url, projector) == replay(
        projector, events(app, projector, stop=bad - 1)
    )
