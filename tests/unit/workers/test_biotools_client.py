"""The bio.tools client against an injected `httpx.MockTransport`: results and typed errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from domain.errors import RegistryError
from workers.biotools_client import (
    DEFAULT_RETRY_AFTER,
    MAX_RETRY_AFTER,
    BioToolsClient,
    BioToolsInvalidResponse,
    BioToolsNotFound,
    BioToolsRateLimited,
    BioToolsUnavailable,
    RetryPolicy,
    parse_retry_after,
)

FIXTURES = Path(__file__).resolve().parents[3] / "bench" / "fixtures" / "biotools"
Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler) -> BioToolsClient:
    return BioToolsClient("https://bio.tools/api", transport=httpx.MockTransport(handler))


def _fixture_handler(request: httpx.Request) -> httpx.Response:
    wanted = request.url.path.rstrip("/").rsplit("/", 1)[-1].casefold()
    for path in FIXTURES.glob("*.json"):
        if path.stem.casefold() == wanted:
            return httpx.Response(200, content=path.read_bytes())
    return httpx.Response(404, json={"detail": "Not found."})


def test_a_tool_is_fetched_with_the_documented_request() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _fixture_handler(request)

    with _client(handler) as client:
        fetched = client.fetch("mmseqs2")
    assert fetched.biotools_id == "MMseqs2"
    assert fetched.record["biotools_id"] == "MMseqs2"
    assert fetched.raw["biotoolsCURIE"] == "biotools:MMseqs2"
    request = seen[0]
    assert str(request.url) == "https://bio.tools/api/tool/mmseqs2/?format=json"
    assert request.headers["Accept"] == "application/json"
    assert "denbi" in request.headers["User-Agent"]


def test_an_unknown_tool_raises_not_found() -> None:
    with _client(_fixture_handler) as client, pytest.raises(BioToolsNotFound) as caught:
        client.fetch("no-such-tool")
    assert "no-such-tool" in str(caught.value)
    assert isinstance(caught.value, RegistryError)


def test_an_invalid_id_is_not_found_without_a_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    with _client(handler) as client, pytest.raises(BioToolsNotFound):
        client.fetch("not/an id")


def test_429_raises_rate_limited_with_the_retry_after_seconds() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "7"})

    with _client(handler) as client, pytest.raises(BioToolsRateLimited) as caught:
        client.fetch("blast")
    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_raises_unavailable(status: int) -> None:
    with (
        _client(lambda request: httpx.Response(status)) as client,
        pytest.raises(BioToolsUnavailable) as caught,
    ):
        client.fetch("blast")
    assert str(status) in str(caught.value)


def test_a_connection_error_raises_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with _client(handler) as client, pytest.raises(BioToolsUnavailable):
        client.fetch("blast")


def test_a_read_timeout_raises_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with _client(handler) as client, pytest.raises(BioToolsUnavailable) as caught:
        client.fetch("blast")
    assert "timeout" in str(caught.value)


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[1, 2]"])
def test_a_200_that_is_not_a_tool_object_raises_invalid_response(body: bytes) -> None:
    with (
        _client(lambda request: httpx.Response(200, content=body)) as client,
        pytest.raises(BioToolsInvalidResponse),
    ):
        client.fetch("blast")


def test_transient_failures_are_retried_until_success() -> None:
    answers = [httpx.Response(500), httpx.Response(429, headers={"Retry-After": "2"})]
    slept: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0) if answers else _fixture_handler(request)

    with _client(handler) as client:
        fetched = client.fetch_with_retry("blast", RetryPolicy(attempts=3), sleep=slept.append)
    assert fetched.biotools_id == "blast"
    assert len(slept) == 2
    assert slept[1] == 2.0


def test_retries_stop_after_the_last_attempt() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503)

    with _client(handler) as client, pytest.raises(BioToolsUnavailable):
        client.fetch_with_retry("blast", RetryPolicy(attempts=4), sleep=lambda s: None)
    assert len(calls) == 4


def test_not_found_is_never_retried() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404, json={"detail": "Not found."})

    with _client(handler) as client, pytest.raises(BioToolsNotFound):
        client.fetch_with_retry("blast", RetryPolicy(attempts=5), sleep=lambda s: None)
    assert calls == [1]


def test_a_retry_after_longer_than_the_policy_allows_is_raised_not_slept() -> None:
    slept: list[float] = []
    with (
        _client(lambda r: httpx.Response(429, headers={"Retry-After": "600"})) as client,
        pytest.raises(BioToolsRateLimited),
    ):
        client.fetch_with_retry("blast", RetryPolicy(max_delay=30), sleep=slept.append)
    assert slept == []


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    assert 1.0 <= policy.backoff(1) <= 1.5
    assert 2.0 <= policy.backoff(2) <= 3.0
    assert policy.backoff(10) == 5.0


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:10 GMT", now=now) == 10.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after(None) == DEFAULT_RETRY_AFTER
    assert parse_retry_after("soon") == DEFAULT_RETRY_AFTER
    assert parse_retry_after("99999") == MAX_RETRY_AFTER


def test_the_fetched_raw_json_is_kept_verbatim() -> None:
    with _client(_fixture_handler) as client:
        fetched = client.fetch("OmicShare")
    expected = json.loads((FIXTURES / "OmicShare.json").read_text(encoding="utf-8"))
    assert fetched.raw == expected
