"""Group commit: concurrent saves share transactions, yet each caller keeps its own outcome."""

from __future__ import annotations

import threading
from typing import Any, ClassVar
from uuid import UUID

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from projections.group_commit import GroupCommitter


class Counter(Aggregate):
    @event("Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Incremented")
    def increment(self) -> None:
        self.count += 1


def _app(env: dict[str, str] | None = None) -> Application[UUID]:
    return Application[UUID](env=env)


def _run_concurrently(n: int, work: Any) -> list[Any]:
    results: list[Any] = [None] * n
    barrier = threading.Barrier(n)

    def target(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_each_caller_gets_the_recordings_of_its_own_events() -> None:
    app = _app()
    committer = GroupCommitter(app)
    try:
        counters = [Counter() for _ in range(40)]
        for c in counters[::2]:
            c.increment()
        results = _run_concurrently(40, lambda i: committer.save(counters[i]))
        for counter, recordings in zip(counters, results, strict=True):
            assert [r.domain_event.originator_id for r in recordings] == [counter.id] * len(
                recordings
            )
            assert len(recordings) == counter.version
        positions = [r.notification.id for rs in results for r in rs]
        assert len(set(positions)) == len(positions) == app.recorder.max_notification_id()
    finally:
        committer.close()


def test_only_the_callers_that_lost_a_race_get_an_integrity_error() -> None:
    app = _app()
    committer = GroupCommitter(app)
    try:
        counter = Counter()
        app.save(counter)
        stale_copies = [app.repository.get(counter.id) for _ in range(8)]
        for copy in stale_copies:
            copy.increment()
        others = [Counter() for _ in range(8)]

        def work(i: int) -> Any:
            target = stale_copies[i // 2] if i % 2 == 0 else others[i // 2]
            return committer.save(target)

        results = _run_concurrently(16, work)
        conflicts = [r for r in results if isinstance(r, IntegrityError)]
        assert len(conflicts) == 7  # eight saved version 2 of one counter: one of them won
        assert app.repository.get(counter.id).count == 1
        for other in others:
            assert app.repository.get(other.id).version == 1
    finally:
        committer.close()


def test_a_save_with_nothing_pending_records_nothing() -> None:
    app = _app()
    committer = GroupCommitter(app)
    counter = Counter()
    app.save(counter)
    assert committer.save(counter) == []
    committer.close()
    with pytest.raises(RuntimeError):
        committer.save(Counter())


def test_events_are_encoded_in_the_callers_thread_not_the_committers() -> None:
    app = _app()
    encoded_in: list[str] = []
    encode = app.mapper.to_stored_event

    def recording_encoder(domain_event: Any) -> Any:
        encoded_in.append(threading.current_thread().name)
        return encode(domain_event)

    app.mapper.to_stored_event = recording_encoder  # type: ignore[method-assign]
    committer = GroupCommitter(app)
    try:
        results = _run_concurrently(8, lambda i: committer.save(Counter()))
        assert all(len(r) == 1 for r in results)
        assert len(encoded_in) == 8
        assert "group-commit" not in encoded_in
    finally:
        committer.close()


def test_a_snapshot_is_taken_when_a_save_reaches_the_interval() -> None:
    class SnapshottingApp(Application[UUID]):
        snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Counter: 2}

    app = SnapshottingApp()
    committer = GroupCommitter(app)
    try:
        counter = Counter()
        counter.increment()
        committer.save(counter)
        assert app.snapshots is not None
        assert [s.originator_version for s in app.snapshots.get(counter.id)] == [2]
    finally:
        committer.close()


#: The eventsourcing code the group committer (projections/group_commit.py) and the recorder
#: (projections/eventstore.py) re-implement or call (private methods among them): the source of
#: each, as of eventsourcing 9.5.6, by SHA-256 prefix.
RELIED_ON = {
    "Application.save": "4e9747d14b8fd046",  # _record, then _take_snapshots, then _notify
    "Application._record": "104c6186b29d5059",  # events.put, then the repository cache
    "Application._take_snapshots": "ae98c5b97ed9a8e3",
    "Application._notify": "6b32f9fc4b4cf455",
    "EventStore.put": "7cbbe45730a0d3b9",  # encode, then recorder.insert_events
    # projections/eventstore.py's OneTripRecorder sends these methods' statements (the lock
    # with its timeout, the NOTIFY, the INSERT, made in __init__) as one message.
    "PostgresApplicationRecorder.__init__": "db36fb3de49a5292",
    "PostgresApplicationRecorder.insert_events": "f1a98da0239e3ea7",
    "PostgresApplicationRecorder._insert_stored_events": "139580714a659085",
    "PostgresApplicationRecorder._lock_table": "42bc9c135b4a93c1",
    "PostgresApplicationRecorder._notify_channel": "9e5bab72ecfbcf2e",
}


def test_the_eventsourcing_internals_the_write_side_relies_on_are_unchanged() -> None:
    import hashlib
    import inspect

    from eventsourcing.persistence import EventStore
    from eventsourcing.postgres import PostgresApplicationRecorder

    owners = {
        "Application": Application,
        "EventStore": EventStore,
        "PostgresApplicationRecorder": PostgresApplicationRecorder,
    }
    changed = []
    for name, digest in RELIED_ON.items():
        owner, method = name.split(".")
        source = inspect.getsource(getattr(owners[owner], method))
        if hashlib.sha256(source.encode()).hexdigest()[:16] != digest:
            changed.append(name)
    assert not changed, (
        f"eventsourcing changed {', '.join(changed)}: projections/group_commit.py copies what "
        "Application.save/_record do and calls _take_snapshots and _notify; "
        "projections/eventstore.py's OneTripRecorder sends PostgresApplicationRecorder's insert "
        "statements as one message. Read the new code, bring them in line, then update RELIED_ON."
    )
