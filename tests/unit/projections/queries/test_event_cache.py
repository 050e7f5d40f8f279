"""The as_of event cache: a second read decodes only the events appended since, an erased
submission is not kept, and only the most recently read aggregates are kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from projections.queries.event_cache import EventCache


@dataclass(frozen=True)
class Submission:
    @dataclass(frozen=True)
    class Amended:
        originator_id: UUID
        originator_version: int

    @dataclass(frozen=True)
    class Erased:
        originator_id: UUID
        originator_version: int


class Store:
    """An append-only event store that records what each read asked for."""

    def __init__(self) -> None:
        self.events: dict[UUID, list[Any]] = {}
        self.reads: list[tuple[UUID, int | None]] = []

    def append(self, aggregate_id: UUID, kind: type[Any] = Submission.Amended) -> None:
        stored = self.events.setdefault(aggregate_id, [])
        stored.append(kind(aggregate_id, len(stored) + 1))

    def get(self, aggregate_id: UUID, gt: int | None = None) -> list[Any]:
        self.reads.append((aggregate_id, gt))
        stored = self.events.get(aggregate_id, [])
        return [e for e in stored if gt is None or e.originator_version > gt]


def test_a_second_read_fetches_only_the_events_appended_since() -> None:
    store, cache, sid = Store(), EventCache(), uuid4()
    for _ in range(3):
        store.append(sid)
    assert len(cache.events(store, sid)) == 3
    store.append(sid)
    events = cache.events(store, sid)
    assert [e.originator_version for e in events] == [1, 2, 3, 4]
    assert store.reads == [(sid, None), (sid, 3)]


def test_an_erased_submission_is_not_kept() -> None:
    store, cache, sid = Store(), EventCache(), uuid4()
    store.append(sid)
    cache.events(store, sid)
    store.append(sid, Submission.Erased)
    assert len(cache.events(store, sid)) == 2
    cache.events(store, sid)
    assert store.reads[-1] == (sid, None)


def test_only_the_most_recently_read_aggregates_are_kept() -> None:
    store, cache = Store(), EventCache(size=2)
    first, second, third = uuid4(), uuid4(), uuid4()
    for aggregate_id in (first, second, third):
        store.append(aggregate_id)
        cache.events(store, aggregate_id)
    cache.events(store, first)
    cache.events(store, third)
    assert store.reads[-2:] == [(first, None), (third, 1)]
