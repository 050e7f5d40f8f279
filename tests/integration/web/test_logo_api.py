"""Logos over the real app: uploaded on create and PATCH as multipart, served under /media/ with
safe headers, cleared with null, recorded in the change log, and refused as 400 naming ``logo``."""

from __future__ import annotations

import io
import re
from typing import Any

from PIL import Image

from domain.changes import EMPTY
from tests.integration.web.conftest import Live

LOGO_URL = re.compile(
    r"^http://testserver/media/logos/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"\.(png|jpg|svg)$"
)
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(2)</script><circle r='4'/></svg>"
)


def png(colour: tuple[int, int, int, int] = (0, 128, 0, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), colour).save(out, "PNG")
    return out.getvalue()


def form(live: Live, **overrides: Any) -> dict[str, Any]:
    """The create payload as form fields (lists repeat, booleans "true"/"false")."""
    data = live.payload(**overrides)
    return {k: ("true" if v is True else "false" if v is False else v) for k, v in data.items()}


def create_with_logo(live: Live, content: bytes, name: str = "logo.png") -> Any:
    return live.client.post(
        "/api/v1/submissions/", data=form(live), files={"logo": (name, content, "image/png")}
    )


def test_a_logo_uploaded_on_create_is_served_under_its_absolute_url(live: Live) -> None:
    response = create_with_logo(live, png(), name="../../etc/passwd.png")
    assert response.status_code == 201, response.text
    body = response.json()
    assert LOGO_URL.match(body["logo_url"]), body["logo_url"]
    assert body["service_categories"][0]["id"] == live.category
    assert body["kpi_start_year"] == "2021"
    served = live.client.get(body["logo_url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "max-age=31536000" in served.headers["cache-control"]
    assert Image.open(io.BytesIO(served.content)).size == (8, 8)
    detail = live.client.get(f"/api/v1/submissions/{body['id']}/", headers=live.owner(body))
    assert detail.json()["logo_url"] == body["logo_url"]


def test_a_submission_without_a_logo_has_a_null_logo_url(live: Live) -> None:
    assert live.create()["logo_url"] is None


def test_an_svg_logo_is_sanitised_and_served_with_a_restrictive_policy(live: Live) -> None:
    response = create_with_logo(live, SVG, name="logo.svg")
    assert response.status_code == 201, response.text
    url = response.json()["logo_url"]
    assert url.endswith(".svg")
    served = live.client.get(url)
    assert served.headers["content-type"].startswith("image/svg+xml")
    assert served.headers["content-security-policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'"
    )
    assert b"script" not in served.content
    assert b"onload" not in served.content
    assert b"<circle" in served.content


def test_a_logo_patched_in_keeps_approval_and_is_in_the_change_log(live: Live) -> None:
    created = live.create()
    base = f"/api/v1/submissions/{created['id']}/"
    approved = live.client.post(base + "status/", json={"status": "approved"}, headers=live.admin())
    assert approved.status_code == 200
    patched = live.client.patch(
        base, files={"logo": ("x.png", png(), "image/png")}, headers=live.owner(created)
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["status"] == "approved"
    assert LOGO_URL.match(body["logo_url"])
    basename = body["logo_url"].rsplit("/", 1)[-1]
    history = live.client.get(base + "history/", headers=live.owner(created)).json()
    logo_changes = [c for c in history[-1]["changes"] if c["field"] == "logo"]
    assert logo_changes, history[-1]
    assert logo_changes[0]["new"] == basename
    assert logo_changes[0]["old"] == EMPTY


def test_a_new_logo_replaces_the_url_and_the_old_file_is_kept(live: Live) -> None:
    created = create_with_logo(live, png()).json()
    base = f"/api/v1/submissions/{created['id']}/"
    patched = live.client.patch(
        base,
        data={"service_name": "Renamed Mapper"},
        files={"logo": ("y.png", png((255, 0, 0, 255)), "image/png")},
        headers=live.owner(created),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["service_name"] == "Renamed Mapper"
    assert patched.json()["logo_url"] != created["logo_url"]
    assert live.client.get(created["logo_url"]).status_code == 200
    assert live.media_dir is not None
    assert len(list((live.media_dir / "logos").iterdir())) == 2


def test_null_in_json_or_an_empty_form_field_clears_the_logo(live: Live) -> None:
    for clear in ({"json": {"logo": None}}, {"data": {"logo": ""}}):
        created = create_with_logo(live, png()).json()
        base = f"/api/v1/submissions/{created['id']}/"
        cleared = live.client.patch(base, headers=live.owner(created), **clear)
        assert cleared.status_code == 200, cleared.text
        assert cleared.json()["logo_url"] is None
        history = live.client.get(base + "history/", headers=live.owner(created)).json()
        change = next(c for c in history[-1]["changes"] if c["field"] == "logo")
        assert change["new"] == EMPTY


def test_a_form_encoded_create_without_files_is_accepted(live: Live) -> None:
    response = live.client.post("/api/v1/submissions/", data=form(live, register_as_elixir=True))
    assert response.status_code == 201, response.text
    assert response.json()["register_as_elixir"] is True
    assert response.json()["year_established"] == 2020


def test_bad_logos_are_400_problems_naming_the_logo(live: Live) -> None:
    good = png()
    bad = {
        "empty": b"",
        "garbage": b"GIF89a not what we take",
        "truncated png": good[: len(good) // 2],
        "svg with xxe": b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<svg>&x;</svg>",
        "not svg xml": b'<?xml version="1.0"?><html/>',
    }
    for label, content in bad.items():
        response = create_with_logo(live, content)
        assert response.status_code == 400, (label, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert "logo" in response.json()["error"], label


def test_a_string_logo_in_json_is_refused(live: Live) -> None:
    response = live.client.post(
        "/api/v1/submissions/", json=live.payload(logo="logos/../../secret.png")
    )
    assert response.status_code == 400
    assert "logo" in response.json()["error"]


def test_a_logo_over_the_limit_is_refused_naming_the_logo(live: Live) -> None:
    too_big = png() + b"\0" * (10 * 1024 * 1024)
    response = create_with_logo(live, too_big)
    assert response.status_code in (400, 413)
    assert "logo" in response.json()["error"]


def test_media_names_outside_the_logo_pattern_do_not_resolve(live: Live) -> None:
    created = create_with_logo(live, png()).json()
    name = created["logo_url"].rsplit("/", 1)[-1]
    for path in (
        "/media/../pyproject.toml",
        "/media/logos/..%2F..%2Fpyproject.toml",
        f"/media/logos/{name}/",
        f"/media/other/{name}",
        "/media/logos/not-a-uuid.png",
    ):
        response = live.client.get(path)
        assert response.status_code == 404, path


def test_malformed_form_bodies_are_4xx_never_a_5xx(live: Live) -> None:
    bodies = [
        ("multipart/form-data", b"no boundary declared"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data\r\n\r\n"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\ngarbage without a blank line"),
        ("multipart/form-data; boundary=xyz", b"\x00\xff" * 100),
        ("application/x-www-form-urlencoded", b"%%%&&&===\xff\xfe"),
        ("application/x-www-form-urlencoded", b"year_established=abc&year_established=1"),
        ("text/plain", b"logo=1"),
    ]
    for content_type, body in bodies:
        response = live.client.post(
            "/api/v1/submissions/", content=body, headers={"Content-Type": content_type}
        )
        assert 400 <= response.status_code < 500, (content_type, body, response.text)


def test_two_logo_files_or_a_file_in_another_field_are_refused(live: Live) -> None:
    two = live.client.post(
        "/api/v1/submissions/",
        data=form(live),
        files=[("logo", ("a.png", png(), "image/png")), ("logo", ("b.png", png(), "image/png"))],
    )
    assert two.status_code == 400
    other = live.client.post(
        "/api/v1/submissions/",
        data=form(live),
        files={"service_name": ("a.png", png(), "image/png")},
    )
    assert other.status_code == 400
    assert "service_name" in other.json()["error"]
