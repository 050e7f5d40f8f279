"""A toy event-sourced application named "registry" and its projectors, to exercise the projection
mechanism without the real domain. Counters are created, added to and closed; the projection is
deliberately not idempotent (totals and a list of positions), so an event applied twice or skipped
shows in the rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from projections.eventstore import event_store_env
from projections.projector import Projector, RowKey, Rows, Table

DDL = Path(__file__).parent / "ddl"
UNLUCKY = 13
"""Adding this amount makes the projectors raise: a projector bug on one event."""


class Counter(Aggregate):
    """A labelled running total."""

    @event("Created")
    def __init__(self, label: str) -> None:
        self.label = label
        self.total = 0

    @event("Added")
    def add(self, amount: int) -> None:
        self.total += amount

    @event("Closed")
    def close(self) -> None:
        pass


class Toy(Application[UUID]):
    """The upstream application; its events table is `registry_events` like the real one."""

    name = "registry"

    def create(self, label: str) -> Counter:
        counter = Counter(label)
        self.save(counter)
        return counter


def open_toy(database_url: str, *, create_tables: bool = False, **_: Any) -> Toy:
    """The app factory the projection operations take."""
    return Toy(env=event_store_env(database_url, create_tables=create_tables))


class CountersV1(Projector):
    """One row per counter (with a JSONB document) and one row per addition."""

    name = "counters"
    version = 1
    tables = (
        Table(
            "counters",
            key=("id",),
            columns=("id", "label", "total", "doc"),
            jsonb=frozenset({"doc"}),
        ),
        Table("counter_adds", key=("counter_id", "seq"), columns=("counter_id", "seq", "amount")),
    )

    @classmethod
    def ddl_path(cls) -> Path:
        return DDL / cls.name / f"v{cls.version}.sql"

    def keys(self, event: Any) -> list[RowKey]:
        keys: list[RowKey] = [("counters", (event.originator_id,))]
        if isinstance(event, Counter.Added):
            keys.append(("counter_adds", (event.originator_id, event.originator_version)))
        return keys

    def row(self, event: Counter.Created, position: int) -> dict[str, Any]:
        return {
            "id": event.originator_id,
            "label": event.label,
            "total": 0,
            "doc": {"label": event.label, "positions": [position]},
        }

    def apply(self, rows: Rows, event: Any, position: int) -> None:
        key: RowKey = ("counters", (event.originator_id,))
        if isinstance(event, Counter.Created):
            rows[key] = self.row(event, position)
        elif isinstance(event, Counter.Added):
            if event.amount == UNLUCKY:
                raise ValueError("unlucky amount")
            row = rows[key]
            assert row is not None
            row["total"] += event.amount
            row["doc"]["positions"].append(position)
            if "adds" in row:
                row["adds"] += 1
            rows[("counter_adds", (event.originator_id, event.originator_version))] = {
                "counter_id": event.originator_id,
                "seq": event.originator_version,
                "amount": event.amount,
            }
        elif isinstance(event, Counter.Closed):
            rows[key] = None
        else:
            raise TypeError(f"unhandled event {type(event).__name__}")


class CountersV2(CountersV1):
    """v2 adds a column (`adds`): a changed read-table shape, built by replay."""

    version = 2
    tables = (
        Table(
            "counters",
            key=("id",),
            columns=("id", "label", "total", "adds", "doc"),
            jsonb=frozenset({"doc"}),
        ),
        CountersV1.tables[1],
    )

    def row(self, event: Counter.Created, position: int) -> dict[str, Any]:
        return {**super().row(event, position), "adds": 0}


class CountersV3(CountersV1):
    """The same projection as v1 under another version, to compare two builds row for row."""

    version = 3
