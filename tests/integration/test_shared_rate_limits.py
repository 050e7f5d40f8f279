"""Rate limits shared by every process and host (issue 18): two apps over one store allow the
limit once between them, in Redis and in PostgreSQL; rotating ``X-Forwarded-For`` from an
untrusted address escapes nothing; an unreachable store lets calls through."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool
from starlette.testclient import TestClient

from projections.projector import DDL_ROOT
from projections.ratelimits import PostgresRateLimitStorage
from registry.webapp import rate_limiter
from schema.settings import Settings
from tests.e2e.conftest import claimed_redis_db
from tests.unit.web.conftest import VALID_CREATE, Api, build
from web.ratelimit import RateLimiter, SharedRateLimiter, redis_storage

LIMITS = "anonymous=3/minute,invalid=5/minute,key=2/minute"


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A claimed Redis database (the counts this test made are deleted with the claim)."""
    with claimed_redis_db() as url:
        yield url


@pytest.fixture
def pools(database_url: str) -> Iterator[tuple[ConnectionPool[Any], ConnectionPool[Any]]]:
    """Two pools on one database with ``rate_limit_windows``: two processes' registry pools."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute((DDL_ROOT / "rate_limit_windows" / "v1.sql").read_text())
    first = ConnectionPool(database_url, min_size=1, max_size=2, open=True)
    second = ConnectionPool(database_url, min_size=1, max_size=2, open=True)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def _two_hosts(first: SharedRateLimiter, second: SharedRateLimiter) -> tuple[Api, Api]:
    settings = Settings(rate_limits=LIMITS)
    a, b = build(settings, limiter=first), build(settings, limiter=second)
    b.read.keys = a.read.keys  # one database: a key has the same id on every host
    return a, b


def _create(api: Api, client: str, forwarded: str | None = None) -> int:
    peer = TestClient(api.client.app, client=(client, 4321), raise_server_exceptions=False)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return peer.post("/api/v1/submissions/", json=VALID_CREATE, headers=headers).status_code


def _alternating_creates(a: Api, b: Api, client: str, n: int) -> list[int]:
    return [_create(a if i % 2 == 0 else b, client) for i in range(n)]


def test_two_apps_sharing_redis_allow_the_anonymous_limit_once(redis_url: str) -> None:
    a, b = _two_hosts(
        SharedRateLimiter(LIMITS, redis_storage(redis_url)),
        SharedRateLimiter(LIMITS, redis_storage(redis_url)),
    )
    assert _alternating_creates(a, b, "192.0.2.10", 5) == [201, 201, 201, 429, 429]
    limited = TestClient(b.client.app, client=("192.0.2.10", 1)).post(
        "/api/v1/submissions/", json=VALID_CREATE
    )
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # Another client still has its whole budget, on either app.
    assert _alternating_creates(b, a, "192.0.2.11", 3) == [201, 201, 201]


def test_two_apps_sharing_redis_allow_a_key_its_limit_once(redis_url: str) -> None:
    a, b = _two_hosts(
        SharedRateLimiter(LIMITS, redis_storage(redis_url)),
        SharedRateLimiter(LIMITS, redis_storage(redis_url)),
    )
    headers = a.admin()
    statuses = [
        api.client.get("/api/v1/submissions/", headers=headers).status_code for api in (a, b, a)
    ]
    assert statuses == [200, 200, 429]


def test_rotating_forwarded_for_from_an_untrusted_address_escapes_no_shared_limit(
    redis_url: str,
) -> None:
    a, b = _two_hosts(
        SharedRateLimiter(LIMITS, redis_storage(redis_url)),
        SharedRateLimiter(LIMITS, redis_storage(redis_url)),
    )
    statuses = [
        _create(a if n % 2 else b, "198.51.100.20", forwarded=f"203.0.113.{n}") for n in range(5)
    ]
    assert statuses == [201, 201, 201, 429, 429]


def test_refused_registrations_move_to_the_invalid_budget_in_the_shared_store(
    redis_url: str,
) -> None:
    a, b = _two_hosts(
        SharedRateLimiter(LIMITS, redis_storage(redis_url)),
        SharedRateLimiter(LIMITS, redis_storage(redis_url)),
    )
    broken = {k: v for k, v in VALID_CREATE.items() if k != "date_of_entry"}
    peer = [TestClient(api.client.app, client=("192.0.2.30", 1)) for api in (a, b)]
    refused = [peer[n % 2].post("/api/v1/submissions/", json=broken).status_code for n in range(4)]
    assert refused == [400, 400, 400, 400]
    # The refusals went to `invalid` (5), not `anonymous` (3): the create budget is left.
    assert _alternating_creates(a, b, "192.0.2.30", 2) == [201, 201]
    assert peer[0].post("/api/v1/submissions/", json=broken).status_code == 400
    # `invalid` is spent now, on both apps: nothing of this client is looked at.
    assert peer[1].post("/api/v1/submissions/", json=broken).status_code == 429
    assert _create(a, "192.0.2.30") == 429


def test_two_processes_sharing_postgresql_allow_the_limit_once(
    pools: tuple[ConnectionPool[Any], ConnectionPool[Any]],
) -> None:
    first, second = pools
    a, b = _two_hosts(
        SharedRateLimiter(LIMITS, PostgresRateLimitStorage(first)),
        SharedRateLimiter(LIMITS, PostgresRateLimitStorage(second)),
    )
    assert _alternating_creates(a, b, "192.0.2.40", 5) == [201, 201, 201, 429, 429]
    assert _alternating_creates(b, a, "192.0.2.41", 3) == [201, 201, 201]
    with first.connection() as conn:
        rows = conn.execute("SELECT hits FROM rate_limit_windows ORDER BY key").fetchall()
    assert sorted(hits for (hits,) in rows) == [3, 5]  # refused hits count in a fixed window


def test_a_window_in_postgresql_starts_again_once_it_has_ended(
    pools: tuple[ConnectionPool[Any], ConnectionPool[Any]],
) -> None:
    storage = PostgresRateLimitStorage(pools[0])
    assert storage.incr("k", 60) == 1
    assert storage.incr("k", 60, amount=2) == 3
    assert storage.get("k") == 3
    with pools[0].connection() as conn:
        conn.execute("UPDATE rate_limit_windows SET expires_at = now() - interval '1 second'")
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1
    storage.clear("k")
    assert storage.get("k") == 0


def test_an_unreachable_store_lets_calls_through() -> None:
    # Nothing listens on port 1: every store call fails at once.
    api = build(
        Settings(rate_limits=LIMITS),
        limiter=SharedRateLimiter(LIMITS, redis_storage("redis://127.0.0.1:1/0")),
    )
    assert [_create(api, "192.0.2.50") for _ in range(4)] == [201, 201, 201, 201]


def test_the_store_follows_the_settings(pools: tuple[ConnectionPool[Any], Any]) -> None:
    pool = pools[0]
    assert isinstance(rate_limiter(Settings(), pool), RateLimiter)
    redis_broker = Settings(broker_url="redis://127.0.0.1:6379/9")
    assert redis_broker.limit_storage == "redis://127.0.0.1:6379/9"
    assert isinstance(rate_limiter(redis_broker, pool), SharedRateLimiter)
    database = rate_limiter(Settings(rate_limit_storage="database"), pool)
    assert isinstance(database, SharedRateLimiter)
    assert isinstance(database.storage, PostgresRateLimitStorage)
    forced = Settings(broker_url="redis://127.0.0.1:6379/9", rate_limit_storage="memory")
    assert isinstance(rate_limiter(forced, pool), RateLimiter)
