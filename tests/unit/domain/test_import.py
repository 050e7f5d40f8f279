"""Import commands: legacy data recorded as it was, once, with its keys and change log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.application import Registry
from domain.errors import NotFound, ValidationFailed
from domain.keys import hash_key
from domain.legacy import LegacyChange, LegacyKey, LegacySubmission
from tests.unit.domain.conftest import Refs, history

SUBMITTED = datetime(2023, 2, 1, 8, 0, tzinfo=UTC)
UPDATED = datetime(2024, 6, 10, 14, 30, tzinfo=UTC)


@pytest.fixture
def legacy(refs: Refs, valid_data: Callable[..., dict[str, Any]]) -> Callable[..., Any]:
    def make(**overrides: Any) -> LegacySubmission:
        fields: dict[str, Any] = {
            "submission_id": uuid4(),
            "data": valid_data(),
            "status": "approved",
            "submitted_at": SUBMITTED,
            "updated_at": UPDATED,
            "primary_maturity_tag": "mature",
            "keys": [
                LegacyKey(
                    uuid4(),
                    hash_key("old-key"),
                    "Initial key",
                    "write",
                    "submitter",
                    SUBMITTED,
                    True,
                ),
                LegacyKey(uuid4(), hash_key("revoked"), "Old", "write", "hanna", SUBMITTED, False),
            ],
            "history": [
                LegacyChange(
                    "api:Initial key",
                    datetime(2024, 1, 1, tzinfo=UTC),
                    [
                        {
                            "field": "submitter_last_name",
                            "label": "Submitter Last Name",
                            "old": "Byron",
                            "new": "Lovelace",
                        },
                    ],
                ),
                LegacyChange(
                    "admin:hanna",
                    datetime(2023, 3, 1, tzinfo=UTC),
                    [
                        {
                            "field": "kpi_start_year",
                            "label": "KPI Start Year",
                            "old": "",
                            "new": "2021",
                        },
                    ],
                ),
            ],
        }
        fields.update(overrides)
        return LegacySubmission(**fields)

    return make


def test_a_submission_is_recorded_with_its_original_times_keys_and_tags(
    app: Registry, legacy: Callable[..., LegacySubmission]
) -> None:
    record = legacy()
    assert app.import_submission(record) is True
    view = app.get_submission(record.submission_id)
    assert (view.submitted_at, view.updated_at) == (SUBMITTED, UPDATED)
    assert (view.status, view.primary_maturity_tag) == ("approved", "mature")
    assert app.find_key(record.submission_id, "old-key") is not None
    assert app.find_key(record.submission_id, "revoked") is None


def test_the_change_log_is_recorded_oldest_first_under_todays_field_names(
    app: Registry, legacy: Callable[..., LegacySubmission]
) -> None:
    record = legacy()
    app.import_submission(record)
    events = history(app, record.submission_id)
    assert [type(e).__name__ for e in events] == ["Imported", "HistoryImported", "HistoryImported"]
    assert [e.changed_by for e in events[1:]] == ["admin:hanna", "api:Initial key"]
    assert events[1].changes[0]["field"] == "kpi_since"
    assert events[1].changes[0]["label"] == "KPI Since"


def test_importing_twice_records_nothing(
    app: Registry, legacy: Callable[..., LegacySubmission]
) -> None:
    record = legacy()
    app.import_submission(record)
    head = app.recorder.max_notification_id()
    assert app.import_submission(record) is False
    assert app.recorder.max_notification_id() == head


def test_legacy_values_that_todays_rules_refuse_are_recorded(
    app: Registry, legacy: Callable[..., LegacySubmission], valid_data: Callable[..., Any]
) -> None:
    topics = [f"topic_{n:04d}" for n in range(1, 9)]
    data = valid_data(submitter_first_name="J", edam_topic_ids=topics, licenses=[])
    record = legacy(data=data)
    app.import_submission(record)
    view = app.get_submission(record.submission_id)
    assert view.values["submitter_first_name"] == "J"
    assert len(view.values["edam_topic_ids"]) == 8


def test_a_rule_on_a_legacy_value_applies_only_when_that_value_changes(
    app: Registry, legacy: Callable[..., LegacySubmission], valid_data: Callable[..., Any]
) -> None:
    topics = [f"topic_{n:04d}" for n in range(1, 9)]
    record = legacy(data=valid_data(edam_topic_ids=topics, licenses=[], submitter_first_name="J"))
    app.import_submission(record)
    sid = record.submission_id
    # Issue 20 item 4: an owner's edit of another field keeps the legacy values as they are ...
    app.amend_submission(sid, {"comments": "x"}, actor="api:k", by_admin=False)
    app.amend_submission(
        sid, {"edam_topic_ids": list(reversed(topics))}, actor="api:k", by_admin=False
    )
    # ... while changing one of them into another refused value is checked.
    with pytest.raises(ValidationFailed) as refused:
        app.amend_submission(sid, {"edam_topic_ids": topics[:7]}, actor="api:k", by_admin=False)
    assert refused.value.errors == {"edam_topic_ids": ["Select at most 6 EDAM topics."]}
    with pytest.raises(ValidationFailed) as refused:
        app.amend_submission(sid, {"submitter_first_name": "K"}, actor="api:k", by_admin=False)
    assert refused.value.errors == {
        "submitter_first_name": ["First name must be at least 2 characters."]
    }
    assert app.get_submission(sid).values["edam_topic_ids"] == topics


def test_an_edit_after_the_import_moves_updated_at_but_not_submitted_at(
    app: Registry, legacy: Callable[..., LegacySubmission]
) -> None:
    record = legacy()
    app.import_submission(record)
    app.amend_submission(record.submission_id, {"comments": "x"}, actor="admin:x", by_admin=True)
    view = app.get_submission(record.submission_id)
    assert view.submitted_at == SUBMITTED
    assert view.updated_at > UPDATED


def test_tags_are_dropped_from_a_submission_that_is_not_approved(
    app: Registry, legacy: Callable[..., LegacySubmission]
) -> None:
    record = legacy(status="rejected", secondary_maturity_tags=["unstable"])
    app.import_submission(record)
    view = app.get_submission(record.submission_id)
    assert (view.primary_maturity_tag, view.secondary_maturity_tags) == (None, [])


def test_an_unknown_status_or_a_missing_reference_is_refused(
    app: Registry, legacy: Callable[..., LegacySubmission], valid_data: Callable[..., Any]
) -> None:
    unknown_status = legacy(status="archived")
    with pytest.raises(ValidationFailed):
        app.import_submission(unknown_status)
    missing_centre = legacy(data=valid_data(service_center_id=str(uuid4())))
    with pytest.raises(NotFound):
        app.import_submission(missing_centre)
    assert not app.exists(unknown_status.submission_id)
    assert not app.exists(missing_centre.submission_id)


def test_erasure_redacts_personal_values_of_the_imported_change_log(
    app: Registry, legacy: Callable[..., LegacySubmission]
) -> None:
    record = legacy()
    app.import_submission(record)
    app.erase_submission(record.submission_id, actor="admin:x")
    imported = [e for e in history(app, record.submission_id) if hasattr(e, "changed_by")]
    surname = next(e for e in imported if e.changes[0]["field"] == "submitter_last_name")
    assert (surname.changes[0]["old"], surname.changes[0]["new"]) == ("[erased]", "[erased]")


def test_reference_records_keep_their_ids_and_inactive_flags(app: Registry) -> None:
    centre = UUID("6f1c2d3e-0000-4000-8000-00000000c002")
    assert app.import_category(42, "Imported", is_active=False) is True
    assert app.import_category(42, "Imported", is_active=False) is False
    assert app.import_centre(
        centre,
        {"short_name": "Old", "full_name": "Old", "website": "http://old.example.org"},
        is_active=False,
    )
    assert app.get_reference("category", 42)["is_active"] is False
    assert app.get_reference("centre", centre)["website"] == "http://old.example.org"
    assert int(str(app.create_category({"name": "Next"}, actor="admin:x").id)) == 43


def test_an_imported_admin_key_keeps_its_state(app: Registry) -> None:
    key_id = uuid4()
    app.import_admin_key(
        key_id,
        label="Old ops",
        scope="full",
        key_hash=hash_key("k"),
        created_by="hanna",
        created_at=SUBMITTED,
        is_active=False,
    )
    key = app.get_admin_key(key_id)
    assert (key.is_active, key.key_hash, key.scope) == (False, hash_key("k"), "full")
    with pytest.raises(ValidationFailed):
        app.import_admin_key(
            uuid4(),
            label="x",
            scope="full",
            key_hash="plaintext!",
            created_by="",
            created_at=SUBMITTED,
            is_active=True,
        )
