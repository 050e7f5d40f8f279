"""Issue 20: an export with the awkward cases of a real migration imports whole, exit 0, every
text value equal to the old system's, logos served, stale bio.tools records present and marked,
histories numbered strictly upwards (``awkward`` builds the export and the media folder)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.fields import CONTENT_FIELDS
from projections.projectors import PROJECTORS
from registry.cli import main
from tests.integration.importer import awkward
from tests.integration.importer.awkward import Awkward
from tests.integration.importer.conftest import Live, live

__all__ = ["live"]

Run = Callable[..., tuple[int, str, str]]
TEXT_FIELDS = [n for n, kind in CONTENT_FIELDS.items() if kind in ("text", "plain")]
RENAMED = {"kpi_since": "kpi_start_year"}


@pytest.fixture
def export(tmp_path: Path) -> Awkward:
    old = tmp_path / "old-system"  # not tmp_path/media, where ``live`` keeps its store
    old.mkdir()
    return awkward.build(old)


@pytest.fixture
def run(
    live: Live,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    """``registry import …`` on the test database, storing media where ``live`` serves them:
    ``(exit status, stdout, stderr)``."""
    monkeypatch.setenv("REGISTRY_DATABASE_URL", database_url)
    monkeypatch.setenv("REGISTRY_MEDIA_DIR", str(live.media_dir))
    monkeypatch.setenv("REGISTRY_RATE_LIMITS", "off")

    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = main(["import", *args])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return invoke


def _synced(live: Live) -> None:
    head = live.app.recorder.max_notification_id() or 0
    for projector in PROJECTORS:
        assert live.listener.wait_for(projector.name, head, timeout=20), projector.name


def _imported(live: Live, run: Run, export: Awkward) -> str:
    status, out, err = run(str(export.path), "--media", str(export.media))
    assert status == 0, out + err
    _synced(live)
    return out


def _admin(live: Live, path: str) -> Any:
    response = live.client.get(path, headers={"Authorization": f"AdminKey {awkward.ADMIN_KEY}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_leading_log_line_is_skipped_with_a_warning_naming_the_count(
    live: Live, run: Run, export: Awkward
) -> None:
    status, out, err = run(str(export.path), "--media", str(export.media))
    assert status == 0, out + err
    assert "skipped 1 line(s) before and 0 after the JSON list" in err
    assert "-o FILE" in err


def test_the_summary_counts_every_model_and_says_what_needs_a_look(
    live: Live, run: Run, export: Awkward
) -> None:
    out = _imported(live, run, export)
    counts = {line.split()[0]: line.split()[2] for line in out.splitlines()[1:7]}
    assert counts == {
        "categories": "2",
        "centres": "2",
        "pis": "3",
        "admin_keys": "1",
        "submissions": "4",
        "biotools_records": "3",
    }
    assert "FAILED" not in out
    assert "STALE biotools.biotoolsrecord ac000000-0000-4000-8000-0000000000b2" in out
    assert "the submission now links no_such_tool_xyz" in out
    assert "the submission now links no bio.tools entry" in out
    assert f"LOGO submissions.servicesubmission {awkward.MISSING_LOGO}" in out


def test_every_text_value_is_recorded_verbatim(live: Live, run: Run, export: Awkward) -> None:
    _imported(live, run, export)
    for pk in (awkward.RICH, awkward.STALE, awkward.MISSING_LOGO, awkward.UNLINKED):
        old = export.fields(pk)
        stored = live.app.get_submission(UUID(pk)).values
        for name in TEXT_FIELDS:
            if name == "logo" or RENAMED.get(name, name) not in old:
                continue  # the logo is a file (below); fields the old system never had
            assert stored[name] == old[RENAMED.get(name, name)], (pk, name)
    served = _admin(live, f"/api/v1/submissions/{awkward.RICH}/")
    for name in ("service_name", "service_description", "host_institute", "comments"):
        assert served[name] == awkward.RICH_TEXT[name], name
    assert served["kpi_since"] == "2019 <approx.>"
    pi = live.app.get_reference("pi", awkward.PI_SCRIPT)
    assert (pi["last_name"], pi["first_name"]) == ("<script>alert(1)</script>", "&lt;tag&gt;")
    assert pi["institute"] == "Some Institute <Partner>"
    assert live.app.get_reference("category", 8)["name"] == "Training <old>"
    assert live.app.get_reference("centre", awkward.CENTRE)["full_name"] == (
        "Bielefeld-Gießen <CeBiTec>"
    )
    labels = {k["label"] for k in _admin(live, f"/api/v1/submissions/{awkward.RICH}/keys/")}
    assert labels == {"Initial key <ci>"}


def test_history_and_current_state_agree_and_versions_rise_strictly(
    live: Live, run: Run, export: Awkward
) -> None:
    _imported(live, run, export)
    items = _admin(live, f"/api/v1/submissions/{awkward.RICH}/history/")
    versions = [item["version"] for item in items]
    assert versions == sorted(set(versions)), versions
    assert items[-1]["changes"][0]["new"] == "Tool <v5>"
    assert [i["changes"][0]["old"] for i in items[1:]] == [f"Tool <v{n}>" for n in range(5)]
    for pk in (awkward.STALE, awkward.UNLINKED):
        versions = [i["version"] for i in _admin(live, f"/api/v1/submissions/{pk}/history/")]
        assert versions == sorted(set(versions)), (pk, versions)


def test_logos_are_stored_through_the_media_store_and_served(
    live: Live, run: Run, export: Awkward
) -> None:
    _imported(live, run, export)
    png = _admin(live, f"/api/v1/submissions/{awkward.RICH}/")["logo_url"]
    assert png.endswith(awkward.PNG_LOGO)  # the old name, so old links keep working
    served = live.client.get(f"/media/{awkward.PNG_LOGO}")
    assert served.status_code == 200
    assert served.content.startswith(b"\x89PNG")
    assert awkward.PNG_METADATA in (export.media / awkward.PNG_LOGO).read_bytes()
    assert awkward.PNG_METADATA not in served.content  # re-encoded like an upload
    svg = live.client.get(f"/media/{awkward.SVG_LOGO}")
    assert svg.status_code == 200
    assert b"<script" not in svg.content
    assert b"onclick" not in svg.content
    assert b"<rect" in svg.content
    lost = _admin(live, f"/api/v1/submissions/{awkward.MISSING_LOGO}/")
    assert lost["logo_url"] is None
    assert lost["service_name"] == "Lost Logo Tool"


def test_an_export_with_logos_needs_the_media_folder_or_an_explicit_choice(
    live: Live, run: Run, export: Awkward
) -> None:
    head = live.app.recorder.max_notification_id()
    status, _, err = run(str(export.path))
    assert status == 2
    assert "references 3 logo(s): pass --media DIR" in err
    assert live.app.recorder.max_notification_id() == head
    status, out, err = run(str(export.path), "--without-logos")
    assert status == 0, out + err
    _synced(live)
    assert _admin(live, f"/api/v1/submissions/{awkward.RICH}/")["logo_url"] is None


def test_stale_biotools_records_are_imported_marked_and_a_rerun_records_nothing(
    live: Live, run: Run, export: Awkward
) -> None:
    _imported(live, run, export)
    stale = _admin(live, f"/api/v1/submissions/{awkward.STALE}/")["biotoolsrecord"]
    assert stale["biotools_id"] == "blast"
    assert stale["name"] == "BLAST"
    assert stale["sync_error"].startswith("Stale: imported from the existing system")
    assert "now links no_such_tool_xyz" in stale["sync_error"]
    fresh = _admin(live, f"/api/v1/submissions/{awkward.RICH}/")["biotoolsrecord"]
    assert fresh["name"] == "Awkward <Mapper>"
    assert fresh["sync_error"] == ""
    assert fresh["last_synced_at"] == "2022-11-05T07:06:05.432000+00:00"
    head = live.app.recorder.max_notification_id()
    status, out, err = run(str(export.path), "--media", str(export.media))
    assert status == 0, out + err
    assert live.app.recorder.max_notification_id() == head
    assert "STALE" not in out


def test_the_next_sync_replaces_a_stale_record(live: Live, run: Run, export: Awkward) -> None:
    _imported(live, run, export)
    sid = UUID(awkward.STALE)
    outcome = live.app.record_biotools_sync(
        sid, "no_such_tool_xyz", {"biotools_id": "no_such_tool_xyz", "name": "Moved"}
    )
    assert outcome.recorded
    _synced(live)
    record = _admin(live, f"/api/v1/submissions/{awkward.STALE}/")["biotoolsrecord"]
    assert (record["biotools_id"], record["name"], record["sync_error"]) == (
        "no_such_tool_xyz",
        "Moved",
        "",
    )


def test_edam_terms_stay_in_the_field_they_were_in_with_the_loaded_edam_branch(
    live: Live, run: Run, export: Awkward
) -> None:
    _imported(live, run, export)
    served = _admin(live, f"/api/v1/submissions/{awkward.RICH}/")
    topics = {t["accession"]: t for t in served["edam_topics"]}
    assert len(topics) == 8
    assert topics["operation_0292"]["branch"] == "operation"
    assert topics["topic_0003"]["accession"] == "topic_0003"  # obsolete, still kept
    assert served["licenses"] == ["GPL-3.0"]  # deprecated, still kept
    # The owner may still edit another field (issue 20 item 4's rule is the catalogue's; the
    # import records the terms as they were).
    patched = live.client.patch(
        f"/api/v1/submissions/{awkward.RICH}/",
        json={"keywords_seo": "mapping"},
        headers={"Authorization": f"ApiKey {awkward.OWNER_KEY}"},
    )
    assert patched.status_code in (200, 400), patched.text
    if patched.status_code == 200:
        assert len(patched.json()["edam_topics"]) == 8


def test_a_record_with_text_postgresql_cannot_store_is_refused_with_its_field(
    live: Live, run: Run, export: Awkward, tmp_path: Path
) -> None:
    objects = json.loads(export.path.read_text().split("\n", 1)[1])
    rich = next(o for o in objects if o["pk"] == awkward.UNLINKED)
    rich["fields"]["comments"] = "nul\u0000"
    path = tmp_path / "nul.json"
    path.write_text(json.dumps(objects))
    status, out, err = run(str(path), "--media", str(export.media))
    assert status == 1, out + err
    assert (
        f"FAILED submissions.servicesubmission {awkward.UNLINKED}: comments: Contains U+0000" in out
    )
    assert "submissions       created     3" in out


def test_a_dry_run_checks_the_logos_and_stores_nothing(
    live: Live, run: Run, export: Awkward
) -> None:
    head = live.app.recorder.max_notification_id()
    status, out, err = run(str(export.path), "--media", str(export.media), "--dry-run")
    assert status == 0, out + err
    assert "submissions       would create     4" in out
    assert f"LOGO submissions.servicesubmission {awkward.MISSING_LOGO}" in out
    assert "STALE" in out
    assert live.app.recorder.max_notification_id() == head
    assert not list((live.media_dir or Path()).glob("logos/*"))
