"""The public catalogue: real domain events in, rows out. The public sees the last approved
version of a service only (spec/ui.md §5.5.2, §9 item 7)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.projectors.public_catalogue import PublicCatalogueProjector
from tests.unit.projections.projectors.conftest import World

ADMIN = "admin:root"
OWNER = "api:Initial key"


def _row(world: World, sid: UUID) -> dict[str, Any]:
    return world.rows(PublicCatalogueProjector())[("public_catalogue", (sid,))]


def test_a_never_approved_service_has_no_public_entry(world: World) -> None:
    sid = world.register().submission_id
    row = _row(world, sid)
    assert (row["visibility"], row["entry"], row["service_name"]) == ("hidden", None, "")


def test_an_owner_edit_in_review_keeps_the_approved_entry(world: World) -> None:
    sid = world.register().submission_id
    approved = world.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    world.app.amend_submission(sid, {"service_name": "Renamed"}, actor=OWNER, by_admin=False)
    row = _row(world, sid)
    assert row["visibility"] == "in_review"
    assert row["status"] == "submitted"
    assert row["entry"]["service_name"] == row["service_name"] == "Sequence Mapper"
    assert row["entry"]["version"] == row["approved_version"] == approved.version
    assert row["state"]["service_name"] == "Renamed"  # folded on, never served
    world.app.change_status(sid, "under_review", actor=ADMIN, by_admin=True)
    assert _row(world, sid)["entry"]["service_name"] == "Sequence Mapper"
    world.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    row = _row(world, sid)
    assert (row["visibility"], row["service_name"]) == ("listed", "Renamed")


def test_an_exempt_owner_edit_stays_approved_and_public(world: World) -> None:
    sid = world.register().submission_id
    world.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    world.app.amend_submission(
        sid, {"github_url": "https://github.com/x/y"}, actor=OWNER, by_admin=False
    )
    row = _row(world, sid)
    assert row["visibility"] == "listed"
    assert row["entry"]["github_url"] == "https://github.com/x/y"


def test_deprecated_after_approval_is_shown_rejected_is_hidden(world: World) -> None:
    first = world.register().submission_id
    second = world.register().submission_id
    for sid in (first, second):
        world.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    world.app.assign_maturity_tags(first, "mature", [], actor=ADMIN)
    world.app.change_status(first, "deprecated", actor=ADMIN, by_admin=True)
    world.app.change_status(second, "rejected", actor=ADMIN, by_admin=True)
    deprecated = _row(world, first)
    assert deprecated["visibility"] == "deprecated"
    assert deprecated["primary_maturity_tag"] is None
    assert deprecated["entry"]["service_name"] == "Sequence Mapper"
    hidden = _row(world, second)
    assert (hidden["visibility"], hidden["entry"]) == ("hidden", None)


def test_an_erased_service_leaves_a_tombstone_without_content(world: World) -> None:
    sid = world.register().submission_id
    world.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    world.app.erase_submission(sid, actor=ADMIN)
    row = _row(world, sid)
    assert row["visibility"] == "erased"
    assert row["entry"] is None
    assert row["state"] is None
    assert row["service_name"] == row["search_text"] == ""


def test_no_personal_or_internal_field_is_kept(world: World) -> None:
    sid = world.register(comments="internal note", keywords_uncited="uncited").submission_id
    world.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    row = _row(world, sid)
    for doc in (row["entry"], row["state"]):
        for private in (
            "submitter_first_name",
            "submitter_last_name",
            "submitter_affiliation",
            "comments",
            "keywords_uncited",
            "survey_participation",
            "kpi_monitoring",
            "kpi_since",
            "date_of_entry",
            "associated_partner_note",
        ):
            assert private not in doc, private
    assert "Ada" not in str(row)


def test_search_text_is_folded_and_facet_columns_are_strings(world: World) -> None:
    sid = world.register(service_name="Gießen Métabolite Atlas").submission_id
    world.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    row = _row(world, sid)
    assert row["sort_name"] == "gießen metabolite atlas"
    assert "metabolite" in row["search_text"]
    assert row["category_ids"] == [str(world.category)]
    assert row["pi_ids"] == [str(world.pi)]
    assert row["edam_ids"] == ["topic_0091"]
