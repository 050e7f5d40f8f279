"""Page sessions in PostgreSQL and CSRF (spec/ui.md §3.1, §3.2), over the real store: cookies,
expiry, rotation, ending by subject, the synchronizer and double-submit tokens, the Origin
check, and ``POST /session/extend``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from projections.projector import DDL_ROOT
from projections.ui_sessions import PostgresSessionStore
from schema.settings import Settings
from web.app import WebServices, create_app
from web.ui.csrf import Csrf, CsrfFailed
from web.ui.session import Sessions, token_hash

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Store:
    sessions: PostgresSessionStore
    pool: ConnectionPool[Any]


@pytest.fixture
def site(database_url: str) -> Iterator[Store]:
    """The session store on a fresh database (its table from the shipped DDL)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute((DDL_ROOT / "ui_sessions" / "v1.sql").read_text())
    pool: ConnectionPool[Any] = ConnectionPool(database_url, min_size=1, max_size=2, open=True)
    try:
        yield Store(PostgresSessionStore(pool), pool)
    finally:
        pool.close()


@pytest.fixture
def harness(site: Store) -> Iterator[tuple[TestClient, Sessions, Csrf, Clock]]:
    """An app with three test routes: sign in (starts an owner session), a form page and a
    protected POST, over the real session store."""
    clock = Clock()
    settings = Settings(rate_limits="off", ui_owner_idle_seconds=600)
    sessions = Sessions(site.sessions, settings, clock)
    csrf = Csrf(settings, site.sessions.server_key)

    async def sign_in(request: Request) -> Response:
        response = Response(status_code=303, headers={"Location": "/form"})
        sessions.start(request, response, "owner", "key-1", {"n": 1})
        return response

    async def form(request: Request) -> Response:
        session = sessions.current(request, "owner")
        response = Response("")
        token, cookie = csrf.token(request, session)
        if cookie:
            csrf.set_cookie(request, response, cookie)
        response.headers["X-Token"] = token
        return response

    async def submit(request: Request) -> Response:
        data = await request.form()
        session = sessions.current(request, "owner")
        try:
            value = data.get("csrf_token")
            csrf.check(request, session, value if isinstance(value, str) else None)
        except CsrfFailed:
            return Response("refused", status_code=403)
        return Response(session.subject if session else "anonymous")

    app = create_app(
        WebServices(
            settings=settings,
            sessions=site.sessions,
            extra_routes=[
                Route("/signin", sign_in, methods=["POST"]),
                Route("/form", form),
                Route("/submit", submit, methods=["POST"]),
            ],
        )
    )
    with TestClient(app, base_url="http://testserver") as client:
        yield client, sessions, csrf, clock


