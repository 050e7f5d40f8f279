"""Cross-cutting behaviour: problem documents, request ids, 500s, rate limits, idempotency,
CORS, metrics, health and the documentation pages."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from schema.settings import Settings
from tests.unit.web.conftest import VALID_CREATE, Api, build
from tests.unit.web.fakes import MemoryIdempotency
from web.ratelimit import RateLimiter, parse_rates


def test_every_error_carries_a_request_id_equal_to_the_header(api: Api) -> None:
    for response in (
        api.client.get("/api/v1/nothing-here/"),
        api.client.post("/api/v1/edam/"),
        api.client.get("/api/v1/submissions/"),
    ):
        body = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert body["request_id"] == response.headers["x-request-id"]
        assert {"type", "title", "status", "detail", "error"} <= set(body)


def test_an_unexpected_failure_is_a_500_problem_with_the_request_id() -> None:
    async def boom(request: Request) -> Response:
        raise RuntimeError("secret internals")

    # An API path: the pages answer an HTML 500 page instead (tests/unit/web/ui).
    api = build(extra_routes=[Route("/api/v1/boom", boom)])
    response = api.client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert "secret" not in response.text


def test_anonymous_creation_is_limited_per_client_with_retry_after() -> None:
    api = build(Settings(rate_limits="anonymous=2/minute,key=100/minute"))
    statuses = [
        api.client.post("/api/v1/submissions/", json=VALID_CREATE).status_code for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    limited = api.client.post("/api/v1/submissions/", json=VALID_CREATE)
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["status"] == 429


def test_authenticated_calls_are_limited_per_key() -> None:
    api = build(Settings(rate_limits="key=2/minute"))
    statuses = [
        api.client.get("/api/v1/submissions/", headers=api.admin()).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert api.client.get("/api/v1/submissions/", headers=api.admin(False)).status_code == 200


def test_the_limiter_window_slides_and_off_disables_it() -> None:
    now = [0.0]
    limiter = RateLimiter("key=1/second", clock=lambda: now[0])
    limiter.hit("key", "a")
    now[0] = 1.5
    limiter.hit("key", "a")
    assert parse_rates("off") == {}


def test_a_repeated_idempotency_key_returns_the_first_response_and_creates_nothing() -> None:
    api = build(idempotency=MemoryIdempotency())
    headers = {"Idempotency-Key": "abc-123"}
    first = api.client.post("/api/v1/submissions/", json=VALID_CREATE, headers=headers)
    again = api.client.post("/api/v1/submissions/", json=VALID_CREATE, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["api_key"] == first.json()["api_key"]
    assert len(api.read.docs) == 1
    other = api.client.post(
        "/api/v1/submissions/", json={**VALID_CREATE, "comments": "x"}, headers=headers
    )
    assert other.status_code == 422


def test_a_failed_idempotent_create_can_be_retried() -> None:
    store = MemoryIdempotency()
    api = build(idempotency=store)
    headers = {"Idempotency-Key": "k"}
    body: dict[str, Any] = {**VALID_CREATE, "service_name": "invalid"}
    assert api.client.post("/api/v1/submissions/", json=body, headers=headers).status_code == 400
    assert store.rows == {}


def test_the_stored_first_response_is_not_readable_without_the_idempotency_key() -> None:
    store = MemoryIdempotency()
    api = build(idempotency=store)
    created = api.client.post(
        "/api/v1/submissions/", json=VALID_CREATE, headers={"Idempotency-Key": "k2"}
    ).json()
    ((_, sealed),) = store.rows.values()
    assert sealed is not None
    assert created["api_key"].encode() not in sealed


def test_cors_is_off_by_default_and_follows_the_allow_list() -> None:
    closed = build()
    preflight = {"Origin": "https://a.example", "Access-Control-Request-Method": "GET"}
    response = closed.client.options("/api/v1/edam/", headers=preflight)
    assert "access-control-allow-origin" not in response.headers
    opened = build(Settings(rate_limits="off", cors_origins=("https://a.example",)))
    response = opened.client.get("/api/v1/edam/", headers={"Origin": "https://a.example"})
    assert response.headers["access-control-allow-origin"] == "https://a.example"


def test_metrics_count_requests_by_route_template(api: Api) -> None:
    sid = uuid.uuid4()
    api.client.get(f"/api/v1/submissions/{sid}/", headers=api.admin())
    text = api.client.get("/metrics").text
    assert 'route="/api/v1/submissions/{id}/"' in text
    assert str(sid) not in text
    assert "registry_projection_lag_events" in text


def test_health_endpoints_still_answer(api: Api) -> None:
    assert api.client.get("/health/live/").json() == {"status": "ok"}
    assert api.client.get("/health/ready/").json() == {"status": "ok"}
    assert uuid.UUID(api.client.get("/health/live/").headers["x-request-id"])


def test_docs_pages_load_their_assets_from_this_server(api: Api) -> None:
    for page in ("/api/docs/", "/api/redoc/"):
        html = api.client.get(page).text
        assert "cdn" not in html.lower()
        for asset in (
            "/static/swagger-ui/swagger-ui-bundle.js",
            "/static/redoc/redoc.standalone.js",
        ):
            if asset in html:
                assert api.client.get(asset).status_code == 200
    assert api.client.get("/static/swagger-ui/swagger-ui.css").status_code == 200
    assert api.client.get("/static/swagger-ui/init.js").status_code == 200


def test_nul_characters_in_the_url_are_400_not_500(api: Api) -> None:
    response = api.client.get("/api/v1/licenses/?q=a%00b")
    assert response.status_code == 400
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_the_limiter_forgets_idle_identities(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.ratelimit.MAX_TRACKED", 3)
    now = [0.0]
    limiter = RateLimiter("anonymous=5/second", clock=lambda: now[0])
    for n in range(4):
        limiter.hit("anonymous", f"ip{n}")
    now[0] = 10.0
    limiter.hit("anonymous", "late")
    assert list(limiter._hits) == [("anonymous", "late")]
