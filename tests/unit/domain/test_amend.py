"""Amendments: real changes only, change records, status reset and the exempt list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import Registry
from domain.errors import ConcurrentModification, StaleVersion
from domain.submission import Submission

from .conftest import Refs, history

ADMIN = "admin:root"
OWNER = "api:Initial key"
Data = Callable[..., dict[str, Any]]


def approve(app: Registry, sid: Any) -> None:
    app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    app.assign_maturity_tags(sid, "mature", ["unstable"], actor=ADMIN)


def count(app: Registry, sid: Any) -> int:
    return len(history(app, sid))


def test_an_edit_with_identical_values_records_nothing(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    before = count(app, sid)
    outcome = app.amend_submission(
        sid,
        {"service_name": "  Sequence Mapper <b></b>", "licenses": ["MIT", "MIT"]},
        actor=OWNER,
        by_admin=False,
    )
    assert not outcome.changed
    assert outcome.position is None
    assert count(app, sid) == before


def test_html_that_normalises_to_the_stored_value_is_not_a_change(
    app: Registry, registered: Any
) -> None:
    outcome = app.amend_submission(
        registered.submission_id,
        {"service_name": "<b>Sequence Mapper</b>"},
        actor=OWNER,
        by_admin=False,
    )
    assert not outcome.changed


def test_amended_carries_raw_values_and_sorted_change_records(
    app: Registry, registered: Any, refs: Refs
) -> None:
    sid = registered.submission_id
    app.amend_submission(
        sid,
        {
            "service_name": "Mapper & Co",
            "is_toolbox": True,
            "toolbox_name": "Box",
            "service_category_ids": [refs.other_category, refs.category],
            "service_center_id": str(refs.other_centre),
            "edam_topic_ids": ["topic_0080", "topic_0091"],
            "kpi_monitoring": "planned",
            "comments": "",
        },
        actor=OWNER,
        by_admin=False,
    )
    last = history(app, sid)[-1]
    assert isinstance(last, Submission.Amended)
    assert last.actor == OWNER
    assert not last.by_admin
    assert not last.status_reset
    assert last.values == {
        "edam_topic_ids": ["topic_0080", "topic_0091"],
        "is_toolbox": True,
        "kpi_monitoring": "planned",
        "service_category_ids": sorted([refs.category, refs.other_category]),
        "service_center_id": str(refs.other_centre),
        "service_name": "Mapper & Co",
        "toolbox_name": "Box",
    }
    assert last.changes == [
        {
            "field": "edam_topics",
            "label": "EDAM Topics",
            "old": "Bioinformatics (topic_0091)",
            "new": "Bioinformatics (topic_0091), Sequence analysis (topic_0080)",
        },
        {"field": "is_toolbox", "label": "Is Toolbox", "old": "No", "new": "Yes"},
        {"field": "kpi_monitoring", "label": "KPI Monitoring", "old": "Yes", "new": "Planned"},
        {
            "field": "service_categories",
            "label": "Service Categories",
            "old": "Tools",
            "new": "Databases, Tools",
        },
        {
            "field": "service_center",
            "label": "Service Centre",
            "old": "BiGi — Bielefeld-Gießen",
            "new": "HD — Heidelberg",
        },
        {
            "field": "service_name",
            "label": "Service Name",
            "old": "Sequence Mapper",
            "new": "Mapper & Co",
        },
        {"field": "toolbox_name", "label": "Toolbox Name", "old": "—", "new": "Box"},
    ]


def test_pi_changes_show_last_first(app: Registry, registered: Any, refs: Refs) -> None:
    sid = registered.submission_id
    app.amend_submission(
        sid, {"responsible_pi_ids": [str(refs.other_pi), str(refs.pi)]}, actor=OWNER, by_admin=False
    )
    change = history(app, sid)[-1].changes[0]
    assert change == {
        "field": "responsible_pis",
        "label": "Responsible PIs",
        "old": "Doe, Jane",
        "new": "Doe, Jane, Roe, Rich",
    }


def test_an_owner_change_outside_the_exempt_list_resets_approved(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    approve(app, sid)
    outcome = app.amend_submission(sid, {"service_name": "Renamed"}, actor=OWNER, by_admin=False)
    assert outcome.status == "submitted"
    last = history(app, sid)[-1]
    assert last.status_reset
    assert last.values["status"] == "submitted"
    assert last.values["primary_maturity_tag"] is None
    assert {c["field"] for c in last.changes} == {
        "primary_maturity_tag",
        "secondary_maturity_tags",
        "service_name",
        "status",
    }
    view = app.get_submission(sid)
    assert view.status == "submitted"
    assert view.primary_maturity_tag is None


def test_an_owner_change_of_exempt_fields_only_keeps_approved(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    approve(app, sid)
    outcome = app.amend_submission(
        sid,
        {"comments": "new comment", "github_url": "https://github.com/x/y"},
        actor=OWNER,
        by_admin=False,
    )
    assert outcome.changed
    assert outcome.status == "approved"
    assert not history(app, sid)[-1].status_reset
    assert app.get_submission(sid).primary_maturity_tag == "mature"


def test_an_unchanged_non_exempt_field_does_not_reset(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    approve(app, sid)
    outcome = app.amend_submission(
        sid,
        {"service_name": "Sequence Mapper", "comments": "only this changes"},
        actor=OWNER,
        by_admin=False,
    )
    assert outcome.status == "approved"


def test_an_empty_edit_of_an_approved_submission_records_nothing(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    approve(app, sid)
    outcome = app.amend_submission(sid, {}, actor=OWNER, by_admin=False)
    assert not outcome.changed
    assert outcome.status == "approved"


def test_admin_edits_never_reset(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    approve(app, sid)
    outcome = app.amend_submission(sid, {"service_name": "Renamed"}, actor=ADMIN, by_admin=True)
    assert outcome.changed
    assert outcome.status == "approved"


@pytest.mark.parametrize(
    ("exempt", "data", "resets"),
    [
        ([], {"comments": "x"}, True),
        (["comments"], {"comments": "x"}, False),
        (["comments"], {"comments": "x", "service_name": "Other name"}, True),
        (["service_name"], {"service_name": "Other name"}, False),
        (["edam_topics"], {"edam_topic_ids": ["topic_0080"]}, False),
        (["status", "nonsense"], {"comments": "x"}, True),
    ],
)
def test_reset_follows_the_injected_exempt_list(
    valid_data: Data, exempt: list[str], data: dict[str, Any], resets: bool
) -> None:
    from .conftest import NOW

    app = Registry(clock=lambda: NOW, exempt_fields=exempt)
    centre = app.create_centre({"short_name": "C", "full_name": "Centre"}, actor=ADMIN)
    category = app.create_category({"name": "Tools"}, actor=ADMIN)
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=ADMIN)
    registration = app.register_submission(
        valid_data(
            service_center_id=str(centre.id),
            service_category_ids=[category.id],
            responsible_pi_ids=[str(pi.id)],
        ),
        ip=None,
        user_agent_hash="",
    )
    sid = registration.submission_id
    app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    outcome = app.amend_submission(sid, data, actor=OWNER, by_admin=False)
    assert outcome.changed
    assert (outcome.status == "submitted") is resets


def test_edits_of_non_approved_submissions_keep_their_status(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    app.change_status(sid, "rejected", actor=ADMIN, by_admin=True)
    outcome = app.amend_submission(sid, {"service_name": "Renamed"}, actor=OWNER, by_admin=False)
    assert outcome.status == "rejected"


def test_a_stale_expected_version_is_refused(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    with pytest.raises(StaleVersion):
        app.amend_submission(
            sid, {"comments": "x"}, actor=OWNER, by_admin=False, expected_version=1
        )
    current = app.get_submission(sid).version
    outcome = app.amend_submission(
        sid, {"comments": "x"}, actor=OWNER, by_admin=False, expected_version=current
    )
    assert outcome.version == current + 1


def test_a_concurrent_save_raises_concurrent_modification(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    first: Any = app.repository.get(sid)
    second: Any = app.repository.get(sid)
    first._amended(
        actor=OWNER, by_admin=False, values={"comments": "a"}, changes=[], status_reset=False
    )
    second._amended(
        actor=OWNER, by_admin=False, values={"comments": "b"}, changes=[], status_reset=False
    )
    app._save(first)
    with pytest.raises(ConcurrentModification):
        app._save(second)
    assert app.get_submission(sid).values["comments"] == "a"


def test_changing_the_biotools_url_relinks_and_clearing_unlinks(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    app.amend_submission(
        sid, {"biotools_url": "https://bio.tools/blast"}, actor=OWNER, by_admin=False
    )
    app.amend_submission(
        sid, {"biotools_url": "https://bio.tools/bwa/"}, actor=OWNER, by_admin=False
    )
    app.amend_submission(sid, {"biotools_url": ""}, actor=OWNER, by_admin=False)
    kinds = [
        (type(e).__name__, getattr(e, "biotools_id", None))
        for e in history(app, sid)
        if isinstance(e, Submission.BioToolsLinked | Submission.BioToolsUnlinked)
    ]
    assert kinds == [
        ("BioToolsLinked", "blast"),
        ("BioToolsUnlinked", "blast"),
        ("BioToolsLinked", "bwa"),
        ("BioToolsUnlinked", "bwa"),
    ]
    assert app.get_submission(sid).biotools_id is None


AMENDMENTS = st.fixed_dictionaries(
    {},
    optional={
        "service_name": st.sampled_from(["Sequence Mapper", " Mapper <i>2</i> ", "A & B tool"]),
        "comments": st.text(alphabet="ab <>&/i", max_size=12),
        "keywords_seo": st.text(alphabet="xy, ", max_size=8),
        "register_as_elixir": st.booleans(),
        "edam_topic_ids": st.lists(st.sampled_from(["topic_0091", "topic_0080"]), max_size=3),
        "licenses": st.lists(st.sampled_from(["MIT", "Apache-2.0"]), min_size=1, max_size=2),
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=AMENDMENTS)
def test_applying_the_same_amendment_twice_records_at_most_one_event(
    app: Registry, valid_data: Data, data: dict[str, Any]
) -> None:
    sid = app.register_submission(valid_data(), ip=None, user_agent_hash="").submission_id
    start = count(app, sid)
    app.amend_submission(sid, data, actor=OWNER, by_admin=False)
    after_first = count(app, sid)
    second = app.amend_submission(sid, data, actor=OWNER, by_admin=False)
    assert after_first - start <= 1
    assert not second.changed
    assert count(app, sid) == after_first


def test_get_submission_at_an_earlier_version(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    app.amend_submission(sid, {"comments": "later"}, actor=OWNER, by_admin=False)
    assert app.get_submission(sid, version=1).values["comments"] == ""
    assert app.get_submission(sid).values["comments"] == "later"


def test_unknown_and_read_only_keys_in_data_are_ignored(app: Registry, registered: Any) -> None:
    outcome = app.amend_submission(
        registered.submission_id,
        {"status": "approved", "primary_maturity_tag": "mature", "id": "x", "bogus": 1},
        actor=OWNER,
        by_admin=False,
    )
    assert not outcome.changed
    assert app.get_submission(registered.submission_id).status == "submitted"


def test_a_validation_error_carries_every_field_and_message(app: Registry, registered: Any) -> None:
    from domain.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        app.amend_submission(
            registered.submission_id,
            {"year_established": 1800, "github_url": "https://gitlab.com/x", "service_name": ""},
            actor=OWNER,
            by_admin=False,
        )
    assert info.value.errors == {
        "github_url": ["GitHub URL must start with https://github.com/"],
        "service_name": ["This field is required."],
        "year_established": ["Year established must be between 1900 and 2026."],
    }
