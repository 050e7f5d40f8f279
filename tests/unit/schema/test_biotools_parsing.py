"""Every shared bio.tools fixture parses, in both the content-snapshot and the live-API shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from schema.biotools import API_DEFAULTS, flat_record, parse_entry, with_api_defaults

FIXTURES = Path(__file__).resolve().parents[3] / "bench" / "fixtures" / "biotools"
FILES = sorted(FIXTURES.glob("*.json"))


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def test_there_are_sixty_fixtures() -> None:
    assert len(FILES) == 60


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_fixture_gives_the_same_flat_record_in_both_shapes(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    live = with_api_defaults(raw)
    assert set(API_DEFAULTS) <= set(live)
    snapshot_record = flat_record(parse_entry(raw))
    live_record = flat_record(parse_entry(live))
    assert snapshot_record == live_record
    assert snapshot_record["biotools_id"] == raw["biotoolsID"]
    assert snapshot_record["name"] == raw["name"].strip()
    # The record goes into an event payload: it must survive a JSON round trip unchanged.
    assert json.loads(json.dumps(snapshot_record)) == snapshot_record


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_function_block_and_topic_is_kept(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    record = flat_record(parse_entry(raw))
    assert [f["position"] for f in record["functions"]] == list(range(len(raw.get("function", []))))
    assert record["edam_topic_uris"] == [t["uri"] for t in raw.get("topic", [])]


def test_the_live_shape_fills_nested_defaults() -> None:
    live = with_api_defaults(_load("ABRicate"))
    assert live["license"] == "GPL-2.0"
    assert live["elixir_badge"] == 0
    assert live["function"][0]["note"] is None
    assert live["publication"] == []


def test_a_minimal_record_has_empty_values_not_missing_ones() -> None:
    record = flat_record(parse_entry(_load("AAI-profiler")))
    assert record["functions"] == []
    assert record["edam_topic_uris"] == []
    assert record["license"] == ""
    assert record["version"] == ""
    assert record["maturity"] == ""


def test_the_many_function_blocks_of_meme_suite_are_numbered_in_order() -> None:
    record = flat_record(parse_entry(_load("meme_suite")))
    assert len(record["functions"]) == 55
    assert record["functions"][54]["position"] == 54


def test_non_spdx_licence_words_are_kept_as_sent() -> None:
    assert flat_record(parse_entry(_load("abcd")))["license"] == "Not licensed"
    assert flat_record(parse_entry(_load("cryosparc")))["license"] == "Freeware"
    assert flat_record(parse_entry(_load("deseq2")))["license"] == "LGPL-2.1"


def test_obsolete_edam_operations_are_kept() -> None:
    record = flat_record(parse_entry(_load("copasi")))
    uris = [op["uri"] for fn in record["functions"] for op in fn["operations"]]
    assert any(u.endswith(("operation_3562", "operation_3083")) for u in uris)


def test_odd_unicode_text_is_kept_byte_for_byte() -> None:
    raw = _load("OmicShare")
    assert flat_record(parse_entry(raw))["description"] == raw["description"].strip()


def test_only_the_first_five_versions_are_joined() -> None:
    raw = {**_load("j"), "version": ["1", "2", "3", "4", "5", "6"]}
    assert flat_record(parse_entry(raw))["version"] == "1, 2, 3, 4, 5"


def test_a_lone_scalar_where_a_list_is_expected_becomes_a_list() -> None:
    raw = {**_load("j"), "toolType": "Command-line tool", "version": "2.0", "topic": None}
    record = flat_record(parse_entry(raw))
    assert record["tool_type"] == ["Command-line tool"]
    assert record["version"] == "2.0"
    assert record["edam_topic_uris"] == []


def test_unknown_keys_and_junk_items_are_ignored() -> None:
    raw = {
        **_load("samtools"),
        "brandNewKey": {"x": 1},
        "topic": ["not an object", {"uri": "http://edamontology.org/topic_9999", "term": "?"}],
    }
    record = flat_record(parse_entry(raw))
    assert record["edam_topic_uris"] == ["http://edamontology.org/topic_9999"]


def test_references_without_a_uri_and_links_without_a_url_are_skipped() -> None:
    raw = {
        "biotoolsID": "x",
        "name": "x",
        "topic": [{"term": "no uri"}],
        "function": [{"operation": [{"term": "no uri"}, {"uri": "u", "term": "t"}]}],
        "link": [{"type": ["Mirror"]}],
    }
    record = flat_record(parse_entry(raw))
    assert record["edam_topic_uris"] == []
    assert record["functions"][0]["operations"] == [{"uri": "u", "term": "t"}]
    assert record["links"] == []


def test_a_record_without_an_id_falls_back_to_its_name() -> None:
    assert parse_entry({"name": " Tool "}).biotools_id == "Tool"
