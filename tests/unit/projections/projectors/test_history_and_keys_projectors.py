"""The history, api_keys and reference projectors: events of the real domain in, rows out."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from domain.keys import hash_key
from projections.projectors.api_keys import ApiKeysProjector
from projections.projectors.events import ERASED
from projections.projectors.history import HistoryProjector, HistoryProjectorV3
from projections.projectors.reference import (
    CategoriesProjector,
    PisProjector,
    ServiceCentresProjector,
)
from tests.unit.projections.projectors.conftest import World

ADMIN = "admin:root"


def _history(world: World, submission_id: Any) -> list[dict[str, Any]]:
    rows = world.rows(HistoryProjector()).values()
    return sorted(
        (r for r in rows if r["submission_id"] == submission_id), key=lambda r: r["position"]
    )


def test_every_submission_event_is_one_history_row_in_log_order(world: World) -> None:
    reg = world.register()
    sid = reg.submission_id
    world.app.amend_submission(
        sid, {"service_name": "Read Mapper"}, actor="api:Initial key", by_admin=False
    )
    world.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    items = _history(world, sid)
    assert [i["event_type"] for i in items] == [
        "Registered",
        "KeyIssued",
        "Amended",
        "StatusChanged",
    ]
    assert [i["version"] for i in items] == sorted(i["version"] for i in items)
    amended = items[2]
    assert amended["changed_by"] == "api:Initial key"
    assert {
        "field": "service_name",
        "label": "Service Name",
        "old": "Sequence Mapper",
        "new": "Read Mapper",
    } in amended["changes"]
    assert items[1]["changes"][0]["new"] == "Initial key (write)"


def test_biotools_syncs_are_history_rows_of_their_submission(world: World) -> None:
    reg = world.register(biotools_url="https://bio.tools/bwa")
    world.app.record_biotools_sync(reg.submission_id, "bwa", {"biotools_id": "bwa", "name": "BWA"})
    items = _history(world, reg.submission_id)
    assert items[-1]["event_type"] == "BioToolsSynced"
    assert items[-1]["changed_by"] == "worker:biotools"
    assert items[-1]["version"] is None


def test_erasure_keeps_the_history_but_shows_personal_values_erased(world: World) -> None:
    reg = world.register()
    sid = reg.submission_id
    world.app.amend_submission(
        sid,
        {"submitter_first_name": "Grace", "service_name": "Read Mapper"},
        actor="api:Initial key",
        by_admin=False,
    )
    world.app.erase_submission(sid, actor=ADMIN)
    items = _history(world, sid)
    assert items[-1]["event_type"] == "Erased"
    changes = {c["field"]: c for c in items[2]["changes"]}
    assert changes["submitter_first_name"]["old"] == ERASED
    assert changes["submitter_first_name"]["new"] == ERASED
    assert changes["service_name"]["new"] == "Read Mapper"
    assert "Grace" not in str(items)
    assert "Ada" not in str(items)


@pytest.mark.parametrize("version", [HistoryProjector, HistoryProjectorV3])
def test_erasure_rewrites_rows_written_before_it_when_following_live(
    world: World, version: type[HistoryProjector]
) -> None:
    """v3's served entries too: each redacted row's entry is written again."""
    reg = world.register()
    sid = reg.submission_id
    world.app.amend_submission(sid, {"submitter_first_name": "Grace"}, actor=ADMIN, by_admin=True)
    projector = version()
    before = world.log()
    rows: dict[Any, Any] = {}
    for event in before:  # applied one by one, before the erasure exists
        for key in projector.keys(event.domain_event):
            rows.setdefault(key, None)
        projector.apply(rows, event.domain_event, event.position)
    assert "Grace" in str(rows)
    world.app.erase_submission(sid, actor=ADMIN)
    erased = world.log()[len(before) :]
    for event in erased:
        for key in projector.keys(event.domain_event):
            rows.setdefault(key, None)
        projector.apply(rows, event.domain_event, event.position)
    assert "Grace" not in str(rows)
    live = {k: v for k, v in rows.items() if v is not None}
    assert live == world.rows(version())
    if version is HistoryProjectorV3:
        assert all(orjson.loads(row["entry"])["changes"] == row["changes"] for row in live.values())


def test_keys_are_found_by_hash_and_revocation_deactivates_them(world: World) -> None:
    reg = world.register()
    sid = reg.submission_id
    issued = world.app.issue_key(sid, "CI", "read", actor=ADMIN)
    row = world.rows(ApiKeysProjector())[("api_keys", (sid,))]
    assert row["submission_id"] == sid
    assert hash_key(reg.api_key) in row["key_hashes"]
    assert reg.api_key not in str(row)
    world.app.revoke_key(sid, issued.key_id, actor=ADMIN)
    keys = {k["label"]: k for k in world.rows(ApiKeysProjector())[("api_keys", (sid,))]["keys"]}
    assert keys["CI"]["is_active"] is False
    assert keys["CI"]["scope"] == "read"
    assert keys["Initial key"]["is_active"] is True
    assert keys["Initial key"]["created_by"] == "submitter"


def test_admin_keys_have_no_submission_and_erased_submissions_no_keys(world: World) -> None:
    admin = world.app.create_admin_key("ops", "full", created_by="cli")
    reg = world.register()
    world.app.erase_submission(reg.submission_id, actor=ADMIN)
    rows = world.rows(ApiKeysProjector())
    assert ("api_keys", (reg.submission_id,)) not in rows
    (admin_row,) = rows.values()
    assert admin_row["submission_id"] is None
    assert admin_row["keys"][0]["label"] == "ops"
    assert admin_row["keys"][0]["scope"] == "full"
    assert admin_row["keys"][0]["key_id"] == str(admin_row["owner_id"])
    world.app.revoke_admin_key(admin_row["owner_id"], actor=ADMIN)
    (admin_row,) = world.rows(ApiKeysProjector()).values()
    assert admin_row["keys"][0]["is_active"] is False
    assert admin.key_id == admin_row["owner_id"]


def test_reference_records_are_projected_with_their_state(world: World) -> None:
    world.app.update_reference("centre", world.centre, {"short_name": "BiGi2"}, actor=ADMIN)
    world.app.set_reference_active("category", world.category, False, actor=ADMIN)
    (centre,) = world.rows(ServiceCentresProjector()).values()
    (category,) = world.rows(CategoriesProjector()).values()
    (pi,) = world.rows(PisProjector()).values()
    assert (centre["short_name"], centre["full_name"]) == ("BiGi2", "Bielefeld-Gießen")
    assert (category["category_id"], category["name"], category["is_active"]) == (
        world.category,
        "Tools",
        False,
    )
    assert (pi["last_name"], pi["is_active"]) == ("Doe", True)
