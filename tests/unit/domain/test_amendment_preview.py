"""The reset rule asked in advance (spec/ui.md §5.6, §9 item 1): ``preview_amendment`` says what
``amend_submission`` would do, with the same validation and exempt list, and records nothing."""

from __future__ import annotations

from typing import Any

import pytest

from domain.application import Registry
from domain.errors import StaleVersion, ValidationFailed

from .conftest import history

ADMIN = "admin:root"
OWNER = "api:Initial key"


def approve(app: Registry, sid: Any) -> None:
    app.change_status(sid, "approved", actor=ADMIN, by_admin=True)


def test_a_core_change_of_an_approved_service_previews_a_reset_and_records_nothing(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    approve(app, sid)
    before = len(history(app, sid))
    impact = app.preview_amendment(sid, {"service_name": "Renamed Mapper"}, by_admin=False)
    assert impact.status_reset
    assert impact.review_fields == ["Service Name"]
    assert impact.free_fields == []
    assert [c["field"] for c in impact.changes] == ["service_name"]
    assert len(history(app, sid)) == before
    assert app.get_submission(sid).status == "approved"


def test_the_preview_agrees_with_the_saved_outcome(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    approve(app, sid)
    for updates in (
        {"github_url": "https://github.com/example/mapper"},
        {"service_description": "A new description of the mapper service, long enough for it."},
    ):
        impact = app.preview_amendment(sid, updates, by_admin=False)
        outcome = app.amend_submission(sid, updates, actor=OWNER, by_admin=False)
        assert impact.status_reset == (outcome.status == "submitted")
        assert [c["field"] for c in impact.changes] == [
            c["field"] for c in outcome.changes if c["field"] == next(iter(updates))
        ]
        if outcome.status != "approved":
            approve(app, sid)


def test_an_exempt_change_previews_keeping_the_approval(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    approve(app, sid)
    impact = app.preview_amendment(
        sid, {"github_url": "https://github.com/example/mapper"}, by_admin=False
    )
    assert not impact.status_reset
    assert impact.free_fields == ["GitHub URL"]
    assert impact.review_fields == []


def test_no_real_change_previews_nothing(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    impact = app.preview_amendment(sid, {"service_name": "Sequence Mapper"}, by_admin=False)
    assert not impact.changed
    assert not impact.status_reset


def test_the_preview_validates_like_the_command(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    with pytest.raises(ValidationFailed) as caught:
        app.preview_amendment(sid, {"service_name": "ab"}, by_admin=False)
    assert "service_name" in caught.value.errors
    with pytest.raises(StaleVersion):
        app.preview_amendment(sid, {"service_name": "New"}, by_admin=False, expected_version=1)
