"""The event store's one-round-trip recorder keeps eventsourcing's guarantees."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.application import Registry
from projections.eventstore import OneTripRecorder, open_registry

pytestmark = pytest.mark.integration


@pytest.fixture
def app(database_url: str) -> Iterator[Registry]:
    registry = open_registry(database_url, create_tables=True)
    try:
        yield registry
    finally:
        registry.close()


def _event(version: int = 1, originator: object = None) -> StoredEvent:
    return StoredEvent(originator or uuid4(), version, "test/Thing.Happened", b"{}")


def test_the_registry_records_through_the_one_trip_recorder(app: Registry) -> None:
    assert isinstance(app.recorder, OneTripRecorder)


def test_inserted_events_get_consecutive_positions_in_order(app: Registry) -> None:
    events = [_event(), _event(), _event()]
    ids = app.recorder.insert_events(events)
    assert ids is not None
    assert len(ids) == 3
    assert list(ids) == sorted(ids) == list(range(ids[0], ids[0] + 3))
    stored = app.recorder.select_notifications(ids[0], 3)
    assert [n.originator_id for n in stored] == [e.originator_id for e in events]


def test_a_conflict_records_nothing_of_the_batch_and_the_recorder_keeps_working(
    app: Registry,
) -> None:
    taken = _event()
    app.recorder.insert_events([taken])
    bystander = _event()
    with pytest.raises(IntegrityError):
        app.recorder.insert_events([bystander, _event(1, taken.originator_id)])
    assert app.recorder.select_events(bystander.originator_id) == []
    ids = app.recorder.insert_events([bystander])
    assert ids is not None
    assert len(ids) == 1


def test_an_insert_notifies_the_events_channel(app: Registry, database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as listener:
        listener.execute("LISTEN registry_events")
        app.recorder.insert_events([_event()])
        received = list(listener.notifies(timeout=10, stop_after=1))
    assert [n.channel for n in received] == ["registry_events"]


def test_an_insert_waits_for_the_tables_write_lock(app: Registry, database_url: str) -> None:
    done = threading.Event()
    with (
        psycopg.connect(database_url) as holder,
        psycopg.connect(database_url, autocommit=True) as monitor,
    ):
        holder.execute("LOCK TABLE registry_events IN EXCLUSIVE MODE")
        inserter = threading.Thread(
            target=lambda: (app.recorder.insert_events([_event()]), done.set())
        )
        inserter.start()
        deadline = time.monotonic() + 30
        waiting = 0
        while waiting == 0 and time.monotonic() < deadline:
            row = monitor.execute(
                "SELECT count(*) FROM pg_locks WHERE relation = 'registry_events'::regclass"
                " AND NOT granted"
            ).fetchone()
            waiting = row[0] if row else 0
        assert waiting == 1  # the insert asks for the lock that serialises writers
        assert not done.is_set()
        holder.commit()
    inserter.join(timeout=30)
    assert done.is_set()
