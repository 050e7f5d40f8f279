"""The per-request log line and request ids in every record, the client address behind a proxy,
and who may read /metrics (the app in-process; the real processes are in
tests/e2e/test_serve_operations.py)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from registry.logs import configure_logging
from schema.settings import Settings
from tests.unit.web.conftest import VALID_CREATE, build
from web.app import WebServices, create_app

inner = logging.getLogger("registry.test.inner")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The registry's own JSON logging, into a buffer; the previous setup restored after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    try:
        yield stream
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_500s_request_id_leads_to_its_traceback_and_its_request_line(
    captured: io.StringIO,
) -> None:
    async def boom(request: Request) -> Response:
        inner.info("about to fail")
        raise RuntimeError("the bug")

    api = build(extra_routes=[Route("/api/boom/{thing}/", boom)])
    response = api.client.get("/api/boom/42/")
    assert response.status_code == 500
    request_id = response.json()["request_id"]

    mine = [line for line in lines(captured) if line.get("request_id") == request_id]
    by_logger = {line["logger"]: line for line in mine}
    assert by_logger["registry.test.inner"]["message"] == "about to fail"
    assert "RuntimeError: the bug" in by_logger["registry.web"]["exception"]
    access = by_logger["registry.access"]
    assert access["method"] == "GET"
    assert access["route"] == "/api/boom/{thing}/"  # the template, never the raw path
    assert access["status"] == 500
    assert isinstance(access["duration_ms"], float)
    assert access["client_ip"] is None  # TestClient's peer "testclient" is no address
    assert {"time", "level", "pid"} <= set(access)


def test_one_line_per_request_with_its_status_and_client(captured: io.StringIO) -> None:
    api = build()
    client = TestClient(api.client.app, client=("198.51.100.4", 4321))
    for path in ("/health/live/", "/api/v1/submissions/", "/nowhere"):
        client.get(path)
    access = [line for line in lines(captured) if line["logger"] == "registry.access"]
    assert [(a["route"], a["status"]) for a in access] == [
        ("/health/live/", 200),
        ("/api/v1/submissions/", 401),
        ("<unmatched>", 404),
    ]
    assert {a["client_ip"] for a in access} == {"198.51.100.4"}
    assert len({a["request_id"] for a in access}) == 3


def test_no_ansi_or_color_message_reaches_a_json_line(captured: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").info(
        "Started server process [%d]", 7, extra={"color_message": "\x1b[36m%d\x1b[0m"}
    )
    logging.getLogger("uvicorn.error").info("\x1b[32mINFO\x1b[0m: coloured")
    text = captured.getvalue()
    assert "\x1b" not in text
    assert "\\u001b" not in text
    assert "color_message" not in text
    assert lines(captured)[-1]["message"] == "INFO: coloured"


def test_the_forwarded_client_is_the_rightmost_untrusted_hop_in_log_and_limit(
    captured: io.StringIO,
) -> None:
    settings = Settings(rate_limits="anonymous=2/minute", trusted_proxies=("127.0.0.1",))
    api = build(settings)
    proxy = TestClient(api.client.app, client=("127.0.0.1", 1111), raise_server_exceptions=False)
    statuses = []
    for n in range(4):
        # The client forges a different leftmost entry each time; our proxy appends its peer.
        forwarded = {"X-Forwarded-For": f"203.0.113.{n}, 198.51.100.7"}
        statuses.append(
            proxy.post("/api/v1/submissions/", json=VALID_CREATE, headers=forwarded).status_code
        )
    assert statuses == [201, 201, 429, 429]
    ips = [args[1] for name, args in api.registry.calls if name == "register"]
    assert ips == ["198.51.100.7", "198.51.100.7"]
    access = [line for line in lines(captured) if line["logger"] == "registry.access"]
    assert {a["client_ip"] for a in access} == {"198.51.100.7"}


def test_forwarding_headers_from_an_untrusted_peer_change_nothing() -> None:
    api = build(Settings(rate_limits="anonymous=2/minute"))
    local = TestClient(api.client.app, client=("127.0.0.1", 1111))
    statuses = [
        local.post(
            "/api/v1/submissions/",
            json=VALID_CREATE,
            headers={"X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"203.0.114.{n}"},
        ).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]
    assert {args[1] for name, args in api.registry.calls if name == "register"} == {"127.0.0.1"}


def _metrics_client(peer: str, **settings: Any) -> TestClient:
    app = create_app(WebServices(settings=Settings(**settings)))
    return TestClient(app, client=(peer, 1))


def test_metrics_are_open_by_default() -> None:
    assert _metrics_client("203.0.113.1").get("/metrics").status_code == 200


def test_metrics_can_require_a_bearer_token() -> None:
    client = _metrics_client("10.0.0.1", metrics_token="s3cret-token")
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert right.status_code == 200
    assert "registry_http_requests" in right.text


def test_metrics_can_be_limited_to_networks_seen_through_trusted_proxies() -> None:
    settings: dict[str, Any] = {"metrics_allow": ("10.0.0.0/8",)}
    assert _metrics_client("10.1.2.3", **settings).get("/metrics").status_code == 200
    assert _metrics_client("203.0.113.1", **settings).get("/metrics").status_code == 403
    # Through a trusted proxy on the allowed network, the outside client is still refused.
    behind = _metrics_client("10.0.0.2", trusted_proxies=("10.0.0.2",), **settings)
    outside = behind.get("/metrics", headers={"X-Forwarded-For": "203.0.113.1"})
    assert outside.status_code == 403


def test_a_network_that_is_not_one_is_a_configuration_error() -> None:
    from schema.settings import ConfigurationError, load_settings

    with pytest.raises(ConfigurationError, match="REGISTRY_METRICS_ALLOW"):
        load_settings({"REGISTRY_METRICS_ALLOW": "10.0.0.0/8,intranet"})
    with pytest.raises(ConfigurationError, match="REGISTRY_TRUSTED_PROXIES"):
        load_settings({"REGISTRY_TRUSTED_PROXIES": "proxy.local"})


def test_a_uvicorn_server_configured_earlier_in_the_process_does_not_silence_its_records() -> None:
    import uvicorn

    # What a server started earlier (a test's, or an embedding app's) leaves behind: uvicorn's
    # own handlers, no propagation, and a WARNING level on its loggers.
    uvicorn.Config(app=lambda *args: None, log_level="warning")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    try:
        logging.getLogger("uvicorn.error").info("Started server process [%d]", 7)
        assert lines(stream)[-1]["message"] == "Started server process [7]"
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
