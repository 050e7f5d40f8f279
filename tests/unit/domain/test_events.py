"""Event topics, flat payloads, the v1->v2 upcaster and reading a stored old payload."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.application import Registry
from domain.submission import Submission

from .conftest import history

FIXTURES = Path(__file__).parents[2] / "fixtures" / "events"
FLAT = (str, int, bool, float, type(None))


def is_flat(value: Any) -> bool:
    if isinstance(value, FLAT):
        return True
    if isinstance(value, list):
        return all(is_flat(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_flat(v) for k, v in value.items())
    return False


def test_a_stored_v1_status_change_loads_with_an_empty_comment(app: Registry) -> None:
    fixture = json.loads((FIXTURES / "submission_status_changed_v1.json").read_text())
    stored = StoredEvent(
        originator_id=UUID(fixture["originator_id"]),
        originator_version=fixture["originator_version"],
        topic=fixture["topic"],
        state=json.dumps(fixture["state"]).encode(),
    )
    event = app.mapper.to_domain_event(stored)
    assert isinstance(event, Submission.StatusChanged)
    assert event.comment == ""
    assert event.new_status == "approved"
    assert event.timestamp.isoformat() == "2026-03-01T10:00:00+00:00"


def test_status_changes_are_stored_as_class_version_2(app: Registry, registered: Any) -> None:
    app.change_status(registered.submission_id, "approved", actor="admin:x", by_admin=True)
    stored = app.recorder.select_notifications(start=1, limit=1000)[-1]
    assert stored.topic == "registry/Submission.StatusChanged/v2"
    assert json.loads(stored.state)["class_version"] == 2


def test_every_stored_topic_is_explicit_and_versioned(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    app.amend_submission(sid, {"comments": "x"}, actor="api:k", by_admin=False)
    app.change_status(sid, "approved", actor="admin:x", by_admin=True)
    app.erase_submission(sid, actor="admin:x")
    topics = {n.topic for n in app.recorder.select_notifications(start=1, limit=1000)}
    assert all(t.startswith("registry/") and t.rsplit("/", 1)[1].startswith("v") for t in topics)
    assert "registry/Submission.Registered/v2" in topics


def test_payloads_are_flat_and_carry_actor_and_timestamp(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    app.amend_submission(sid, {"comments": "x"}, actor="api:k", by_admin=False)
    for event in history(app, sid):
        state = {
            k: v
            for k, v in vars(event).items()
            if k not in ("originator_id", "originator_version", "timestamp")
        }
        assert is_flat(state), state
        assert event.timestamp.tzinfo is not None
        assert isinstance(event.actor, str)


def test_registered_carries_every_content_field_raw(app: Registry, registered: Any) -> None:
    first = next(iter(history(app, registered.submission_id)))
    assert isinstance(first, Submission.Registered)
    assert first.values["service_name"] == "Sequence Mapper"
    assert first.values["year_established"] == 2020
    assert first.values["date_of_entry"] == "2026-06-01"
    assert first.values["survey_participation"] is True
    assert "data_protection_consent" not in first.values
    assert first.status == "submitted"
    assert first.submission_ip == "192.0.2.1"


def test_snapshots_are_taken_every_50_events(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    for i in range(50):
        app.amend_submission(sid, {"comments": f"c{i}"}, actor="api:k", by_admin=False)
    assert app.snapshots is not None
    assert list(app.snapshots.get(sid))
    assert app.get_submission(sid).values["comments"] == "c49"
