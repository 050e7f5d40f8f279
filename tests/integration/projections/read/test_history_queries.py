"""History, change feed, as-of and erasure against the real event store and runner."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import psycopg

from tests.integration.projections.read.conftest import ADMIN, Stack


def _now() -> datetime:
    time.sleep(0.01)  # event timestamps are the wall clock: keep instants apart
    moment = datetime.now(UTC)
    time.sleep(0.01)
    return moment


def test_history_lists_every_change_oldest_first(stack: Stack) -> None:
    reg = stack.register()
    sid = reg.submission_id
    stack.app.amend_submission(
        sid, {"service_name": "Read Mapper"}, actor="api:Initial key", by_admin=False
    )
    stack.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    stack.app.issue_key(sid, "CI", "read", actor=ADMIN)
    stack.sync()
    items = stack.read.history(sid)
    assert [i["changed_by"] for i in items] == [
        "submitter",
        "submitter",
        "api:Initial key",
        ADMIN,
        ADMIN,
    ]
    versions = [i["version"] for i in items]
    assert versions == sorted(versions)
    assert all(isinstance(v, int) for v in versions)
    assert items[2]["changes"] == [
        {
            "field": "service_name",
            "label": "Service Name",
            "old": "Sequence Mapper",
            "new": "Read Mapper",
        }
    ]
    assert datetime.fromisoformat(items[0]["changed_at"]).utcoffset() is not None
    assert stack.read.history("00000000-0000-0000-0000-000000000000") == []


def test_the_change_feed_pages_by_position_without_gaps_or_repeats(stack: Stack) -> None:
    first = stack.register(service_name="First")
    second = stack.register(service_name="Second")
    stack.app.change_status(first.submission_id, "approved", actor=ADMIN, by_admin=True)
    stack.sync()
    everything = stack.read.changes(0, 1000)
    positions = [e["position"] for e in everything]
    assert positions == sorted(set(positions))
    assert {e["id"] for e in everything} == {str(first.submission_id), str(second.submission_id)}
    assert everything[-1]["type"] == "StatusChanged"
    paged, after = [], 0
    while page := stack.read.changes(after, 2):
        paged += page
        after = page[-1]["position"]
    assert paged == everything


def test_as_of_equals_the_live_document_at_the_same_version(stack: Stack) -> None:
    reg = stack.register(biotools_url="https://bio.tools/bwa")
    sid = reg.submission_id
    before = _now() - timedelta(seconds=5)
    stack.app.record_biotools_sync(sid, "bwa", {"biotools_id": "bwa", "name": "BWA"})
    stack.sync()
    first = stack.read.submission(sid)
    at_first = _now()
    stack.app.amend_submission(sid, {"service_name": "Renamed"}, actor=ADMIN, by_admin=True)
    stack.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    stack.sync()
    now = stack.read.submission(sid)
    assert stack.read.submission_as_of(sid, at_first) == first
    assert stack.read.submission_as_of(sid, _now()) == now
    assert stack.read.submission_as_of(sid, before) is None
    assert first is not None
    assert now is not None
    assert first["service_name"] == "Sequence Mapper"
    assert now["service_name"] == "Renamed"


def test_erasure_removes_the_submission_everywhere_and_erases_personal_history(
    stack: Stack,
) -> None:
    kept = stack.register(service_name="Kept")
    sid = stack.synced_and_amended({"submitter_first_name": "Grace", "service_name": "Renamed"})
    stack.app.change_status(sid, "approved", actor=ADMIN, by_admin=True)
    stack.sync()
    assert stack.read.biotools_record("bwa") is not None
    stack.app.erase_submission(sid, actor=ADMIN)
    stack.sync()
    assert stack.read.submission(sid) is None
    assert stack.read.submission_as_of(sid, _now()) is None
    assert stack.read.keys_of(sid) == []
    assert stack.read.biotools_record("bwa") is None
    _, items = stack.read.list_submissions({}, None, 1, 20)
    assert [i["id"] for i in items] == [str(kept.submission_id)]
    with psycopg.connect(stack.url) as conn:
        for table, column in (
            ("submissions", "id"),
            ("catalogue", "id"),
            ("api_keys", "owner_id"),
            ("biotools_records", "submission_id"),
        ):
            found = conn.execute(f"SELECT count(*) FROM {table} WHERE {column} = %s", (sid,))
            assert found.fetchone() == (0,), table
        history = conn.execute(
            "SELECT changes::text FROM submission_history WHERE submission_id = %s", (sid,)
        ).fetchall()
    assert "Grace" not in str(history)
    assert "Ada" not in str(history)
    items = stack.read.history(sid)
    amended = next(i for i in items if any(c["field"] == "service_name" for c in i["changes"]))
    changes = {c["field"]: c for c in amended["changes"]}
    assert changes["submitter_first_name"] == {
        "field": "submitter_first_name",
        "label": "Submitter First Name",
        "old": "[erased]",
        "new": "[erased]",
    }
    assert changes["service_name"]["new"] == "Renamed"
    assert stack.read.changes(0, 1000)[-1]["type"] == "Erased"
