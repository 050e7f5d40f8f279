"""The text rules over HTTP: unstorable text is a 400 naming the field (and the projections keep
following), invisible characters in names are refused, look-alike category names are
duplicates, and text that only looks like a tag comes back as it was sent."""

from __future__ import annotations

from projections.projectors import PROJECTORS
from tests.integration.web.conftest import Live


def _caught_up(live: Live) -> None:
    head = live.app.recorder.max_notification_id() or 0
    for projector in PROJECTORS:
        assert live.listener.wait_for(projector.name, head, timeout=20), projector.name


def test_a_nul_in_a_key_label_is_a_400_naming_the_label_and_nothing_stops(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/keys/"
    refused = live.client.post(
        url, json={"label": "a\u0000", "scope": "write"}, headers=live.admin()
    )
    assert refused.status_code == 400, refused.text
    assert "U+0000" in refused.json()["error"]["label"][0]
    # The projections still follow: a key issued afterwards authenticates at once.
    issued = live.client.post(url, json={"label": "CI", "scope": "read"}, headers=live.admin())
    assert issued.status_code == 201, issued.text
    key = {"Authorization": f"ApiKey {issued.json()['api_key']}"}
    assert live.client.get(f"/api/v1/submissions/{created['id']}/", headers=key).status_code == 200
    _caught_up(live)


def test_unstorable_text_in_any_field_or_comment_is_a_400_naming_it(live: Live) -> None:
    created = live.create()
    base = f"/api/v1/submissions/{created['id']}/"
    patched = live.client.patch(base, json={"comments": "ok\u0000"}, headers=live.owner(created))
    assert patched.status_code == 400, patched.text
    assert list(patched.json()["error"]) == ["comments"]
    status = live.client.post(
        base + "status/", json={"status": "approved", "comment": "fine\u0000"}, headers=live.admin()
    )
    assert status.status_code == 400, status.text
    assert list(status.json()["error"]) == ["comment"]
    category = live.client.post(
        "/api/v1/categories/", json={"name": "Nul\u0000"}, headers=live.admin()
    )
    assert category.status_code == 400, category.text
    assert list(category.json()["error"]) == ["name"]
    _caught_up(live)


def test_bidi_and_zero_width_characters_are_refused_in_names(live: Live) -> None:
    response = live.client.post(
        "/api/v1/submissions/", json=live.payload(service_name="Tool\u202egnp.exe")
    )
    assert response.status_code == 400, response.text
    assert "U+202E" in response.json()["error"]["service_name"][0]
    category = live.client.post(
        "/api/v1/categories/", json={"name": "Da\u200btabases"}, headers=live.admin()
    )
    assert category.status_code == 400
    assert "U+200B" in category.json()["error"]["name"][0]


def test_a_look_alike_of_an_existing_category_name_is_a_duplicate(live: Live) -> None:
    first = live.client.post(
        "/api/v1/categories/", json={"name": "Proteomics"}, headers=live.admin()
    )
    assert first.status_code == 201, first.text
    for lookalike in ("Prоteomics", "PROTEOMICS", "Ｐroteomics", "Proteomics  "):  # Cyrillic о
        again = live.client.post(
            "/api/v1/categories/", json={"name": lookalike}, headers=live.admin()
        )
        assert again.status_code == 400, (lookalike, again.text)
        assert "already exists" in again.json()["error"]["name"][0]


def test_text_that_only_looks_like_a_tag_is_kept_and_real_html_is_removed(live: Live) -> None:
    created = live.create(
        service_name="Tool <v2>",
        host_institute="Some Institute <Partner>",
        comments="a<x>c, x < y > z, &lt;tag&gt; and <b>bold</b>",
    )
    body = live.client.get(f"/api/v1/submissions/{created['id']}/", headers=live.owner(created))
    assert body.status_code == 200, body.text
    served = body.json()
    assert served["service_name"] == "Tool <v2>"
    assert served["host_institute"] == "Some Institute <Partner>"
    assert served["comments"] == "a<x>c, x < y > z, &lt;tag&gt; and bold"
