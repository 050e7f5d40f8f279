"""bio.tools sync results live on a separate, deterministically identified aggregate."""

from __future__ import annotations

from typing import Any

from domain import ids
from domain.application import Registry
from domain.biotools import BioToolsRecord, biotools_id_from_url

from .conftest import history

OWNER = "api:Initial key"


def link(app: Registry, sid: Any, tool: str) -> None:
    app.amend_submission(
        sid, {"biotools_url": f"https://bio.tools/{tool}"}, actor=OWNER, by_admin=False
    )


def test_biotools_ids_are_read_from_urls() -> None:
    assert biotools_id_from_url("https://bio.tools/blast") == "blast"
    assert biotools_id_from_url("https://bio.tools/tool/bwa/") == "bwa"
    assert biotools_id_from_url("https://bio.tools/") is None
    assert biotools_id_from_url("https://example.org/blast") is None


def test_a_sync_is_recorded_on_the_record_aggregate(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    link(app, sid, "blast")
    outcome = app.record_biotools_sync(sid, "blast", {"name": "BLAST", "version": "2.1"})
    assert outcome.recorded
    assert outcome.record_id == ids.biotools_record_id(sid)
    events = history(app, outcome.record_id)
    assert [type(e).__name__ for e in events] == ["Created", "BioToolsSynced"]
    synced = events[-1]
    assert isinstance(synced, BioToolsRecord.BioToolsSynced)
    assert synced.submission_id == str(sid)
    assert synced.actor == "worker:biotools"


def test_an_identical_sync_records_nothing(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    link(app, sid, "blast")
    app.record_biotools_sync(sid, "blast", {"name": "BLAST"})
    assert not app.record_biotools_sync(sid, "blast", {"name": "BLAST"}).recorded
    assert app.record_biotools_sync(sid, "blast", {"name": "BLAST+"}).recorded


def test_a_sync_for_a_stale_id_is_ignored(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    link(app, sid, "bwa")
    assert not app.record_biotools_sync(sid, "blast", {"name": "BLAST"}).recorded
    assert app.get_biotools_record(sid) is None


def test_failures_keep_the_last_good_record(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    link(app, sid, "blast")
    app.record_biotools_sync(sid, "blast", {"name": "BLAST"})
    outcome = app.record_biotools_failure(sid, "blast", "HTTP 503 " + "x" * 3000)
    assert outcome.recorded
    record = app.get_biotools_record(sid)
    assert record is not None
    assert record.record == {"name": "BLAST"}
    assert len(record.sync_error) == 2000
    assert not app.record_biotools_failure(sid, "blast", "HTTP 503 " + "x" * 3000).recorded


def test_worker_syncs_do_not_conflict_with_owner_edits(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    link(app, sid, "blast")
    version = app.get_submission(sid).version
    app.record_biotools_sync(sid, "blast", {"name": "BLAST"})
    outcome = app.amend_submission(
        sid, {"comments": "x"}, actor=OWNER, by_admin=False, expected_version=version
    )
    assert outcome.changed


def test_registering_with_a_biotools_url_links_it(app: Registry, valid_data: Any) -> None:
    result = app.register_submission(
        valid_data(biotools_url="https://bio.tools/signalp"), ip=None, user_agent_hash=""
    )
    assert app.get_submission(result.submission_id).biotools_id == "signalp"
    linked = history(app, result.submission_id)[-1]
    assert linked.biotools_id == "signalp"
