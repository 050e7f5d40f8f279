"""The enforced lifecycle of decisions.md item 1 and the maturity-tag rules."""

from __future__ import annotations

from typing import Any

import pytest

from domain.application import Registry
from domain.errors import (
    InvalidTransition,
    PermissionDenied,
    TagsNotAllowed,
    ValidationFailed,
)
from domain.lifecycle import check_transition
from domain.submission import Submission

from .conftest import history

ADMIN = "admin:root"
STATUSES = ["submitted", "under_review", "approved", "rejected", "deprecated"]
ALLOWED = {
    "approved": {"submitted", "under_review", "rejected"},
    "rejected": {"submitted", "under_review", "approved"},
    "under_review": {"submitted", "approved", "rejected"},
    "deprecated": {"submitted", "under_review", "approved", "rejected"},
    "submitted": {"deprecated"},
    "draft": set(),
}
PATH = {
    "submitted": [],
    "under_review": ["under_review"],
    "approved": ["approved"],
    "rejected": ["rejected"],
    "deprecated": ["deprecated"],
}


def put_in(app: Registry, submission_id: Any, status: str) -> None:
    for step in PATH[status]:
        app.change_status(submission_id, step, actor=ADMIN, by_admin=True)
    assert app.get_submission(submission_id).status == status


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", sorted(ALLOWED))
def test_admin_transition_matrix(app: Registry, registered: Any, source: str, target: str) -> None:
    sid = registered.submission_id
    put_in(app, sid, source)
    before = app.get_submission(sid).version
    if target == source:
        outcome = app.change_status(sid, target, actor=ADMIN, by_admin=True)
        assert not outcome.changed
        assert outcome.position is None
        assert app.get_submission(sid).version == before
    elif source in ALLOWED[target]:
        outcome = app.change_status(sid, target, actor=ADMIN, by_admin=True, comment="ok")
        assert outcome.changed
        assert app.get_submission(sid).status == target
    else:
        with pytest.raises(InvalidTransition):
            app.change_status(sid, target, actor=ADMIN, by_admin=True)
        assert app.get_submission(sid).version == before


@pytest.mark.parametrize("source", STATUSES)
def test_owner_may_only_deprecate(app: Registry, registered: Any, source: str) -> None:
    sid = registered.submission_id
    put_in(app, sid, source)
    for target in ("approved", "rejected", "under_review"):
        if target != source:
            with pytest.raises(PermissionDenied):
                app.change_status(sid, target, actor="api:Initial key", by_admin=False)
    outcome = app.change_status(sid, "deprecated", actor="api:Initial key", by_admin=False)
    assert outcome.changed == (source != "deprecated")
    assert app.get_submission(sid).status == "deprecated"


def test_draft_is_reserved_and_unreachable() -> None:
    with pytest.raises(InvalidTransition):
        check_transition("submitted", "draft", by_admin=True)
    check_transition("draft", "deprecated", by_admin=True)


def test_an_unknown_status_is_a_validation_error(app: Registry, registered: Any) -> None:
    with pytest.raises(ValidationFailed) as info:
        app.change_status(registered.submission_id, "archived", actor=ADMIN, by_admin=True)
    assert info.value.errors == {"status": ['"archived" is not a valid choice.']}


def test_deprecating_twice_records_nothing(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    app.change_status(sid, "deprecated", actor="submitter", by_admin=False)
    events = len(history(app, sid))
    outcome = app.change_status(sid, "deprecated", actor="submitter", by_admin=False)
    assert not outcome.changed
    assert len(history(app, sid)) == events


def test_status_change_records_labels_comment_and_raw_values(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    app.change_status(sid, "approved", actor=ADMIN, by_admin=True, comment="looks good")
    last = history(app, sid)[-1]
    assert isinstance(last, Submission.StatusChanged)
    assert last.actor == ADMIN
    assert last.comment == "looks good"
    assert (last.old_status, last.new_status) == ("submitted", "approved")
    assert last.values == {"status": "approved"}
    assert last.changes == [
        {"field": "status", "label": "Status", "old": "Submitted", "new": "Approved"}
    ]


def test_leaving_approved_clears_tags_in_the_same_event(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    app.assign_maturity_tags(sid, "mature", ["unstable"], actor=ADMIN)
    app.change_status(sid, "under_review", actor=ADMIN, by_admin=True)
    last = history(app, sid)[-1]
    assert last.values == {
        "status": "under_review",
        "primary_maturity_tag": None,
        "secondary_maturity_tags": [],
    }
    assert [c["field"] for c in last.changes] == [
        "primary_maturity_tag",
        "secondary_maturity_tags",
        "status",
    ]
    assert last.changes[0]["old"] == "Mature"
    assert last.changes[0]["new"] == "—"
    view = app.get_submission(sid)
    assert view.primary_maturity_tag is None
    assert view.secondary_maturity_tags == []


def test_tags_only_on_approved_submissions(app: Registry, registered: Any) -> None:
    with pytest.raises(TagsNotAllowed, match="only be assigned to approved"):
        app.assign_maturity_tags(registered.submission_id, "mature", [], actor=ADMIN)


def test_invalid_tags_are_rejected_with_the_original_messages(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    with pytest.raises(ValidationFailed) as info:
        app.assign_maturity_tags(sid, "ancient", ["shiny"], actor=ADMIN)
    assert info.value.errors == {
        "primary_maturity_tag": ["Invalid primary maturity tag."],
        "secondary_maturity_tags": ["'shiny' is not a valid secondary maturity tag."],
    }


def test_assigning_the_same_tags_twice_records_once(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    first = app.assign_maturity_tags(sid, "emerging", ["unstable"], actor=ADMIN)
    second = app.assign_maturity_tags(sid, "emerging", ["unstable"], actor=ADMIN)
    assert first.changed
    assert not second.changed
    cleared = app.assign_maturity_tags(sid, None, [], actor=ADMIN)
    assert cleared.changed
    assert app.get_submission(sid).primary_maturity_tag is None


def test_clearing_tags_on_a_non_approved_submission_is_a_no_op(
    app: Registry, registered: Any
) -> None:
    outcome = app.assign_maturity_tags(registered.submission_id, None, [], actor=ADMIN)
    assert not outcome.changed
