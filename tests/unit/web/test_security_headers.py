"""Every response carries the security headers; the docs pages keep their own CSP."""

from __future__ import annotations

from starlette.testclient import TestClient

from web.app import WebServices, create_app


def test_every_response_carries_the_security_headers() -> None:
    client = TestClient(create_app(WebServices()))
    for path in ("/health/live/", "/no-such-page"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "max-age=31536000" in response.headers["strict-transport-security"]
        assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_the_docs_page_keeps_its_own_content_security_policy() -> None:
    response = TestClient(create_app(WebServices())).get("/api/docs/")
    assert response.status_code == 200
    assert "default-src 'none'" not in response.headers["content-security-policy"]
