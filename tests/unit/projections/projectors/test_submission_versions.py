"""``submissions`` v1 keeps its first document shape; v2 serves today's; both follow new events."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.projectors.submission_doc import as_v1, from_v1
from projections.projectors.submissions import SubmissionsProjector, SubmissionsProjectorV2
from projections.queries.shapes import submission
from tests.unit.projections.projectors.conftest import World

ADMIN = "admin:root"
NO_REFS: dict[str, Any] = {"categories": [], "pis": []}


def _doc(world: World, projector: Any, sid: UUID) -> dict[str, Any]:
    doc: dict[str, Any] = world.rows(projector)[("submissions", (sid,))]["doc"]
    return doc


def test_v2_documents_carry_the_new_fields_and_v1_documents_the_old_shape(world: World) -> None:
    reg = world.register()
    world.app.amend_submission(
        reg.submission_id,
        {"data_access_type": "restricted", "kpi_since": "2019"},
        actor=ADMIN,
        by_admin=True,
    )
    new = _doc(world, SubmissionsProjectorV2(), reg.submission_id)
    old = _doc(world, SubmissionsProjector(), reg.submission_id)
    assert (new["data_access_type"], new["kpi_since"], new["related_service_ids"]) == (
        "restricted",
        "2019",
        [],
    )
    assert "kpi_start_year" not in new
    assert old["kpi_start_year"] == "2019"
    assert not {"kpi_since", "data_access_type", "related_service_ids"} & set(old)
    assert as_v1(new) == old


def test_a_related_services_change_updates_the_other_sides_document(world: World) -> None:
    a = world.register(service_name="Alpha")
    b = world.register(service_name="Beta")
    world.app.amend_submission(
        a.submission_id,
        {"related_service_ids": [str(b.submission_id)]},
        actor=ADMIN,
        by_admin=True,
    )
    other = _doc(world, SubmissionsProjectorV2(), b.submission_id)
    assert other["related_service_ids"] == [str(a.submission_id)]
    assert other["version"] == world.app.get_submission(b.submission_id).version


def test_a_v1_document_is_served_in_the_same_wire_shape(world: World) -> None:
    reg = world.register()
    new = _doc(world, SubmissionsProjectorV2(), reg.submission_id)
    old = _doc(world, SubmissionsProjector(), reg.submission_id)
    assert submission(new, NO_REFS, full_record=False) == submission(
        old, NO_REFS, full_record=False
    )
    served = submission(old, NO_REFS, full_record=False)
    assert served["kpi_since"] == served["kpi_start_year"] == "2021"
    assert served["data_access_type"] == "open"
    assert from_v1(old) == new
