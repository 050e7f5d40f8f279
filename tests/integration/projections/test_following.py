"""Following the log: permanent gaps in notification ids and lost notifications never stall or
mislead a runner."""

from __future__ import annotations

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

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
from tests.integration.projections.toy import CountersV1, open_toy


def test_permanent_gaps_in_notification_ids_are_passed_over(database_url: str) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    counter = app.create("contended")
    stale = app.repository.get(counter.id)
    counter.add(1)
    app.save(counter)
    stale.add(2)
    with pytest.raises(IntegrityError):
        app.save(stale)  # burns a sequence value: a permanent gap
    append(app, counters=5, adds=1)
    with psycopg.connect(database_url) as conn:
        ids = [r[0] for r in conn.execute("SELECT notification_id FROM registry_events ORDER BY 1")]
    assert ids != list(range(1, len(ids) + 1)), "expected a gap in the ids"

    operations.rebuild(database_url, "counters", 1, projectors=[CountersV1], app_factory=open_toy)
    assert position(database_url, "counters", 1) == head(database_url)
    assert actual(database_url, CountersV1()) == expected(app, CountersV1())


def test_an_event_inserted_without_a_notification_is_still_followed_within_seconds(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    app.create("first")
    runner = start_runner(database_url, "1", 100)
    try:
        wait_until(lambda: position(database_url, "counters", 1) == head(database_url), 15)
        with psycopg.connect(database_url) as conn:  # a plain INSERT: no NOTIFY is sent
            conn.execute(
                "INSERT INTO registry_events (originator_id, originator_version, topic, state)"
                " SELECT gen_random_uuid(), 1, topic, state FROM registry_events LIMIT 1"
            )
        wait_until(lambda: position(database_url, "counters", 1) == head(database_url), 3)
    finally:
        kill(runner)
    assert actual(database_url, CountersV1()) == expected(app, CountersV1())
