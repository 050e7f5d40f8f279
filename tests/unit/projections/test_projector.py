"""The pure part of the mechanism: applying a batch of events to rows in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from projections.projector import (
    Event,
    Pending,
    ProjectionError,
    Projector,
    RowKey,
    Rows,
    Table,
    apply_batch,
    changes_of,
    keys_of,
    replay,
)


@dataclass
class Opened:
    account: str


@dataclass
class Deposited:
    account: str
    amount: int


@dataclass
class Closed:
    account: str


class Accounts(Projector):
    name = "accounts"
    version = 1
    tables = (
        Table("accounts", key=("id",), columns=("id", "balance", "doc"), jsonb=frozenset({"doc"})),
        Table("deposits", key=("id", "position"), columns=("id", "position", "amount")),
    )
    topics = ("Opened", "Deposited", "Closed")

    def keys(self, event: Any) -> list[RowKey]:
        keys: list[RowKey] = [("accounts", (event.account,))]
        if isinstance(event, Deposited):
            keys.append(("deposits", (event.account, event.amount)))
        return keys

    def apply(self, rows: Rows, event: Any, position: int) -> None:
        key: RowKey = ("accounts", (event.account,))
        if isinstance(event, Opened):
            rows[key] = {"id": event.account, "balance": 0, "doc": {"seen": [position]}}
        elif isinstance(event, Deposited):
            if event.amount < 0:
                raise ValueError("negative deposit")
            row = rows[key]
            assert row is not None
            row["balance"] += event.amount
            row["doc"]["seen"].append(position)
        elif isinstance(event, Closed):
            rows[key] = None


def ev(position: int, event: Any) -> Event:
    return Event(position, type(event).__name__, event)


def test_a_batch_is_applied_in_order_to_the_working_set() -> None:
    rows: dict[RowKey, Any] = {("accounts", ("a",)): None}
    apply_batch(
        Accounts(), rows, [ev(1, Opened("a")), ev(2, Deposited("a", 5)), ev(4, Deposited("a", 7))]
    )
    assert rows[("accounts", ("a",))] == {"id": "a", "balance": 12, "doc": {"seen": [1, 2, 4]}}


def test_the_failing_event_is_named_by_its_position_and_topic() -> None:
    rows: dict[RowKey, Any] = {}
    batch = [ev(1, Opened("a")), ev(3, Deposited("a", -1)), ev(4, Deposited("a", 1))]
    with pytest.raises(ProjectionError) as caught:
        apply_batch(Accounts(), rows, batch)
    assert (caught.value.position, caught.value.topic) == (3, "Deposited")
    assert isinstance(caught.value.cause, ValueError)


def test_keys_of_a_batch_name_every_row_the_events_touch() -> None:
    batch = [ev(1, Opened("a")), ev(2, Deposited("b", 3))]
    assert list(keys_of(Accounts(), batch)) == [
        ("accounts", ("a",)),
        ("accounts", ("b",)),
        ("deposits", ("b", 3)),
    ]


def test_changes_upsert_present_rows_and_delete_only_rows_that_existed() -> None:
    rows: dict[RowKey, Any] = {
        ("accounts", ("kept",)): {"id": "kept", "balance": 1, "doc": {}},
        ("accounts", ("gone",)): None,
        ("accounts", ("never",)): None,
    }
    changes = changes_of(rows, existing={("accounts", ("kept",)), ("accounts", ("gone",))})
    assert changes.upserts == {"accounts": [{"id": "kept", "balance": 1, "doc": {}}]}
    assert changes.deletes == {"accounts": [("gone",)]}
    assert len(changes) == 2


def test_a_row_created_and_deleted_in_one_batch_writes_nothing() -> None:
    rows: dict[RowKey, Any] = {("accounts", ("a",)): None}
    apply_batch(Accounts(), rows, [ev(1, Opened("a")), ev(2, Closed("a"))])
    assert len(changes_of(rows, existing=set())) == 0


def test_replay_from_scratch_gives_the_final_rows() -> None:
    rows = replay(
        Accounts(),
        [ev(1, Opened("a")), ev(2, Opened("b")), ev(3, Deposited("a", 2)), ev(5, Closed("b"))],
    )
    assert rows == {("accounts", ("a",)): {"id": "a", "balance": 2, "doc": {"seen": [1, 3]}}}


def test_unwanted_topics_are_not_given_to_the_projector() -> None:
    assert Accounts().wants("Deposited")
    assert not Accounts().wants("Renamed")


def test_versioned_names_and_ddl_path_follow_the_convention() -> None:
    assert Accounts.physical_tables() == ["accounts_v1", "deposits_v1"]
    assert Accounts.ddl_path().parts[-4:] == ("schema", "ddl", "accounts", "v1.sql")
    assert Accounts.table("deposits").key_of({"id": "x", "position": 3, "amount": 1}) == ("x", 3)


def test_a_table_key_must_be_among_its_columns() -> None:
    with pytest.raises(ValueError, match="key columns"):
        Table("bad", key=("id",), columns=("name",))


class Balances(Projector):
    """Folds a running balance and builds the row from it once per batch (`Pending`)."""

    name = "balances"
    version = 1
    tables = (Table("balances", key=("id",), columns=("id", "balance")),)

    def __init__(self) -> None:
        self.built: list[int] = []

    def keys(self, event: Any) -> list[RowKey]:
        return [("balances", (event.account,))]

    def apply(self, rows: Rows, event: Any, position: int) -> None:
        key: RowKey = ("balances", (event.account,))
        current = rows[key]
        if isinstance(current, Pending):
            balance = current.value
        else:
            balance = current["balance"] if current else 0
        if isinstance(event, Closed):
            rows[key] = None
        else:
            rows[key] = Pending(balance + getattr(event, "amount", 0), position)

    def complete(self, key: RowKey, value: Any) -> dict[str, Any]:
        if value < 0:
            raise ValueError("overdrawn")
        self.built.append(value)
        return {"id": key[1][0], "balance": value}


def test_a_pending_row_is_built_once_per_batch_and_equals_the_event_by_event_result() -> None:
    events = [ev(1, Opened("a")), ev(2, Deposited("a", 5)), ev(3, Deposited("a", 7))]
    projector = Balances()
    rows: dict[RowKey, Any] = {("balances", ("a",)): None}
    apply_batch(projector, rows, events)
    assert rows == {("balances", ("a",)): {"id": "a", "balance": 12}}
    assert projector.built == [12]
    assert replay(Balances(), events) == rows


def test_a_pending_row_that_cannot_be_built_names_the_last_event_that_changed_it() -> None:
    events = [ev(1, Opened("a")), ev(2, Deposited("a", -5)), ev(3, Opened("b"))]
    rows: dict[RowKey, Any] = {("balances", ("a",)): None, ("balances", ("b",)): None}
    with pytest.raises(ProjectionError) as caught:
        apply_batch(Balances(), rows, events)
    assert (caught.value.position, caught.value.topic) == (2, "Deposited")
