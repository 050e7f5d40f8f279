"""The pure part of a projection: a projector turns decoded domain events into row changes.

A projector never touches the database. The adapter (`projections.batch`) loads the rows a batch
of events needs in one SELECT per table, hands them to `apply_batch` here, and writes back what
changed, all in one transaction with the tracking position.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

Row = dict[str, Any]
"""One row of a read table: column name -> value (JSONB columns hold dicts/lists)."""

RowKey = tuple[str, tuple[Any, ...]]
"""(table base name, primary-key values in the order of `Table.key`)."""

Rows = MutableMapping[RowKey, Row | None]
"""The working set of a batch: a key mapped to its current row, or None when it does not exist."""

DDL_ROOT = Path(__file__).resolve().parent.parent / "schema" / "ddl"


@dataclass(frozen=True)
class Table:
    """One table a projector owns; its physical name is `<name>_v<version>`.

    `columns` lists every column (key columns included) in the order rows are written; `jsonb`
    names the columns whose Python values (dicts, lists) are stored as JSONB documents.
    """

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    jsonb: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        missing = set(self.key) - set(self.columns)
        if missing:
            raise ValueError(f"key columns {sorted(missing)} are not columns of {self.name}")

    def physical(self, version: int) -> str:
        """The versioned table name, e.g. `submissions_v2`."""
        return f"{self.name}_v{version}"

    def key_of(self, row: Row) -> tuple[Any, ...]:
        """The primary-key values of `row`."""
        return tuple(row[c] for c in self.key)


@dataclass(frozen=True)
class Event:
    """A domain event with its position in the notification log and its stored topic."""

    position: int
    topic: str
    domain_event: Any


class Projector:
    """Base class of every projector: a named, versioned, pure `event -> row changes` function.

    Subclasses set `name`, `version` and `tables` (the first table is the main one: the view
    `<name>` points at it) and implement `keys` and `apply`. `topics`, when not empty, lists the
    only topics the projector wants: the others are not even decoded, but the position still
    advances past them. Events with a wanted topic that `keys`/`apply` do not care about simply
    return no keys and change nothing.
    """

    name: ClassVar[str]
    version: ClassVar[int]
    tables: ClassVar[tuple[Table, ...]]
    topics: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def ddl_path(cls) -> Path:
        """The DDL file of this version: `schema/ddl/<name>/v<N>.sql` (frozen once released)."""
        return DDL_ROOT / cls.name / f"v{cls.version}.sql"

    @classmethod
    def table(cls, name: str) -> Table:
        """The declared table called `name` (base name, without version)."""
        for table in cls.tables:
            if table.name == name:
                return table
        raise KeyError(f"{cls.name} v{cls.version} declares no table {name!r}")

    @classmethod
    def physical_tables(cls) -> list[str]:
        """Every physical table name of this version, main table first."""
        return [t.physical(cls.version) for t in cls.tables]

    def wants(self, topic: str) -> bool:
        """Whether events with this stored topic are decoded and given to `keys`/`apply`."""
        return not self.topics or topic in self.topics

    def keys(self, event: Any) -> Iterable[RowKey]:
        """The rows `apply` will read or replace for this event (loaded before the batch runs)."""
        raise NotImplementedError

    def apply(self, rows: Rows, event: Any, position: int) -> None:
        """Apply one event to the working set: set `rows[key] = row` or `rows[key] = None`
        (or a `Pending` row, which `complete` turns into the row after the batch's last event).

        Raise any exception for an event that cannot be handled: the runner quarantines the
        rows the event touches (see `projections.quarantine`) and goes on with the others.
        """
        raise NotImplementedError

    def while_quarantined(self, key: RowKey, row: Row | None) -> Row | None:
        """What the table holds for `key` while its row is quarantined (`row`: the row as it
        was before the event that failed, None when there was none). By default the last good
        row stays readable; a projector whose stale row would grant something (a revoked key
        still working) returns a safer one, or None to remove it until the row is released."""
        return row

    def complete(self, key: RowKey, value: Any) -> Row | None:
        """The final row of a `Pending` row `apply` left for `key` (called once per batch)."""
        raise NotImplementedError(f"{type(self).__name__} leaves Pending rows but no complete()")


class Pending(dict[str, Any]):
    """A placeholder row: `value` (e.g. a document) that later events of the same batch fold on
    and `Projector.complete` turns into the row once, after the batch's last event, instead of
    building the row after every event. `position` is the last event that changed it."""

    def __init__(self, value: Any, position: int) -> None:
        super().__init__()
        self.value = value
        self.position = position


class ProjectionError(Exception):
    """Raised when a projector fails on one event; carries the event's position and topic."""

    def __init__(self, position: int, topic: str, cause: BaseException) -> None:
        super().__init__(f"event {position} ({topic}): {type(cause).__name__}: {cause}")
        self.position = position
        self.topic = topic
        self.cause = cause


def keys_of(projector: Projector, events: Sequence[Event]) -> Iterator[RowKey]:
    """Every row key a batch needs, with the failing event named if `keys` raises."""
    for event in events:
        try:
            yield from projector.keys(event.domain_event)
        except Exception as exc:
            raise ProjectionError(event.position, event.topic, exc) from exc


def apply_batch(projector: Projector, rows: Rows, events: Sequence[Event]) -> None:
    """Apply `events` in order to the working set `rows` (mutated in place).

    Raises `ProjectionError` naming the first event the projector could not handle; the caller
    must then discard `rows`, which may hold that event's partial changes.
    """
    for event in events:
        try:
            projector.apply(rows, event.domain_event, event.position)
        except Exception as exc:
            raise ProjectionError(event.position, event.topic, exc) from exc
    for key, row in rows.items():
        if isinstance(row, Pending):
            try:
                rows[key] = projector.complete(key, row.value)
            except Exception as exc:  # named after the last event that changed the row
                topic = next(e.topic for e in events if e.position == row.position)
                raise ProjectionError(row.position, topic, exc) from exc


@dataclass
class Changes:
    """The net effect of a batch: rows to upsert and keys to delete, per table base name."""

    upserts: dict[str, list[Row]] = field(default_factory=dict)
    deletes: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    #: Positions of events not applied because they touch quarantined rows (see
    #: `projections.quarantine`).
    held: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(map(len, self.upserts.values())) + sum(map(len, self.deletes.values()))


def changes_of(rows: Rows, existing: set[RowKey]) -> Changes:
    """Turn a working set into writes: every present row is upserted; a key whose row is None is
    deleted when it existed before the batch (`existing`), and forgotten otherwise."""
    changes = Changes()
    for (table, key), row in rows.items():
        if row is not None:
            changes.upserts.setdefault(table, []).append(row)
        elif (table, key) in existing:
            changes.deletes.setdefault(table, []).append(key)
    return changes


def replay(projector: Projector, events: Iterable[Event]) -> dict[RowKey, Row]:
    """The rows a from-scratch replay produces, computed purely in memory (for tests)."""
    rows: dict[RowKey, Row | None] = {}
    for event in events:
        # One event's working set, as the store reads it: applying to all rows so far made
        # the replay quadratic in the log's length (apply_batch visits every row it is given).
        batch: Rows = {key: rows.get(key) for key in keys_of(projector, [event])}
        apply_batch(projector, batch, [event])
        rows.update(batch)
    return {k: v for k, v in rows.items() if v is not None}
