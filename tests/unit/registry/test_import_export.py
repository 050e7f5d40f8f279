"""Mapping the existing system's dumpdata export to the domain's import inputs (no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from registry.importing.export import (
    SUBMISSION,
    BadRecord,
    Export,
    Obj,
    load_export,
    split_submitter_name,
    submission_data,
    submission_of,
)

EXPORT = Path(__file__).parents[2] / "fixtures" / "import" / "export.json"


def _export(*objects: dict[str, Any]) -> Export:
    export = Export()
    for o in objects:
        export.objects[o["model"]].append(Obj(o["model"], o["pk"], o["fields"]))
    return export


def _submission(**fields: Any) -> Obj:
    return Obj(SUBMISSION, "5b000000-0000-4000-8000-0000000000a1", {"licenses": [], **fields})


@pytest.mark.parametrize(
    ("slug", "licenses", "note"),
    [
        ("gpl3", ["GPL-3.0-only"], None),
        ("cc_by_sa4", ["CC-BY-SA-4.0"], None),
        ("na", [], "Not applicable"),
        ("other", [], "Other"),
        ("shareware", [], "Legacy: shareware"),
    ],
)
def test_a_legacy_licence_slug_becomes_spdx_or_a_note(
    slug: str, licenses: list[str], note: str | None
) -> None:
    data = submission_data(_submission(license=slug), Export())
    assert data["licenses"] == licenses
    assert data.get("license_note") == note


def test_the_licence_list_wins_over_the_legacy_slug() -> None:
    export = _export({"model": "licenses.spdxlicense", "pk": 1, "fields": {"license_id": "MIT"}})
    data = submission_data(_submission(licenses=[1], license="gpl3"), export)
    assert data["licenses"] == ["MIT"]


def test_edam_pks_become_accessions_and_unknown_ones_are_refused() -> None:
    export = _export(
        {"model": "edam.edamterm", "pk": 91, "fields": {"accession": "topic_0091"}},
    )
    data = submission_data(_submission(edam_topics=[91]), export)
    assert data["edam_topic_ids"] == ["topic_0091"]
    with pytest.raises(BadRecord, match="edam_topics: 92"):
        submission_data(_submission(edam_topics=[92]), export)


def test_the_old_submitter_name_is_split_when_the_parts_are_empty() -> None:
    assert split_submitter_name("Max Mustermann, Uni Foo") == ("Max", "Mustermann", "Uni Foo")
    assert split_submitter_name("Prince") == ("Prince", "", "")
    data = submission_data(_submission(submitter_name="Ada King Lovelace, Engines"), Export())
    assert (data["submitter_first_name"], data["submitter_last_name"]) == ("Ada", "King Lovelace")
    assert data["submitter_affiliation"] == "Engines"


def test_removed_and_derived_fields_are_not_content() -> None:
    data = submission_data(
        _submission(outreach_consent=True, last_change_summary={}, kpi_start_year="2020"),
        Export(),
    )
    assert "outreach_consent" not in data
    assert "last_change_summary" not in data
    assert data["kpi_since"] == "2020"


def test_a_submission_without_a_valid_time_is_a_bad_record() -> None:
    with pytest.raises(BadRecord, match="submitted_at"):
        submission_of(_submission(submitted_at="yesterday"), Export(), [], [])


def test_the_committed_fixture_holds_hashes_only(tmp_path: Path) -> None:
    export = load_export(EXPORT)
    keys = export.of("submissions.submissionapikey") + export.of("api.adminapikey")
    assert keys
    assert all(len(k.fields["key_hash"]) == 64 for k in keys)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"model": "x"}))
    with pytest.raises(ValueError, match="list"):
        load_export(bad)


LOG = "INFO 2024-06-30 23:59:59 registry.apps ready\n[2024-06-30 23:59:59,002] DEBUG cache warm\n"


def test_log_lines_around_the_json_list_are_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(LOG + EXPORT.read_text() + "\nINFO shutting down\n")
    export = load_export(path)
    assert export.skipped_lines == (2, 1)
    assert len(export.of(SUBMISSION)) == 4
    clean = tmp_path / "clean.json"
    clean.write_text(EXPORT.read_text())
    assert load_export(clean).skipped_lines == (0, 0)


def test_a_file_without_a_json_list_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text("INFO nothing was exported\n[broken\n")
    with pytest.raises(ValueError, match="no JSON list could be read"):
        load_export(path)
    path.write_text('{"model": "x"}')
    with pytest.raises(ValueError, match="must be a JSON list"):
        load_export(path)
