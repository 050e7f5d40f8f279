"""Schema evolution in the domain: stored old payloads upcast, the four shipped changes, snapshots.

The stored payloads are the committed fixtures of ``tests/fixtures/events/`` (written in the old
shape); they are inserted as stored events and read back through today's mapper and aggregates.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import StoredEvent

from domain.application import Registry
from domain.errors import ValidationFailed
from domain.reference import ServiceCentre
from domain.reference_rules import ROR_CHECKSUM, ror_errors
from domain.relations import SELF_RELATION
from domain.submission import Submission

from .conftest import NOW, Refs, history

FIXTURES = Path(__file__).parents[2] / "fixtures" / "events"
OLD_SUBMISSION = UUID("5e7a2c1d-3b4f-4a6e-8c9d-0e1f2a3b4c5d")
Data = Callable[..., dict[str, Any]]


def stored(name: str) -> StoredEvent:
    """A committed fixture as the stored event the old code wrote."""
    fixture = json.loads((FIXTURES / name).read_text())
    return StoredEvent(
        originator_id=UUID(fixture["originator_id"]),
        originator_version=fixture["originator_version"],
        topic=fixture["topic"],
        state=json.dumps(fixture["state"]).encode(),
    )


OLD_SUBMISSION_EVENTS = (
    "submission_registered_v1.json",
    "submission_key_issued_v1.json",
    "submission_amended_v1.json",
)


def test_a_stored_v1_registration_reads_with_kpi_since_and_the_new_fields_defaults(
    app: Registry,
) -> None:
    event = app.mapper.to_domain_event(stored("submission_registered_v1.json"))
    assert isinstance(event, Submission.Registered)
    assert event.values["kpi_since"] == "2019"
    assert "kpi_start_year" not in event.values
    assert event.values["data_access_type"] == "open"
    assert event.values["related_service_ids"] == []


def test_a_stored_v1_amendment_renames_the_value_and_its_change_record(app: Registry) -> None:
    event = app.mapper.to_domain_event(stored("submission_amended_v1.json"))
    assert isinstance(event, Submission.Amended)
    assert event.values == {"kpi_since": "2020"}
    assert event.changes == [
        {"field": "kpi_since", "label": "KPI Since", "old": "2019", "new": "2020"}
    ]


def test_a_centre_created_without_ror_id_reads_with_an_empty_one(app: Registry) -> None:
    event = app.mapper.to_domain_event(stored("service_centre_created_v1.json"))
    assert isinstance(event, ServiceCentre.Created)
    assert event.values["ror_id"] == ""


def test_a_submission_stored_by_the_old_code_loads_in_todays_shape(app: Registry) -> None:
    app.recorder.insert_events([stored(name) for name in OLD_SUBMISSION_EVENTS])
    view = app.get_submission(OLD_SUBMISSION)
    assert view.version == 3
    assert view.values["kpi_since"] == "2020"
    assert "kpi_start_year" not in view.values
    assert view.values["data_access_type"] == "open"


def test_a_v1_snapshot_is_upcast_by_the_aggregate_class_version(app: Registry) -> None:
    snapshot = app.mapper.to_domain_event(stored("submission_snapshot_v1.json"))
    assert isinstance(snapshot, Snapshot)
    submission = snapshot.mutate(None)
    assert isinstance(submission, Submission)
    assert submission.version == 3
    assert submission.values["kpi_since"] == "2020"
    assert submission.values["data_access_type"] == "open"
    assert submission.values["related_service_ids"] == []


def test_new_events_and_snapshots_are_stored_under_the_v2_topics(
    app: Registry, registered: Any
) -> None:
    app.amend_submission(registered.submission_id, {"kpi_since": "2022"}, actor="a", by_admin=True)
    topics = [n.topic for n in app.recorder.select_notifications(start=1, limit=1000)]
    assert "registry/Submission.Registered/v2" in topics
    assert "registry/Submission.Amended/v2" in topics
    assert Submission.TOPIC == "registry/Submission/v2"
    assert Submission.class_version == 2


# -- 1. data_access_type ------------------------------------------------------------------------


def test_data_access_type_defaults_to_open_and_changes_are_labelled(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    assert app.get_submission(sid).values["data_access_type"] == "open"
    outcome = app.amend_submission(
        sid, {"data_access_type": "closed"}, actor="admin:x", by_admin=True
    )
    assert outcome.changes == [
        {
            "field": "data_access_type",
            "label": "Data Access Type",
            "old": "Open access",
            "new": "Closed / on request",
        }
    ]


def test_an_unknown_data_access_type_is_refused_naming_the_field(
    app: Registry, valid_data: Data
) -> None:
    with pytest.raises(ValidationFailed) as info:
        app.register_submission(valid_data(data_access_type="secret"), ip=None, user_agent_hash="")
    assert info.value.errors == {"data_access_type": ['"secret" is not a valid choice.']}


# -- 2. ror_id ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ror", ["https://ror.org/02nv7yv05", "https://ror.org/013meh722", "https://ror.org/04jfz0g97"]
)
def test_real_ror_ids_pass_the_checksum(ror: str) -> None:
    assert ror_errors(ror) == []


def test_a_ror_id_with_a_wrong_checksum_is_refused(app: Registry) -> None:
    assert ror_errors("https://ror.org/02nv7yv06") == [ROR_CHECKSUM]
    with pytest.raises(ValidationFailed) as info:
        app.create_centre(
            {"short_name": "X", "full_name": "X", "ror_id": "https://ror.org/02nv7yv06"},
            actor="admin:x",
        )
    assert info.value.errors == {"ror_id": [ROR_CHECKSUM]}


# -- 3. related services ------------------------------------------------------------------------


def _related(app: Registry, sid: UUID) -> list[str]:
    return list(app.get_submission(sid).values["related_service_ids"])


def test_relating_a_to_b_lists_a_in_b_and_both_change_logs_say_so(
    app: Registry, valid_data: Data
) -> None:
    a = app.register_submission(valid_data(service_name="Alpha"), ip=None, user_agent_hash="")
    b = app.register_submission(valid_data(service_name="Beta"), ip=None, user_agent_hash="")
    outcome = app.amend_submission(
        a.submission_id,
        {"related_service_ids": [str(b.submission_id)]},
        actor="admin:x",
        by_admin=True,
    )
    assert _related(app, b.submission_id) == [str(a.submission_id)]
    assert outcome.changes == [
        {"field": "related_services", "label": "Related Services", "old": "—", "new": "Beta"}
    ]
    last = history(app, b.submission_id)[-1]
    assert isinstance(last, Submission.RelatedServicesChanged)
    assert last.changes == [
        {"field": "related_services", "label": "Related Services", "old": "—", "new": "Alpha"}
    ]
    app.amend_submission(
        a.submission_id, {"related_service_ids": []}, actor="admin:x", by_admin=True
    )
    assert _related(app, b.submission_id) == []


def test_a_registration_can_name_related_services(app: Registry, valid_data: Data) -> None:
    b = app.register_submission(valid_data(service_name="Beta"), ip=None, user_agent_hash="")
    a = app.register_submission(
        valid_data(service_name="Alpha", related_service_ids=[str(b.submission_id)]),
        ip=None,
        user_agent_hash="",
    )
    assert _related(app, b.submission_id) == [str(a.submission_id)]
    assert history(app, b.submission_id)[-1].changes[0]["new"] == "Alpha"


def test_a_submission_cannot_relate_to_itself_or_to_unknown_or_erased_ones(
    app: Registry, valid_data: Data
) -> None:
    a = app.register_submission(valid_data(), ip=None, user_agent_hash="")
    gone = app.register_submission(valid_data(), ip=None, user_agent_hash="")
    app.erase_submission(gone.submission_id, actor="admin:x")
    unknown = "00000000-0000-4000-8000-000000000000"
    for ids, message in (
        ([str(a.submission_id)], SELF_RELATION),
        ([unknown], f'Invalid pk "{unknown}" - object does not exist.'),
        ([str(gone.submission_id)], f'Invalid pk "{gone.submission_id}" - object does not exist.'),
    ):
        with pytest.raises(ValidationFailed) as info:
            app.amend_submission(
                a.submission_id, {"related_service_ids": ids}, actor="admin:x", by_admin=True
            )
        assert info.value.errors == {"related_service_ids": [message]}


def test_erasing_a_submission_removes_it_from_the_other_side(
    app: Registry, valid_data: Data
) -> None:
    a = app.register_submission(valid_data(), ip=None, user_agent_hash="")
    b = app.register_submission(
        valid_data(related_service_ids=[str(a.submission_id)]), ip=None, user_agent_hash=""
    )
    assert _related(app, a.submission_id) == [str(b.submission_id)]
    app.erase_submission(b.submission_id, actor="admin:x")
    assert _related(app, a.submission_id) == []


# -- 4. the rename's compatibility window -------------------------------------------------------


def test_the_old_name_is_still_accepted_as_input(app: Registry, valid_data: Data) -> None:
    data = valid_data()
    data["kpi_start_year"] = data.pop("kpi_since")
    result = app.register_submission(data, ip=None, user_agent_hash="")
    assert app.get_submission(result.submission_id).values["kpi_since"] == "2021"


def test_both_names_with_different_values_are_refused(app: Registry, valid_data: Data) -> None:
    with pytest.raises(ValidationFailed) as info:
        app.register_submission(
            valid_data(kpi_since="2021", kpi_start_year="2019"), ip=None, user_agent_hash=""
        )
    assert list(info.value.errors) == ["kpi_since"]


def test_an_exempt_list_written_before_the_rename_still_exempts_the_field(refs: Refs) -> None:
    app = Registry(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        clock=lambda: NOW,
        exempt_fields=["kpi_start_year"],
    )
    assert app.exempt_fields == frozenset({"kpi_since"})


# -- squashing: snapshots -----------------------------------------------------------------------


def test_a_long_lived_submission_loads_from_a_snapshot_plus_a_few_events(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    for i in range(3000):
        app.amend_submission(sid, {"comments": f"c{i}"}, actor="admin:x", by_admin=True)
    decoded = 0
    decode = app.mapper.to_domain_event

    def counting(stored_event: StoredEvent) -> Any:
        nonlocal decoded
        decoded += 1
        return decode(stored_event)

    app.mapper.to_domain_event = counting  # type: ignore[method-assign]
    view = app.get_submission(sid)
    assert view.version == 3002
    assert view.values["comments"] == "c2999"
    assert 0 < decoded <= 50  # one snapshot + fewer than 50 events, not 3,002 events


# -- admin accounts: the events stay readable and keep their topics ------------------------------

ADMIN_LIFECYCLE = json.loads((FIXTURES / "admin_account_lifecycle_v1.json").read_text())


def test_an_admin_accounts_stored_lifecycle_replays_to_the_same_state(app: Registry) -> None:
    ident = UUID(ADMIN_LIFECYCLE["originator_id"])
    app.recorder.insert_events(
        [
            StoredEvent(ident, e["originator_version"], e["topic"], json.dumps(e["state"]).encode())
            for e in ADMIN_LIFECYCLE["events"]
        ]
    )
    state = app.admin_account_state(ident)
    assert state is not None
    assert (state.username, state.role, state.created_by) == ("alice", "manager", "admin:cli")
    assert (state.is_active, state.has_password, state.totp, state.version) == (
        True,
        True,
        False,
        8,
    )
    flags = [
        (a.is_active, a.has_password, a.totp)
        for a in (app.repository.get(ident, version=v) for v in range(3, 8))
    ]
    assert flags == [
        (False, False, False),
        (True, False, False),
        (True, False, False),
        (True, True, False),
        (True, True, True),
    ]
    assert [(e["type"], e["actor"]) for e in app.admin_account_events(ident)] == [
        ("Created", "admin:cli"),
        ("RoleChanged", "admin:root"),
        ("Disabled", "admin:root"),
        ("Enabled", "admin:root"),
        ("PasswordResetRequested", "admin:root"),
        ("PasswordSet", "admin:alice"),
        ("TotpEnrolled", "admin:alice"),
        ("TotpRemoved", "admin:root"),
    ]


def test_admin_account_commands_store_the_topics_and_fields_stored_before(app: Registry) -> None:
    ident = app.create_admin_account("alice", "viewer", actor="admin:cli").account_id
    app.set_admin_account_role(ident, "manager", actor="admin:root")
    app.set_admin_account_active(ident, False, actor="admin:root")
    app.set_admin_account_active(ident, True, actor="admin:root")
    app.record_admin_password_reset(ident, actor="admin:root")
    app.record_admin_password_set(ident, actor="admin:alice")
    app.record_admin_totp(ident, True, actor="admin:alice")
    app.record_admin_totp(ident, False, actor="admin:root")
    stored_now = [(s.topic, sorted(json.loads(s.state))) for s in app.recorder.select_events(ident)]
    assert stored_now == [(e["topic"], sorted(e["state"])) for e in ADMIN_LIFECYCLE["events"]]
