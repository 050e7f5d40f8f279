"""Erasure over the real app on PostgreSQL (issue 12 item 2, issue 13 item 6, decision 9).

After ``POST /api/v1/submissions/{id}/erase/`` no personal value of the submission is left in
any table of the database (every column of every table read raw) nor in the media store; its
history, ``as_of`` reads and the change feed show them as ``[erased]`` while everything else
stays; every read of it answers 410; a repeat of its ``Idempotency-Key`` answers 410.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from PIL import Image
from psycopg import sql
from starlette.testclient import TestClient

from tests.integration.web.conftest import Live

IP = "198.51.100.77"
USER_AGENT = "ErasureProbe/7.3 (Zwackelmann-Workstation)"
PERSONAL = {
    "submitter_first_name": "Wilhelmina",
    "submitter_last_name": "Zwackelmann",
    "submitter_affiliation": "Quuxtronics Institute",
    "internal_contact_name": "Wilhelmina Zwackelmann",
    "internal_contact_email": "w.zwackelmann@quuxtronics.example.net",
    "public_contact_email": "desk-7731@quuxtronics.example.net",
    "comments": "Call Wilhelmina on +49 521 555 0199 after five.",
}
LATER = {
    "internal_contact_name": "Bartholomew Quendel",
    "comments": "Bartholomew Quendel takes over; his mobile is +49 170 555 0123.",
}
STATUS_MESSAGE = "Dear Wilhelmina Zwackelmann, approved with thanks."
REASON = "GDPR request 2026-117"


def probe_client(live: Live) -> TestClient:
    """A client connecting from ``IP`` with ``USER_AGENT`` (as a browser would)."""
    return TestClient(
        live.client.app,
        client=(IP, 50123),
        headers={"User-Agent": USER_AGENT},
        raise_server_exceptions=False,
    )


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 128, 0, 255)).save(out, "PNG")
    return out.getvalue()


def register(live: Live, client: TestClient, idempotency_key: str) -> dict[str, Any]:
    data = live.payload(**PERSONAL)
    fields = {k: ("true" if v is True else "false" if v is False else v) for k, v in data.items()}
    response = client.post(
        "/api/v1/submissions/",
        data=fields,
        files={"logo": ("logo.png", png(), "image/png")},
        headers={"Idempotency-Key": idempotency_key},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def personal_values(created: dict[str, Any]) -> dict[str, str]:
    """Every personal value the registry was given about the submission, by what it is."""
    return {
        **PERSONAL,
        **{f"later {k}": v for k, v in LATER.items()},
        "status message": STATUS_MESSAGE,
        "ip": IP,
        "user agent": USER_AGENT,
        "user agent hash": hashlib.sha256(USER_AGENT.encode()).hexdigest(),
        "plaintext key": created["api_key"],
    }


def database_dump(url: str) -> bytes:
    """Every value of every column of every table (views excluded), bytea raw, JSON as text."""
    out: list[bytes] = []
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        assert len(tables) > 10, tables
        for schema, table in tables:
            query = sql.SQL("SELECT * FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            for row in conn.execute(query):
                for value in row:
                    out.append(_bytes(value))
    return b"\n".join(out)


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes | memoryview):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str).encode()
    return str(value).encode()


def media_dump(root: Path) -> bytes:
    files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    return b"\n".join(p.read_bytes() for p in files)


def found_in(blob: bytes, values: dict[str, str]) -> list[str]:
    """The names of the values ``blob`` holds, as such or JSON-escaped."""
    hits = []
    for name, value in values.items():
        forms = {value.encode(), json.dumps(value)[1:-1].encode()}
        if any(form in blob for form in forms):
            hits.append(name)
    return hits


def history(live: Live, sid: str) -> list[dict[str, Any]]:
    response = live.client.get(f"/api/v1/submissions/{sid}/history/", headers=live.admin(False))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def feed_of(live: Live, sid: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    url: str | None = "/api/v1/changes/?limit=1000"
    while url:
        page = live.client.get(url, headers=live.admin(False)).json()
        rows += [r for r in page["results"] if r["id"] == sid]
        url = page["next"]
    return rows


def test_after_erasure_no_personal_value_is_left_in_the_database_or_the_media_store(
    live: Live,
) -> None:
    client = probe_client(live)
    created = register(live, client, "erasure-probe-1")
    sid = created["id"]
    owner = live.owner(created)
    patched = client.patch(f"/api/v1/submissions/{sid}/", json=LATER, headers=owner)
    assert patched.status_code == 200, patched.text
    approved = live.client.post(
        f"/api/v1/submissions/{sid}/status/",
        json={"status": "approved", "comment": STATUS_MESSAGE},
        headers=live.admin(),
    )
    assert approved.status_code == 200, approved.text
    as_of_before = approved.json()["updated_at"]
    values = personal_values(created)
    before = database_dump(live.database_url) + media_dump(live.media_dir or Path("/nonexistent"))
    # Read tables hold names before: the search finds what it looks for. The IP, the UA hash
    # and the key are never in clear, not even before.
    assert {"submitter_last_name", "later internal_contact_name"} <= set(found_in(before, values))
    assert not {"ip", "user agent", "user agent hash", "plaintext key"} & set(
        found_in(before, values)
    )

    erased = live.client.post(
        f"/api/v1/submissions/{sid}/erase/", json={"reason": REASON}, headers=live.admin()
    )

    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["id"] == sid
    assert body["erased"] is True
    assert body["erased_by"] == "admin:ops"
    assert body["reason"] == REASON
    assert found_in(database_dump(live.database_url), values) == []
    assert found_in(media_dump(live.media_dir or Path("/nonexistent")), values) == []

    # The history keeps who changed what when; personal values read [erased].
    items = history(live, sid)
    assert [i["changed_by"] for i in items][:2] == ["submitter", "submitter"]
    changes = {(c["field"], c["new"]) for i in items for c in i["changes"]}
    assert ("internal_contact_name", "[erased]") in changes
    assert ("comments", "[erased]") in changes
    assert ("status", "Approved") in changes
    assert ("erasure", REASON) in changes
    assert items[-1]["changed_by"] == "admin:ops"
    assert found_in(json.dumps(items).encode(), values) == []
    # The change feed too.
    feed = feed_of(live, sid)
    assert [r["type"] for r in feed][-1] == "Erased"
    assert found_in(json.dumps(feed).encode(), values) == []
    # As of an instant before the erasure: the state then, personal values erased.
    past = live.client.get(
        f"/api/v1/submissions/{sid}/", params={"as_of": as_of_before}, headers=live.admin(False)
    )
    assert past.status_code == 200, past.text
    assert past.json()["service_name"] == "Sequence Mapper"
    assert past.json()["status"] == "approved"
    assert past.json()["submitter_last_name"] == "[erased]"
    assert past.json()["comments"] == "[erased]"
    assert found_in(past.content, values) == []


def test_every_read_and_command_on_an_erased_submission_answers_410(live: Live) -> None:
    created = live.create()
    sid = created["id"]
    assert (
        live.client.post(f"/api/v1/submissions/{sid}/erase/", headers=live.admin()).json()["reason"]
        == ""
    )
    admin = live.admin()
    base = f"/api/v1/submissions/{sid}/"
    answers = {
        "detail": live.client.get(base, headers=admin),
        "as_of now": live.client.get(
            base, params={"as_of": "2999-01-01T00:00:00+00:00"}, headers=admin
        ),
        "patch": live.client.patch(base, json={"service_name": "Back"}, headers=admin),
        "status": live.client.post(base + "status/", json={"status": "approved"}, headers=admin),
        "keys": live.client.get(base + "keys/", headers=admin),
        "new key": live.client.post(base + "keys/", json={"label": "x"}, headers=admin),
        "erase again": live.client.post(base + "erase/", headers=admin),
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 410)
    problem = answers["detail"].json()
    assert problem["type"].endswith("/erased")
    assert problem["detail"] == "This submission was erased."
    # The owner's key is gone with the submission; another id is still a 404.
    assert live.client.get(base, headers=live.owner(created)).status_code == 401
    unknown = "/api/v1/submissions/00000000-0000-4000-8000-000000000000/"
    assert live.client.get(unknown, headers=admin).status_code == 404
    assert live.client.post(unknown + "erase/", headers=admin).status_code == 404
    # Gone from every list.
    listing = live.client.get("/api/v1/submissions/", headers=admin).json()
    assert sid not in [item["id"] for item in listing["results"]]


def test_erasing_twice_records_nothing(live: Live) -> None:
    sid = live.create()["id"]
    assert live.client.post(f"/api/v1/submissions/{sid}/erase/", headers=live.admin()).is_success
    head = live.app.recorder.max_notification_id()
    again = live.client.post(f"/api/v1/submissions/{sid}/erase/", headers=live.admin())
    assert again.status_code == 410
    assert live.app.recorder.max_notification_id() == head
    assert [i["changed_by"] for i in history(live, sid)].count("admin:ops") == 1


def test_only_a_full_admin_key_erases(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/erase/"
    assert live.client.post(url).status_code == 401
    assert live.client.post(url, headers=live.admin(full=False)).status_code == 403
    assert live.client.post(url, headers=live.owner(created)).status_code == 403
    detail = live.client.get(f"/api/v1/submissions/{created['id']}/", headers=live.admin())
    assert detail.status_code == 200


def test_a_bad_erasure_body_is_a_400_naming_the_field_and_records_nothing(live: Live) -> None:
    sid = live.create()["id"]
    url = f"/api/v1/submissions/{sid}/erase/"
    head = live.app.recorder.max_notification_id()
    too_long = live.client.post(url, json={"reason": "x" * 2001}, headers=live.admin())
    assert too_long.status_code == 400
    assert "reason" in too_long.json()["errors"]
    unknown = live.client.post(url, json={"why": "no"}, headers=live.admin())
    assert unknown.status_code == 400
    assert "why" in unknown.json()["errors"]
    assert live.app.recorder.max_notification_id() == head
    assert live.client.get(f"/api/v1/submissions/{sid}/", headers=live.admin()).status_code == 200


def test_a_repeat_of_the_registrations_idempotency_key_after_erasure_answers_410(
    live: Live,
) -> None:
    client = probe_client(live)
    created = register(live, client, "erasure-probe-2")
    sid = UUID(created["id"])
    with psycopg.connect(live.database_url) as conn:
        kept = conn.execute(
            "SELECT response IS NOT NULL FROM idempotency_keys WHERE submission_id = %s", (sid,)
        ).fetchall()
    assert kept == [(True,)]
    assert live.client.post(f"/api/v1/submissions/{sid}/erase/", headers=live.admin()).is_success

    with psycopg.connect(live.database_url) as conn:
        kept = conn.execute(
            "SELECT response FROM idempotency_keys WHERE submission_id = %s", (sid,)
        ).fetchall()
    assert kept == [(None,)]
    heads = live.app.recorder.max_notification_id()
    repeat = register_again(live, client, "erasure-probe-2")
    assert repeat.status_code == 410
    assert created["api_key"] not in repeat.text
    assert PERSONAL["submitter_last_name"] not in repeat.text
    assert live.app.recorder.max_notification_id() == heads


def register_again(live: Live, client: TestClient, idempotency_key: str) -> Any:
    data = live.payload(**PERSONAL)
    fields = {k: ("true" if v is True else "false" if v is False else v) for k, v in data.items()}
    return client.post(
        "/api/v1/submissions/",
        data=fields,
        files={"logo": ("logo.png", png(), "image/png")},
        headers={"Idempotency-Key": idempotency_key},
    )
