"""The submissions, catalogue and bio.tools projectors: events of the real domain in, rows out."""

from __future__ import annotations

from uuid import UUID

from projections.projectors.derived import BioToolsRecordsProjector, CatalogueProjector
from projections.projectors.submissions import SubmissionsProjector
from tests.unit.projections.projectors.conftest import World

ADMIN = "admin:root"


def _row(world: World, submission_id: UUID) -> dict:  # type: ignore[type-arg]
    return world.rows(SubmissionsProjector())[("submissions", (submission_id,))]


def test_a_registration_becomes_one_row_with_the_served_fields(world: World) -> None:
    reg = world.register()
    row = _row(world, reg.submission_id)
    doc = row["doc"]
    assert row["status"] == "submitted"
    assert row["version"] == reg.version == doc["version"]
    assert row["service_center_id"] == world.centre
    assert row["year_established"] == 2020
    assert doc["service_name"] == "Sequence Mapper"
    assert doc["service_category_ids"] == [world.category]
    assert doc["submitter_first_name"] == "Ada"
    assert doc["submitted_at"] == doc["updated_at"]


def test_internal_contact_and_request_metadata_never_enter_the_document(world: World) -> None:
    reg = world.register()
    doc = _row(world, reg.submission_id)["doc"]
    for secret in ("internal_contact_name", "internal_contact_email", "data_protection_consent"):
        assert secret not in doc
    assert "192.0.2.1" not in str(doc)


def test_an_amendment_updates_the_document_and_its_version(world: World) -> None:
    reg = world.register()
    out = world.app.amend_submission(
        reg.submission_id, {"service_name": "Read Mapper"}, actor="api:Initial key", by_admin=False
    )
    row = _row(world, reg.submission_id)
    assert row["service_name"] == "Read Mapper"
    assert row["version"] == out.version > reg.version
    assert row["updated_at"] >= row["submitted_at"]


def test_leaving_approved_clears_the_maturity_tags(world: World) -> None:
    reg = world.register()
    sid = reg.submission_id
    world.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    world.app.assign_maturity_tags(sid, "mature", ["unstable"], actor=ADMIN)
    row = _row(world, sid)
    assert (row["primary_maturity_tag"], row["secondary_maturity_tags"]) == ("mature", ["unstable"])
    world.app.change_status(sid, "under_review", actor=ADMIN, by_admin=True)
    row = _row(world, sid)
    assert row["status"] == "under_review"
    assert (row["primary_maturity_tag"], row["secondary_maturity_tags"]) == (None, [])


def test_the_catalogue_lists_only_approved_services_without_personal_fields(world: World) -> None:
    reg = world.register()
    key = ("catalogue", (reg.submission_id,))
    assert world.rows(CatalogueProjector())[key]["listed"] is False
    world.app.change_status(reg.submission_id, "approved", actor=ADMIN, by_admin=True)
    row = world.rows(CatalogueProjector())[key]
    assert row["listed"] is True
    assert "submitter_first_name" not in row["entry"]
    assert row["entry"]["service_name"] == "Sequence Mapper"


def test_a_biotools_sync_is_embedded_and_unlinking_removes_it(world: World) -> None:
    reg = world.register(biotools_url="https://bio.tools/bwa")
    sid = reg.submission_id
    record = {"biotools_id": "bwa", "name": "BWA", "functions": [{"position": 0, "cmd": "x"}]}
    world.app.record_biotools_sync(sid, "bwa", record)
    embedded = _row(world, sid)["doc"]["biotoolsrecord"]
    assert embedded["name"] == "BWA"
    assert embedded["sync_error"] == ""
    assert embedded["last_synced_at"] is not None
    bt = world.rows(BioToolsRecordsProjector())[("biotools_records", (sid,))]
    assert bt["biotools_id"] == "bwa"
    assert bt["record"]["functions"] == [{"position": 0, "cmd": "x"}]
    world.app.amend_submission(sid, {"biotools_url": ""}, actor=ADMIN, by_admin=True)
    assert _row(world, sid)["doc"]["biotoolsrecord"] is None
    assert world.rows(BioToolsRecordsProjector())[("biotools_records", (sid,))]["record"] is None


def test_erasure_removes_the_submission_from_the_document_tables(world: World) -> None:
    keep = world.register(service_name="Kept service")
    gone = world.register()
    world.app.erase_submission(gone.submission_id, actor=ADMIN)
    for projector, table in (
        (SubmissionsProjector(), "submissions"),
        (CatalogueProjector(), "catalogue"),
        (BioToolsRecordsProjector(), "biotools_records"),
    ):
        rows = world.rows(projector)
        assert (table, (gone.submission_id,)) not in rows
        assert (table, (keep.submission_id,)) in rows
