"""The reviewer's reads of the event log (spec/ui.md §5.7.4, §7, §9 items 2 and 3) against the
real event store: timeline, a version's document, compare, provenance, last approved version."""

from __future__ import annotations

from tests.integration.projections.read.conftest import ADMIN, Stack

OWNER = "api:Initial key"


def test_the_timeline_has_every_step_with_type_actor_comment_and_changed_fields(
    stack: Stack,
) -> None:
    sid = stack.register().submission_id
    stack.app.change_status(
        sid, "approved", actor=ADMIN, by_admin=True, comment="Looks good to us."
    )
    stack.app.assign_maturity_tags(sid, "mature", [], actor=ADMIN)
    stack.app.amend_submission(sid, {"service_name": "Read Mapper"}, actor=OWNER, by_admin=False)
    stack.app.issue_key(sid, "CI", "read", actor=ADMIN)
    entries = stack.read.submission_timeline(sid)
    assert entries is not None
    assert [e["type"] for e in entries] == [
        "Submission.Registered",
        "Submission.KeyIssued",
        "Submission.StatusChanged",
        "Submission.MaturityTagsAssigned",
        "Submission.Amended",
        "Submission.KeyIssued",
    ]
    assert [e["version"] for e in entries] == [1, 2, 3, 4, 5, 6]
    approval = entries[2]
    assert approval["changed_by"] == ADMIN
    assert approval["comment"] == "Looks good to us."
    assert (approval["old_status"], approval["new_status"]) == ("submitted", "approved")
    assert approval["fields"] == ["status"]
    assert entries[3]["fields"] == ["primary_maturity_tag"]
    edit = entries[4]
    assert edit["changed_by"] == OWNER
    assert "service_name" in edit["fields"]
    assert edit["doc"]["service_name"] == "Read Mapper"
    assert entries[5]["fields"] == []
    assert entries[5]["changes"][0]["new"] == "CI (read)"
    assert stack.read.submission_timeline("00000000-0000-0000-0000-000000000000") is None


def test_a_version_reads_as_it_was_with_references_resolved(stack: Stack) -> None:
    sid = stack.register().submission_id
    stack.app.amend_submission(
        sid,
        {"service_name": "Renamed", "service_category_ids": [stack.other_category]},
        actor=ADMIN,
        by_admin=True,
    )
    stack.sync()
    first = stack.read.submission_version(sid, 1)
    third = stack.read.submission_version(sid, 3)
    assert first is not None
    assert third is not None
    assert first["service_name"] == "Sequence Mapper"
    assert third["service_name"] == "Renamed"
    assert third == stack.read.submission(sid)
    assert [c["name"] for c in first["service_categories"]] == ["Tools"]
    assert [c["name"] for c in third["service_categories"]] == ["Databases"]
    assert stack.read.submission_version(sid, 99) is None


def test_compare_folds_the_steps_between_two_versions_per_field(stack: Stack) -> None:
    sid = stack.register().submission_id
    for name in ("Second", "Third"):
        stack.app.amend_submission(sid, {"service_name": name}, actor=ADMIN, by_admin=True)
    stack.app.amend_submission(sid, {"edam_topic_ids": ["topic_0091"]}, actor=ADMIN, by_admin=True)
    stack.sync()
    found = stack.read.compare_versions(sid, 5, 1)
    assert found is not None
    assert (found["from"], found["to"]) == (1, 5)
    assert found["fields"] == ["edam_topic_ids", "service_name"]
    assert found["times"]["service_name"] == 2
    assert found["from_served"]["service_name"] == "Sequence Mapper"
    assert found["to_served"]["service_name"] == "Third"
    assert [t["accession"] for t in found["to_served"]["edam_topics"]] == ["topic_0091"]
    assert stack.read.compare_versions(sid, 1, 42) is None


def test_provenance_names_the_last_step_that_changed_each_field(stack: Stack) -> None:
    sid = stack.register().submission_id
    stack.app.amend_submission(sid, {"service_name": "Renamed"}, actor=OWNER, by_admin=False)
    stack.app.amend_submission(sid, {"website_url": "https://x.org"}, actor=ADMIN, by_admin=True)
    now = stack.read.field_provenance(sid)
    assert now is not None
    assert (now["service_name"]["changed_by"], now["service_name"]["version"]) == (OWNER, 3)
    assert (now["website_url"]["changed_by"], now["website_url"]["version"]) == (ADMIN, 4)
    assert (now["service_description"]["changed_by"], now["service_description"]["version"]) == (
        "submitter",
        1,
    )
    then = stack.read.field_provenance(sid, 3)
    assert then is not None
    assert then["website_url"]["version"] == 1


