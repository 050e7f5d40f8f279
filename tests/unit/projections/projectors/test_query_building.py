"""The pure parts of the read queries: filter parsing, orderings, paging, wire shapes, as-of."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from psycopg.types.json import Jsonb

from projections.queries import as_of_document, shapes
from projections.queries.submission_sql import (
    conditions,
    list_query,
    order_by,
    page_bounds,
)
from tests.unit.projections.projectors.conftest import World


def test_invalid_or_empty_filter_values_are_ignored() -> None:
    terms, params = conditions(
        {
            "status": "",
            "year_established": "20x1",
            "register_as_elixir": "maybe",
            "secondary_maturity_tags": " , ",
            "unknown": "x",
        }
    )
    assert (terms, params) == ([], [])


def test_filters_become_parameters_never_sql_text() -> None:
    terms, params = conditions(
        {
            "status": "approved'; DROP TABLE x; --",
            "service_center": "50%_off",
            "year_established": "2001",
            "register_as_elixir": "TRUE",
            "secondary_maturity_tags": "unstable, other",
        }
    )
    assert "DROP" not in " ".join(terms)
    by_term = dict(zip(terms, params, strict=True))
    assert by_term["s.status = %s"] == "approved'; DROP TABLE x; --"
    centre = next(t for t in terms if "service_centres" in t)
    assert by_term[centre] == "%50\\%\\_off%"
    assert by_term["s.year_established = %s"] == 2001
    assert by_term["s.register_as_elixir = %s"] is True
    tags = by_term["s.secondary_maturity_tags @> %s"]
    assert isinstance(tags, Jsonb)
    assert tags.obj == ["unstable", "other"]


def test_register_as_elixir_accepts_true_1_false_0() -> None:
    for raw, expected in (("true", True), ("1", True), ("false", False), ("0", False)):
        assert conditions({"register_as_elixir": raw})[1] == [expected]


def test_unknown_orderings_fall_back_to_newest_first() -> None:
    assert order_by(None) == "s.submitted_at DESC, s.id DESC"
    assert order_by("-bogus") == "s.submitted_at DESC, s.id DESC"
    assert order_by("service_name") == "s.service_name ASC, s.id ASC"
    assert order_by("-primary_maturity_tag", "p") == "p.primary_maturity_tag DESC, p.id DESC"


def test_page_sizes_are_clamped_to_one_hundred() -> None:
    assert page_bounds(1, 1000) == (100, 0)
    assert page_bounds(3, 20) == (20, 40)
    assert page_bounds(0, 0) == (1, 0)


def test_the_list_statement_repeats_the_filter_parameters_for_count_and_page() -> None:
    query, params = list_query({"status": "approved"}, None, 2, 10)
    assert query.count("s.status = %s") == 2
    assert params == ["approved", -1, -1, -1, -1, "approved", 10]


def test_the_list_statement_passes_the_stamp_its_cached_count_was_taken_under() -> None:
    query, params = list_query({}, None, 1, 20, (2, 4711, 1, 4711))
    assert "v.version = %s::integer AND v.position = %s::bigint" in query
    assert params == [2, 4711, 1, 4711, 0]


def test_the_page_size_is_written_into_the_list_statement_and_the_offset_passed() -> None:
    # A parameter LIMIT made PostgreSQL plan the statement again at every execution.
    query, params = list_query({}, None, 50, 1000)
    assert "LIMIT 100 OFFSET %s" in query
    assert params[-1] == 4900


def test_an_unknown_edam_accession_keeps_a_null_label() -> None:
    assert shapes.edam_compact("topic_9999", None) == {
        "uri": "http://edamontology.org/topic_9999",
        "accession": "topic_9999",
        "branch": "topic",
        "label": None,
        "url": "https://edamontology.org/topic_9999",
    }
    assert shapes.edam_from_uri("http://edamontology.org/topic_4242", None)["label"] is None


def test_the_biotools_summary_counts_instead_of_listing() -> None:
    record: dict[str, Any] = {
        "id": "r",
        "biotools_id": "bwa",
        "edam_topic_uris": ["a", "b"],
        "functions": [{}],
        "publications": [{"pmid": "1"}],
    }
    summary = shapes.record_summary(record)
    assert summary["edam_topic_count"] == 2
    assert summary["function_count"] == 1
    assert "publications" not in summary
    assert "functions" not in summary
    full = shapes.record_full(record, [None, None])
    assert full["publications"] == [{"pmid": "1"}]
    assert full["biotools_url"] == "https://bio.tools/bwa"


def test_the_associated_partner_pi_has_its_display_text() -> None:
    pi = {"last_name": "Partner", "first_name": "Any", "is_associated_partner": True}
    assert shapes.pi_display(pi) == "Associated partner [please state below]"


def test_as_of_folds_only_events_up_to_the_instant(world: World) -> None:
    reg = world.register()
    world.app.amend_submission(
        reg.submission_id, {"service_name": "Later"}, actor="x", by_admin=True
    )
    events = list(world.app.events.get(reg.submission_id))
    first = events[0].timestamp
    doc = as_of_document(events, first)
    assert doc is not None
    assert doc["service_name"] == "Sequence Mapper"
    assert as_of_document(events, datetime(2000, 1, 1, tzinfo=UTC)) is None
    latest = as_of_document(events, events[-1].timestamp)
    assert latest is not None
    assert latest["service_name"] == "Later"
    world.app.erase_submission(reg.submission_id, actor="admin:root")
    erased = list(world.app.events.get(reg.submission_id))
    before = as_of_document(erased, first)
    assert before is not None
    assert before["service_name"] == "Sequence Mapper"
    assert before["submitter_last_name"] == "[erased]"
    assert before["comments"] == "[erased]"
    assert as_of_document(erased, erased[-1].timestamp) is None
