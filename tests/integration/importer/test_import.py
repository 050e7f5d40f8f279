"""``registry import`` of the committed export, then the real API over what it recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from projections.projectors import PROJECTORS
from tests.integration.importer.conftest import EXPORT, Live, RunImport

APPROVED = "5b000000-0000-4000-8000-0000000000a1"
SHORT_NAMES = "5b000000-0000-4000-8000-0000000000b2"
DEPRECATED = "5b000000-0000-4000-8000-0000000000c3"
REJECTED = "5b000000-0000-4000-8000-0000000000d4"

# The plaintexts whose SHA-256 hex digests the export holds (it holds no plaintext).
OWNER_WRITE = "legacy-owner-write-key-0001"
OWNER_REVOKED = "legacy-owner-revoked-key-0002"
OWNER_READ = "legacy-owner-read-key-0003"
ADMIN_FULL = "legacy-admin-full-key-0001"
ADMIN_REVOKED = "legacy-admin-revoked-key-0002"


def _synced(live: Live) -> None:
    head = live.app.recorder.max_notification_id() or 0
    for projector in PROJECTORS:
        assert live.listener.wait_for(projector.name, head, timeout=20), projector.name


def _imported(live: Live, run_import: RunImport) -> str:
    status, out = run_import()
    assert status == 0, out
    _synced(live)
    return out


def _get(live: Live, path: str, key: str, scheme: str = "ApiKey") -> Any:
    return live.client.get(path, headers={"Authorization": f"{scheme} {key}"})


def test_the_summary_counts_every_kind(live: Live, run_import: RunImport) -> None:
    out = _imported(live, run_import)
    lines = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert lines["categories"][2] == "3"
    assert lines["centres"][2] == "2"
    assert lines["pis"][2] == "3"
    assert lines["admin_keys"][2] == "2"
    assert lines["submissions"][2] == "4"
    assert lines["biotools_records"][2] == "1"
    assert "FAILED" not in out


def test_a_submission_is_served_with_its_original_data_and_times(
    live: Live, run_import: RunImport
) -> None:
    _imported(live, run_import)
    detail = _get(live, f"/api/v1/submissions/{APPROVED}/", OWNER_WRITE)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["submitted_at"] == "2023-02-01T08:00:00+00:00"
    assert body["updated_at"] == "2024-06-10T14:30:00.123000+00:00"
    assert body["status"] == "approved"
    assert body["primary_maturity_tag"] == "mature"
    assert body["secondary_maturity_tags"] == ["unstable"]
    assert body["kpi_since"] == "2020"
    assert body["submitter_last_name"] == "Lovelace"
    assert [c["id"] for c in body["service_categories"]] == [3, 5]
    assert body["biotoolsrecord"]["name"] == "Legacy Mapper"
    assert body["biotoolsrecord"]["functions"][0]["cmd"] == "mapper run"


def test_the_history_shows_the_change_log_at_its_original_times(
    live: Live, run_import: RunImport
) -> None:
    _imported(live, run_import)
    history = _get(live, f"/api/v1/submissions/{APPROVED}/history/", OWNER_WRITE)
    assert history.status_code == 200, history.text
    items = history.json()
    assert [(i["changed_by"], i["changed_at"]) for i in items[:3]] == [
        ("import", "2023-02-01T08:00:00+00:00"),
        ("admin:hanna", "2024-03-05T09:15:00+00:00"),
        ("api:Initial key", "2024-06-10T14:30:00.123000+00:00"),
    ]
    assert items[0]["changes"][0]["field"] == "import"
    # The bio.tools record came with the import (part of the imported state): no row of its own,
    # which would repeat version 3 (issue 20 item 6).
    assert len(items) == 3
    assert items[1]["changes"] == [
        {"field": "status", "label": "Status", "old": "Submitted", "new": "Approved"}
    ]
    assert items[2]["changes"][0] == {
        "field": "kpi_since",
        "label": "KPI Since",
        "old": "2019",
        "new": "2020",
    }
    assert items[2]["changes"][1]["new"] == "Lovelace"


def test_entries_recorded_after_the_import_follow_the_imported_ones(
    live: Live, run_import: RunImport
) -> None:
    _imported(live, run_import)
    patched = live.client.patch(
        f"/api/v1/submissions/{APPROVED}/",
        json={"keywords_seo": "mapping"},
        headers={"Authorization": f"ApiKey {OWNER_WRITE}"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["submitted_at"] == "2023-02-01T08:00:00+00:00"
    items = _get(live, f"/api/v1/submissions/{APPROVED}/history/", OWNER_WRITE).json()
    assert [i["changed_by"] for i in items] == [
        "import",
        "admin:hanna",
        "api:Initial key",
        "api:Initial key",
    ]
    assert items[-1]["changes"][0]["field"] == "keywords_seo"
    assert [i["version"] for i in items] == [1, 2, 3, 4]


def test_imported_keys_authenticate_and_revoked_ones_do_not(
    live: Live, run_import: RunImport
) -> None:
    _imported(live, run_import)
    url = f"/api/v1/submissions/{APPROVED}/"
    assert _get(live, url, OWNER_WRITE).status_code == 200
    assert _get(live, url, OWNER_READ).status_code == 200
    revoked = _get(live, url, OWNER_REVOKED)
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "Invalid or revoked API key."
    read_only = live.client.patch(
        url, json={"comments": "x"}, headers={"Authorization": f"ApiKey {OWNER_READ}"}
    )
    assert read_only.status_code == 403
    keys = _get(live, f"{url}keys/", ADMIN_FULL, scheme="AdminKey")
    assert keys.status_code == 200, keys.text
    listed = {k["label"]: k for k in keys.json()}
    assert listed["Initial key"]["created_at"] == "2023-02-01T08:00:01+00:00"
    assert listed["Admin key 2023-03-01 by hanna"]["is_active"] is False
    assert listed["Admin key 2023-03-01 by hanna"]["last_used_at"] == "2023-03-15T00:00:00+00:00"
    assert listed["Read only"]["scope"] == "read"


def test_imported_admin_keys_keep_working_and_revoked_ones_do_not(
    live: Live, run_import: RunImport
) -> None:
    _imported(live, run_import)
    changes = "/api/v1/changes/"
    assert _get(live, changes, ADMIN_FULL, scheme="AdminKey").status_code == 200
    assert _get(live, changes, ADMIN_REVOKED, scheme="AdminKey").status_code == 401


def test_legacy_values_are_recorded_as_the_old_system_held_them(
    live: Live, run_import: RunImport
) -> None:
    _imported(live, run_import)
    short = _get(live, f"/api/v1/submissions/{SHORT_NAMES}/", ADMIN_FULL, "AdminKey").json()
    assert short["submitter_first_name"] == "J"
    assert len(short["edam_topics"]) == 7
    assert short["licenses"] == ["GPL-3.0-only"]
    assert short["submitted_at"] == "2024-01-20T09:00:00+00:00"
    old = _get(live, f"/api/v1/submissions/{DEPRECATED}/", ADMIN_FULL, "AdminKey").json()
    assert old["status"] == "deprecated"
    assert old["license_note"] == "Legacy: weird"
    assert (old["submitter_first_name"], old["submitter_last_name"]) == ("Max", "Mustermann")
    assert old["submitter_affiliation"] == "Uni Foo"
    rejected = _get(live, f"/api/v1/submissions/{REJECTED}/", ADMIN_FULL, "AdminKey").json()
    assert rejected["licenses"] == ["GPL-3.0"]
    assert rejected["status"] == "rejected"


def test_reference_data_keeps_its_ids_and_active_flags(live: Live, run_import: RunImport) -> None:
    _imported(live, run_import)
    assert live.app.get_reference("category", 8)["is_active"] is False
    assert live.app.get_reference("category", 3)["name"] == "Data analysis"
    centre = live.app.get_reference("centre", "6f1c2d3e-0000-4000-8000-00000000c002")
    assert centre["website"] == "http://old-centre.example.org"
    assert centre["is_active"] is False
    # New categories are numbered after the imported ones.
    assert int(str(live.app.create_category({"name": "New"}, actor="admin:x").id)) == 9


def test_a_second_import_records_nothing(live: Live, run_import: RunImport) -> None:
    _imported(live, run_import)
    head = live.app.recorder.max_notification_id()
    status, out = run_import()
    assert status == 0, out
    assert live.app.recorder.max_notification_id() == head
    for line in out.splitlines()[1:]:
        assert line.split()[2] == "0", line


def test_a_dry_run_records_nothing_and_counts_what_it_would_create(
    live: Live, run_import: RunImport
) -> None:
    head = live.app.recorder.max_notification_id()
    status, out = run_import(EXPORT, "--dry-run")
    assert status == 0, out
    assert "dry run" in out
    assert "submissions       would create     4" in out
    assert live.app.recorder.max_notification_id() == head


def test_bad_records_are_reported_with_model_and_pk_and_the_rest_is_imported(
    live: Live, run_import: RunImport, tmp_path: Path
) -> None:
    objects = json.loads(EXPORT.read_text())
    broken = next(o for o in objects if o["pk"] == REJECTED)
    broken["fields"]["edam_topics"] = [99999]
    objects.append(
        {
            "model": "submissions.submissionchangelog",
            "pk": 77,
            "fields": {
                "submission": "00000000-0000-4000-8000-000000000000",
                "changed_by": "x",
                "changed_at": "2024-01-01T00:00:00Z",
                "changes": [],
            },
        }
    )
    path = tmp_path / "export.json"
    path.write_text(json.dumps(objects))
    status, out = run_import(path)
    assert status == 1
    assert f"FAILED submissions.servicesubmission {REJECTED}: edam_topics: 99999" in out
    assert "FAILED submissions.submissionchangelog 77: submission" in out
    assert "submissions       created     3" in out
    _synced(live)
    assert _get(live, f"/api/v1/submissions/{APPROVED}/", OWNER_WRITE).status_code == 200
