"""``GET /api/v1/registration/options/``: public, only active records, revalidated by ETag."""

from __future__ import annotations

from tests.unit.web.conftest import Api

URL = "/api/v1/registration/options/"


def test_the_options_need_no_key_and_name_the_field_each_list_serves(api: Api) -> None:
    api.registry.create_category({"name": "Tools"}, actor="admin:x")
    response = api.client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["service_categories"]["field"] == "service_category_ids"
    assert body["service_categories"]["choices"] == [{"id": 1, "name": "Tools"}]
    assert body["service_centers"]["field"] == "service_center_id"
    assert body["responsible_pis"]["field"] == "responsible_pi_ids"
    assert body["edam_topics"]["search"] == "http://testserver/api/v1/edam/?branch=topic"
    assert body["edam_operations"]["max_items"] == 6
    assert body["licenses"]["search"] == "http://testserver/api/v1/licenses/"
    assert body["links"]["register"] == "http://testserver/api/v1/submissions/"


def test_an_unchanged_document_is_a_304_and_a_change_gives_a_new_etag(api: Api) -> None:
    first = api.client.get(URL)
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = api.client.get(URL, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert api.client.get(URL, headers={"If-None-Match": f'"other", W/{tag}'}).status_code == 304
    assert api.client.get(URL, headers={"If-None-Match": '"other"'}).status_code == 200

    api.registry.create_centre({"short_name": "BiGi", "full_name": "Bielefeld"}, actor="admin:x")
    changed = api.client.get(URL, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
    assert [c["short_name"] for c in changed.json()["service_centers"]["choices"]] == ["BiGi"]
