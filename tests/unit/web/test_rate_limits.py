"""Rate limits that let people learn: a refused registration spends the generous ``invalid``
budget, not the ``anonymous`` one, and both budgets still stop a flood."""

from __future__ import annotations

from typing import Any

from schema.settings import Settings
from tests.unit.web.conftest import VALID_CREATE, Api, build
from web.ratelimit import RateLimiter

MISSING_FIELD = {k: v for k, v in VALID_CREATE.items() if k != "date_of_entry"}
REFUSED_BY_THE_DOMAIN = {**VALID_CREATE, "service_name": "invalid"}


def _post(api: Api, body: Any) -> int:
    return api.client.post("/api/v1/submissions/", json=body).status_code


def test_fixing_a_payload_one_error_at_a_time_does_not_spend_the_create_limit() -> None:
    api = build(Settings(rate_limits="anonymous=2/minute,invalid=6/minute"))
    refused = [_post(api, body) for body in (MISSING_FIELD, REFUSED_BY_THE_DOMAIN) * 2]
    assert refused == [400, 400, 400, 400]
    broken_json = api.client.post(
        "/api/v1/submissions/", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert broken_json.status_code == 400
    assert [_post(api, VALID_CREATE) for _ in range(2)] == [201, 201]


def test_a_flood_of_invalid_registrations_is_stopped_by_its_own_budget() -> None:
    api = build(Settings(rate_limits="anonymous=100/minute,invalid=3/minute"))
    statuses = [_post(api, MISSING_FIELD) for _ in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    # The client waits before anything of it is looked at again, a valid registration too.
    limited = api.client.post("/api/v1/submissions/", json=VALID_CREATE)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1


def test_a_flood_of_valid_registrations_is_stopped_by_the_create_limit() -> None:
    api = build(Settings(rate_limits="anonymous=3/minute,invalid=100/minute"))
    assert [_post(api, VALID_CREATE) for _ in range(4)] == [201, 201, 201, 429]


def test_without_an_invalid_class_refusals_count_against_the_create_limit() -> None:
    api = build(Settings(rate_limits="anonymous=2/minute"))
    assert [_post(api, MISSING_FIELD) for _ in range(3)] == [400, 400, 429]


def test_the_shipped_limits_let_a_newcomer_fix_ten_errors_and_still_register() -> None:
    api = build(Settings())
    assert [_post(api, MISSING_FIELD) for _ in range(12)] == [400] * 12
    assert _post(api, VALID_CREATE) == 201


def test_a_released_hit_gives_its_slot_back() -> None:
    limiter = RateLimiter("anonymous=1/minute", clock=lambda: 10.0)
    stamp = limiter.hit("anonymous", "ip")
    limiter.release("anonymous", "ip", stamp)
    assert limiter.hit("anonymous", "ip") == 10.0
    limiter.record("anonymous", "ip")  # counted although over the limit, never refused
    assert len(limiter._hits[("anonymous", "ip")]) == 2
