"""Imported submissions and admin keys on the read side: original times, keys, history rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.keys import hash_key
from domain.legacy import LegacyChange, LegacyKey, LegacySubmission
from projections.projectors.api_keys import ApiKeysProjector
from projections.projectors.history import HistoryProjectorV2
from projections.projectors.submissions import SubmissionsProjectorV2
from tests.unit.projections.projectors.conftest import World

SUBMITTED = datetime(2023, 2, 1, 8, 0, tzinfo=UTC)
UPDATED = datetime(2024, 6, 10, 14, 30, tzinfo=UTC)
CHANGED = datetime(2023, 5, 5, 5, 5, tzinfo=UTC)


def _import(world: World, **overrides: Any) -> UUID:
    data = {
        "service_name": "Legacy",
        "service_center_id": str(world.centre),
        "service_category_ids": [world.category],
        "responsible_pi_ids": [str(world.pi)],
        "kpi_since": "2020",
    }
    record = LegacySubmission(
        submission_id=uuid4(),
        data=data,
        status="approved",
        submitted_at=SUBMITTED,
        updated_at=UPDATED,
        primary_maturity_tag="legacy",
        keys=[
            LegacyKey(uuid4(), hash_key("a"), "Initial key", "write", "submitter", SUBMITTED, True),
            LegacyKey(uuid4(), hash_key("b"), "Old", "read", "hanna", UPDATED, False),
        ],
        history=[
            LegacyChange(
                "admin:hanna",
                CHANGED,
                [{"field": "status", "label": "Status", "old": "Submitted", "new": "Approved"}],
            )
        ],
        **overrides,
    )
    world.app.import_submission(record)
    return record.submission_id


def test_the_document_carries_the_original_times_status_and_tags(world: World) -> None:
    sid = _import(world)
    row = next(r for r in world.rows(SubmissionsProjectorV2()).values() if r and r["id"] == sid)
    assert (row["submitted_at"], row["updated_at"]) == (SUBMITTED, UPDATED)
    assert (row["status"], row["primary_maturity_tag"], row["version"]) == ("approved", "legacy", 2)
    assert row["doc"]["kpi_since"] == "2020"


def test_imported_keys_are_found_by_hash_with_their_state_and_times(world: World) -> None:
    sid = _import(world)
    row = world.rows(ApiKeysProjector())[("api_keys", (sid,))]
    assert row is not None
    assert row["key_hashes"] == [hash_key("a"), hash_key("b")]
    assert [(k["is_active"], k["created_at"]) for k in row["keys"]] == [
        (True, SUBMITTED.isoformat()),
        (False, UPDATED.isoformat()),
    ]


def test_an_imported_admin_key_is_found_by_hash_with_its_state(world: World) -> None:
    key_id = uuid4()
    world.app.import_admin_key(
        key_id,
        label="ops",
        scope="read",
        key_hash=hash_key("admin"),
        created_by="hanna",
        created_at=SUBMITTED,
        is_active=False,
    )
    row = world.rows(ApiKeysProjector())[("api_keys", (key_id,))]
    assert row is not None
    assert row["submission_id"] is None
    assert row["keys"][0]["is_active"] is False
    assert row["keys"][0]["created_at"] == SUBMITTED.isoformat()


def test_history_rows_show_the_change_log_at_original_times_before_later_changes(
    world: World,
) -> None:
    sid = _import(world)
    world.app.change_status(sid, "rejected", actor="admin:root", by_admin=True)
    rows = sorted(
        (r for r in world.rows(HistoryProjectorV2()).values() if r and r["submission_id"] == sid),
        key=lambda r: r["position"],
    )
    assert [(r["event_type"], r["changed_by"], r["changed_at"]) for r in rows[:2]] == [
        ("Imported", "import", SUBMITTED),
        ("HistoryImported", "admin:hanna", CHANGED),
    ]
    assert rows[1]["changes"][0]["new"] == "Approved"
    assert rows[2]["event_type"] == "StatusChanged"
    assert rows[2]["changed_at"] > UPDATED
