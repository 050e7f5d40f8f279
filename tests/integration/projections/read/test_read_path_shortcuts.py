"""The read path's shortcuts never change an answer: prepared statements across a view change,
list counts reused only under the same read-table stamp, the history built by the server, and
batched key last-use writes."""

from __future__ import annotations

import time
from typing import Any

import orjson
import psycopg

from domain.keys import hash_key
from projections.projectors.events import iso
from projections.projectors.history import HistoryProjectorV3
from projections.projectors.submissions import VERSIONS
from projections.queries.submission_sql import ORDERINGS, list_query
from tests.integration.projections.read.conftest import ADMIN, Stack


def test_a_list_page_reuses_its_count_only_while_the_tables_stand_still(stack: Stack) -> None:
    first = stack.register(service_name="First")
    stack.sync()
    filters = {"status": "submitted"}
    assert stack.read.list_submissions(filters, None, 1, 20)[0] == 1
    key = tuple(sorted(filters.items()))
    stamp, _ = stack.read._counts[key]
    # A count kept under the current stamp is served as is: the statement did not count again.
    stack.read._counts[key] = (stamp, 42)
    assert stack.read.list_submissions(filters, None, 1, 20)[0] == 42
    second = stack.register(service_name="Second")
    stack.sync()
    count, items = stack.read.list_submissions(filters, None, 1, 20)
    assert (count, [i["id"] for i in items]) == (
        2,
        [str(second.submission_id), str(first.submission_id)],
    )
    assert stack.read._counts[key][0] != stamp


def test_a_renamed_centre_changes_the_centre_filter_at_once(stack: Stack) -> None:
    stack.register()
    stack.sync()
    assert stack.read.list_submissions({"service_center": "bigi"}, None, 1, 20)[0] == 1
    stack.app.update_reference("centre", stack.centre, {"short_name": "Renamed"}, actor=ADMIN)
    stack.sync()
    assert stack.read.list_submissions({"service_center": "bigi"}, None, 1, 20) == (0, [])


def _scans(plan: dict[str, Any]) -> list[tuple[str, str]]:
    found = [(plan["Node Type"], plan.get("Index Name", ""))]
    return found + [scan for child in plan.get("Plans", []) for scan in _scans(child)]


def test_a_list_page_takes_its_ids_from_its_orderings_index_alone(stack: Stack) -> None:
    """With every column filter of spec §3.2, in every ordering and direction, the page's ids
    come from an index-only scan of the ordering's covering index: no row an offset skips is
    read (planner costs forced: a test table is small enough to read whole)."""
    stack.register()
    stack.sync()
    filters = {
        "status": "submitted",
        "service_center": "bigi",
        "year_established": "2020",
        "register_as_elixir": "true",
        "primary_maturity_tag": "stable",
        "secondary_maturity_tags": "unstable",
    }
    table = VERSIONS[-1].physical_tables()[0]
    indexes = {"submitted_at": "submitted", "updated_at": "updated", "service_name": "name"}
    with psycopg.connect(stack.url, autocommit=True) as conn:
        conn.execute(f"VACUUM (ANALYZE) {table}")  # the visibility map index-only scans need
        conn.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
        for column in ORDERINGS:
            for ordering in (column, f"-{column}"):
                query, params = list_query(filters, ordering, 50, 20)
                row = conn.execute(f"EXPLAIN (FORMAT JSON) {query}", params).fetchone()
                assert row is not None
                (page,) = [
                    p for p in row[0][0]["Plan"]["Plans"] if p.get("Subplan Name") == "CTE page"
                ]
                index = f"{table}_{indexes.get(column, 'primary_tag')}_idx"
                assert ("Index Only Scan", index) in _scans(page), (ordering, _scans(page))


def test_a_prepared_read_survives_a_view_changing_its_column_types(stack: Stack) -> None:
    with psycopg.connect(stack.url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE probe_v1 (id integer, value text);"
            " CREATE TABLE probe_v2 (id integer, value bigint);"
            " INSERT INTO probe_v1 VALUES (1, 'one'); INSERT INTO probe_v2 VALUES (1, 2);"
            " CREATE VIEW probe AS SELECT * FROM probe_v1"
        )
        query = "SELECT p.value FROM probe p WHERE p.id = %s"
        for _ in range(2):  # prepared at the first execution
            assert stack.read._all(query, (1,)) == [{"value": "one"}]
        conn.execute("BEGIN; DROP VIEW probe; CREATE VIEW probe AS SELECT * FROM probe_v2; COMMIT")
        assert stack.read._all(query, (1,)) == [{"value": 2}]
        assert stack.read._all(query, (1,)) == [{"value": 2}]


def _rows(stack: Stack, submission_id: Any) -> list[dict[str, Any]]:
    with psycopg.connect(stack.url) as conn:
        rows = conn.execute(
            "SELECT version, changed_by, changed_at, changes FROM submission_history"
            " WHERE submission_id = %s ORDER BY position",
            (submission_id,),
        ).fetchall()
    out, running = [], 0
    for version, changed_by, changed_at, changes in rows:
        running = max(running, version or 0)
        out.append(
            {
                "version": running,
                "changed_by": changed_by,
                "changed_at": iso(changed_at),
                "changes": changes,
            }
        )
    return out