def test_a_session_cookie_is_opaque_httponly_and_only_its_hash_is_stored(
    harness: Any, site: Store
) -> None:
    client, _sessions, _, _ = harness
    response = client.post("/signin", follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("registry_owner=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    token = client.cookies["registry_owner"]
    assert len(token) >= 43
    with site.pool.connection() as conn:
        rows = conn.execute("SELECT id_hash, subject FROM ui_sessions").fetchall()
    assert rows == [(token_hash(token), "key-1")]


def test_the_idle_timeout_ends_a_session_and_activity_extends_it(harness: Any) -> None:
    client, _, _, clock = harness
    client.post("/signin")
    token = client.get("/form").headers["x-token"]
    clock.now += dt.timedelta(seconds=500)
    assert client.post("/submit", data={"csrf_token": token}).text == "key-1"
    clock.now += dt.timedelta(seconds=500)  # 1,000 s after sign-in, 500 s after the last use
    assert client.post("/submit", data={"csrf_token": token}).text == "key-1"
    clock.now += dt.timedelta(seconds=601)
    assert client.post("/submit", data={"csrf_token": token}).status_code == 403


def test_signing_in_again_rotates_the_token(harness: Any, site: Store) -> None:
    client, *_ = harness
    client.post("/signin")
    first = client.cookies["registry_owner"]
    client.post("/signin")
    second = client.cookies["registry_owner"]
    assert first != second
    assert site.sessions.get(token_hash(first), dt.datetime.now(dt.UTC)) is None


def test_revoking_a_subject_ends_its_sessions_at_once(harness: Any, site: Store) -> None:
    client, *_ = harness
    client.post("/signin")
    token = client.get("/form").headers["x-token"]
    assert site.sessions.delete_subject("owner", "key-1") == 1
    assert client.post("/submit", data={"csrf_token": token}).status_code == 403


def test_a_post_without_the_token_or_from_another_origin_is_refused(harness: Any) -> None:
    client, *_ = harness
    client.post("/signin")
    token = client.get("/form").headers["x-token"]
    assert client.post("/submit", data={}).status_code == 403
    assert client.post("/submit", data={"csrf_token": "0" * 64}).status_code == 403
    assert (
        client.post(
            "/submit", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/submit", data={"csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"}
        ).status_code
        == 403
    )
    ok = client.post(
        "/submit", data={}, headers={"X-CSRF-Token": token, "Origin": "http://testserver"}
    )
    assert ok.text == "key-1"


def test_anonymous_forms_use_a_signed_double_submit_cookie(harness: Any) -> None:
    client, *_ = harness
    page = client.get("/form")
    assert "registry_csrf=" in page.headers["set-cookie"]
    assert "SameSite=strict" in page.headers["set-cookie"]
    token = page.headers["x-token"]
    assert client.post("/submit", data={"csrf_token": token}).text == "anonymous"
    client.cookies.set("registry_csrf", "planted-by-another-site")
    assert client.post("/submit", data={"csrf_token": token}).status_code == 403


def test_every_web_process_signs_with_the_same_stored_key(site: Store) -> None:
    other = PostgresSessionStore(site.pool)
    assert other.server_key() == site.sessions.server_key()
    assert len(other.server_key()) == 32


def test_expired_sessions_are_swept(site: Store) -> None:
    now = dt.datetime.now(dt.UTC)
    site.sessions.create("a" * 64, "flow", "", "s", now - dt.timedelta(seconds=1), None, {})
    site.sessions.create("b" * 64, "flow", "", "s", now + dt.timedelta(hours=1), None, {})
    assert site.sessions.sweep(now) == 1
    assert site.sessions.get("b" * 64, now) is not None


def test_session_extend_needs_a_session_and_its_token(site: Store) -> None:
    settings = Settings(rate_limits="off")
    sessions = Sessions(site.sessions, settings)
    csrf = Csrf(settings, site.sessions.server_key)
    client = TestClient(create_app(WebServices(settings=settings, sessions=site.sessions)))
    assert client.post("/session/extend").status_code == 403
    request = Request(
        {
            "type": "http",
            "headers": [],
            "scheme": "http",
            "path": "/",
            "server": ("testserver", 80),
            "query_string": b"",
        }
    )
    response = Response()
    session = sessions.start(request, response, "owner", "key-9")
    client.cookies.set(
        "registry_owner", response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    )
    token, _ = csrf.token(request, session)
    assert client.post("/session/extend", data={"csrf_token": "x"}).status_code == 403
    extended = client.post("/session/extend", data={"csrf_token": token})
    assert extended.status_code == 204
    assert extended.headers["cache-control"] == "no-store"


def test_a_sign_in_sweeps_expired_sessions(harness: Any, site: Store) -> None:
    client, _, _, clock = harness
    stale = clock.now - dt.timedelta(seconds=1)
    site.sessions.create("c" * 64, "owner", "old", "s", stale, None, {})
    client.post("/signin")
    with site.pool.connection() as conn:
        subjects = [r[0] for r in conn.execute("SELECT subject FROM ui_sessions").fetchall()]
    assert subjects == ["key-1"]