def test_the_last_approved_version_survives_any_number_of_later_edits(stack: Stack) -> None:
    sid = stack.register().submission_id
    assert stack.read.last_approved_version(sid) is None
    stack.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    assert stack.read.last_approved_version(sid) is None  # approved now: nothing to compare
    stack.app.assign_maturity_tags(sid, "mature", [], actor=ADMIN)
    # An owner's edit of a core field sends it back to review; two more edits follow.
    stack.app.amend_submission(sid, {"service_name": "One"}, actor=OWNER, by_admin=False)
    stack.app.amend_submission(sid, {"service_name": "Two"}, actor=OWNER, by_admin=False)
    stack.app.amend_submission(sid, {"website_url": "https://y.org"}, actor=OWNER, by_admin=False)
    timeline = stack.read.submission_timeline(sid)
    assert timeline is not None
    assert timeline[-1]["doc"]["status"] == "submitted"
    assert stack.read.last_approved_version(sid) == 4
    stack.sync()
    found = stack.read.compare_versions(sid, 4, timeline[-1]["version"])
    assert found is not None
    assert "service_name" in found["fields"]
    assert "website_url" in found["fields"]
    assert found["times"]["service_name"] == 2


def test_an_erased_submission_keeps_its_timeline_with_personal_values_erased(
    stack: Stack,
) -> None:
    sid = stack.register().submission_id
    stack.app.amend_submission(sid, {"submitter_first_name": "Grace"}, actor=ADMIN, by_admin=True)
    stack.app.erase_submission(sid, actor=ADMIN)
    entries = stack.read.submission_timeline(sid)
    assert entries is not None
    assert entries[-1]["type"] == "Submission.Erased"
    assert entries[-1]["doc"] is None
    edit = entries[-2]
    assert edit["doc"]["submitter_first_name"] == "[erased]"
    assert all(
        c["old"] == "[erased]" and c["new"] == "[erased]"
        for c in edit["changes"]
        if c["field"] == "submitter_first_name"
    )
    assert "Grace" not in repr(entries)
    assert stack.read._timelines is not None
    assert stack.read._timelines.get(sid) is None  # an erased submission is never kept


def test_the_erasure_notification_drops_what_another_process_kept(stack: Stack) -> None:
    sid = stack.register().submission_id
    assert stack.read.submission_timeline(sid) is not None
    assert stack.read._timelines is not None
    assert stack.read._timelines.get(sid) is not None
    stack.read.forget_timelines(sid)
    assert stack.read._timelines.get(sid) is None


def test_a_kept_timeline_is_never_stale(stack: Stack) -> None:
    sid = stack.register(biotools_url="https://bio.tools/bwa").submission_id
    first = stack.read.submission_timeline(sid)
    assert first is not None
    assert stack.read.submission_timeline(sid) is first  # the fold is kept
    stack.app.record_biotools_sync(sid, "bwa", {"biotools_id": "bwa", "name": "BWA"})
    synced = stack.read.submission_timeline(sid)
    assert synced is not None
    assert synced[-1]["type"] == "BioToolsRecord.BioToolsSynced"
    first = synced
    stack.app.amend_submission(sid, {"service_name": "Newer"}, actor=ADMIN, by_admin=True)
    after = stack.read.submission_timeline(sid)
    assert after is not None
    assert len(after) == len(first) + 1
    assert after[-1]["doc"]["service_name"] == "Newer"


def test_reference_records_have_their_own_history_and_usage_counts(stack: Stack) -> None:
    stack.register()
    stack.register(service_category_ids=[stack.category, stack.other_category])
    stack.app.update_reference("category", stack.category, {"name": "Software"}, actor=ADMIN)
    stack.app.set_reference_active("category", stack.category, False, actor=ADMIN)
    steps = stack.read.reference_history("category", stack.category)
    assert steps is not None
    assert [s["type"] for s in steps] == ["Created", "Updated", "Deactivated"]
    assert steps[1]["changes"][0]["new"] == "Software"
    assert steps[2]["changed_by"] == ADMIN
    assert stack.read.reference_history("category", 999) is None
    assert stack.read.reference_history("pi", "not-a-uuid") is None
    pi_steps = stack.read.reference_history("pi", stack.pi)
    assert pi_steps is not None
    assert pi_steps[0]["type"] == "Created"
    stack.sync()
    categories = stack.read.reference_usage("category")
    assert categories[str(stack.category)] == 2
    assert categories[str(stack.other_category)] == 1
    assert stack.read.reference_usage("centre")[str(stack.centre)] == 2
    assert stack.read.reference_usage("pi")[str(stack.pi)] == 2