def test_the_served_history_is_every_row_with_python_timestamps(stack: Stack) -> None:
    sid = stack.synced_and_amended(
        {"service_name": "Renamed", "internal_contact_name": "Grace Internal"}
    )
    stack.app.issue_key(sid, "CI", "read", actor=ADMIN)
    stack.sync()
    served = stack.read.history_json(sid)
    assert served is not None
    assert "Grace Internal" in served.decode()
    rows = _rows(stack, sid)
    assert orjson.loads(served) == rows
    with psycopg.connect(stack.url) as conn:
        query = "SELECT count(*) FROM submission_history WHERE submission_id = %s"
        query += " AND version IS NULL"
        assert conn.execute(query, (sid,)).fetchone() == (1,)  # the sync: the running version
    assert len(rows) == 6
    assert stack.read.history_json("00000000-0000-0000-0000-000000000000") is None
    stack.app.erase_submission(sid, actor=ADMIN)
    stack.sync()
    erased = stack.read.history_json(sid)  # the redacted rows stay readable
    assert erased is not None
    assert orjson.loads(erased) == _rows(stack, sid) == stack.read.history(sid)
    assert len(_rows(stack, sid)) == 7
    assert "Grace Internal" not in erased.decode()  # the entries were rewritten


V2_COLUMNS = (
    "aggregate_id, aggregate_version, position, submission_id, version, changed_by, changed_at,"
    " event_type, changes"
)


def test_the_history_of_v2_rows_is_the_same_history(stack: Stack) -> None:
    """v2 rows have no stored entry (v2 serves while v3 is built, and after a rollback): the
    same statement's prepared form fails on them and the history is built by the server."""
    sid = stack.synced_and_amended({"internal_contact_name": "Grace Internal"})
    stack.sync()
    before = [stack.read.history_json(sid) for _ in range(2)]  # prepared at the first read
    assert before[0] == before[1] is not None
    with psycopg.connect(stack.url, autocommit=True) as conn:
        conn.execute(
            "BEGIN; DROP VIEW submission_history; CREATE VIEW submission_history AS"
            f" SELECT {V2_COLUMNS} FROM {HistoryProjectorV3.physical_tables()[0]}; COMMIT"
        )
    served = stack.read.history_json(sid)
    assert served is not None
    assert orjson.loads(served) == orjson.loads(before[0])
    assert served != before[0]  # built by the server (its spacing), not the stored entries
    stack.app.erase_submission(sid, actor=ADMIN)
    stack.sync()
    redacted = stack.read.history(sid)
    assert redacted == _rows(stack, sid)
    assert len(redacted) == 6


def test_a_key_use_is_written_in_the_background_without_a_listing(stack: Stack) -> None:
    reg = stack.register()
    stack.sync()
    key = stack.read.api_key(hash_key(reg.api_key))
    assert key is not None
    stack.read.touch_key(key.key_id)
    deadline = time.monotonic() + 10
    with psycopg.connect(stack.url, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT last_used_at FROM key_usage WHERE key_id = %s", (key.key_id,)
            ).fetchone()
            if row is not None or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert row is not None


def test_every_page_of_a_list_is_in_order_and_counted(stack: Stack) -> None:
    made = [stack.register(service_name=name) for name in ("Aaa", "Bbb", "Ccc")]
    stack.sync()
    newest_first = [str(m.submission_id) for m in reversed(made)]
    for page in (1, 2):
        count, items = stack.read.list_submissions({}, None, page, 2)
        assert (count, [i["id"] for i in items]) == (3, newest_first[(page - 1) * 2 : page * 2])
    assert stack.read.list_submissions({}, None, 3, 2) == (3, [])


REFERENCE_FIELDS = (
    "service_center",
    "service_categories",
    "responsible_pis",
    "edam_topics",
    "edam_operations",
    "related_services",
)


def test_list_items_carry_the_references_the_detail_resolves(stack: Stack) -> None:
    plain = stack.register(service_name="Plain")
    rich = stack.register(
        service_name="Rich",
        service_category_ids=[stack.category, stack.other_category, stack.category],
        responsible_pi_ids=[str(stack.pi), str(stack.other_pi)],
        service_center_id=str(stack.other_centre),
        edam_topic_ids=["topic_0091", "topic_0080"],
        edam_operation_ids=["operation_3198", "operation_0292"],
    )
    stack.app.amend_submission(
        rich.submission_id,
        {"related_service_ids": [str(plain.submission_id)]},
        actor=ADMIN,
        by_admin=True,
    )
    stack.sync()
    stack.app.update_reference("category", stack.other_category, {"name": "Zeta"}, actor=ADMIN)
    stack.sync()
    _, items = stack.read.list_submissions({}, "service_name", 1, 20)
    assert [i["service_name"] for i in items] == ["Plain", "Rich"]
    for item, sub in zip(items, (plain, rich), strict=True):
        detail = stack.read.submission(sub.submission_id)
        assert detail is not None
        for name in REFERENCE_FIELDS:
            assert item[name] == detail[name], name
    assert [c["name"] for c in items[1]["service_categories"]] == ["Tools", "Zeta"]
    assert [p["last_name"] for p in items[1]["responsible_pis"]] == ["Adams", "Doe"]
    assert items[1]["related_services"] == [
        {"id": str(plain.submission_id), "service_name": "Plain"}
    ]


def test_the_served_history_follows_an_amendment_and_an_erasure(stack: Stack) -> None:
    reg = stack.register()
    sid = reg.submission_id
    stack.sync()
    first = stack.read.history_json(sid)
    assert first is not None
    stack.app.amend_submission(sid, {"service_name": "Renamed"}, actor=ADMIN, by_admin=True)
    stack.sync()
    amended = orjson.loads(stack.read.history_json(sid) or b"")
    assert amended == _rows(stack, sid)
    assert len(amended) == len(orjson.loads(first)) + 1
    stack.app.erase_submission(sid, actor=ADMIN)
    stack.sync()
    assert orjson.loads(stack.read.history_json(sid) or b"") == _rows(stack, sid)
