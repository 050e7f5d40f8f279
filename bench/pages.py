"""Time of the public web pages beside the API's list and detail (spec/ui.md §2.6), in-process.

``python -m bench.pages [N]`` builds a throw-away database on ``REGISTRY_BENCH_POSTGRES``
(default: the local server) with the real reference data (``registry migrate``), registers and
approves N services (default 300, the spec's budget size) through the domain, lets the real
runner project them, and then times each route sequentially through the real app (the same
``build_app`` as ``registry serve``) with Starlette's in-process client: wall time per request,
so the figures include the client's own share (~0.3 ms) and no network. ``registry bench`` runs
it as its ``pages`` phase (its own seeded submissions are never approved); the owner's pages
(``/update/edit/``, its history and the review-impact preview) are signed in with the key of one
seeded service.
"""

from __future__ import annotations

import os
import re
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from starlette.testclient import TestClient

from projections.progress import ProgressListener
from projections.projectors import PROJECTORS
from projections.runner import Runner
from registry.runtime import Services
from registry.setup import migrate
from registry.webapp import build_app
from schema.settings import Settings

ADMIN = "admin:bench"
SERVER = os.environ.get("REGISTRY_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUESTS = 200
#: Registrations timed per route (each records a new submission).
REGISTRATIONS = 50
#: Events in the timeline the admin history page is timed on (spec/ui.md §2.6).
TIMELINE_EVENTS = 1000
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _database(server: str = SERVER) -> tuple[str, Callable[[], None]]:
    name = f"regbench_pages_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop() -> None:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    info = psycopg.conninfo.conninfo_to_dict(server)
    host, port = info.get("host", "127.0.0.1"), info.get("port", 5432)
    return f"postgresql://{info.get('user', 'postgres')}@{host}:{port}/{name}", drop


def _seed(services: Services, count: int) -> tuple[list[str], str, dict[str, str]]:
    """Register and approve ``count`` services; their ids and the write key of the middle
    one (the owner pages' figures sign in with it)."""
    app = services.registry
    centres = [
        str(app.create_centre({"short_name": f"C{i}", "full_name": f"Centre {i}"}, actor=ADMIN).id)
        for i in range(8)
    ]
    categories = [
        int(str(app.create_category({"name": f"Category {i}"}, actor=ADMIN).id)) for i in range(12)
    ]
    pis = [
        str(app.create_pi({"last_name": f"Name{i}", "first_name": "Pat"}, actor=ADMIN).id)
        for i in range(20)
    ]
    topics = ["topic_0091", "topic_0080", "topic_0121", "topic_0622", "topic_3168", "topic_0102"]
    ids = []
    owner_key = ""
    for i in range(count):
        data: dict[str, Any] = {
            "date_of_entry": "2026-06-01",
            "submitter_first_name": "Ada",
            "submitter_last_name": "Lovelace",
            "submitter_affiliation": "Analytical Engines",
            "service_name": f"Service {i:04d} {secrets.token_hex(3)}",
            "service_description": f"Service {i} analyses biological data for researchers. " * 8,
            "year_established": 2000 + i % 25,
            "service_category_ids": [categories[i % 12], categories[(i * 7) % 12]],
            "responsible_pi_ids": [pis[i % 20]],
            "host_institute": "University",
            "service_center_id": centres[i % 8],
            "public_contact_email": "help@example.org",
            "internal_contact_name": "Contact",
            "internal_contact_email": "contact@example.org",
            "website_url": "https://example.org",
            "terms_of_use_url": "https://example.org/terms",
            "kpi_monitoring": "planned",
            "publications_pmids": "12345678",
            "licenses": ["MIT"],
            "edam_topic_ids": [topics[i % 6], topics[(i + 1) % 6]],
            "data_protection_consent": True,
        }
        made = app.register_submission(data, ip=None, user_agent_hash="0" * 64)
        app.change_status(made.submission_id, "approved", actor=ADMIN, by_admin=True)
        ids.append(str(made.submission_id))
        if i == count // 2:
            owner_key = made.api_key
    refs = {"centre": centres[0], "category": str(categories[0]), "pi": pis[0]}
    return ids, owner_key, refs


def _time(client: TestClient, path: str, headers: dict[str, str] | None = None) -> dict[str, float]:
    for _ in range(10):  # warm the prepared statements and caches of this process
        assert client.get(path, headers=headers).status_code == 200, path
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[int(len(samples) * 0.95) - 1],
        "bytes": float(len(response.content)),
    }


def _sign_in(client: TestClient, path: str, field: str, key: str) -> None:
    """Post ``key`` as ``field`` to the sign-in form at ``path`` (the session cookie is kept)."""
    token = _CSRF.search(client.get(path).text)
    assert token, f"no CSRF token on {path}"
    signed = client.post(
        path, data={field: key, "csrf_token": token.group(1)}, follow_redirects=False
    )
    assert signed.status_code == 303, signed.text


def _owner_client(client: TestClient, api_key: str) -> str:
    """Sign ``client`` in at ``/update/`` with ``api_key``; return the edit page's CSRF token."""
    _sign_in(client, "/update/", "api_key", api_key)
    edit = _CSRF.search(client.get("/update/edit/").text)
    assert edit, "no CSRF token on /update/edit/"
    return edit.group(1)


def _long_timeline(services: Services, submission_id: str) -> None:
    """Amend one submission until its timeline holds :data:`TIMELINE_EVENTS` events."""
    sid = UUID(submission_id)
    app = services.registry
    current = app.get_submission(sid).version
    for i in range(current, TIMELINE_EVENTS):
        app.amend_submission(
            sid, {"host_institute": f"University, department {i}"}, actor=ADMIN, by_admin=True
        )


def _time_post(
    client: TestClient, path: str, data: dict[str, Any], headers: dict[str, str]
) -> dict[str, float]:
    """Like :func:`_time` for a POST that records nothing (the owner's review-impact preview)."""
    for _ in range(10):
        assert client.post(path, data=data, headers=headers).status_code == 200, path
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.post(path, data=data, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[int(len(samples) * 0.95) - 1],
        "bytes": float(len(response.content)),
    }


def _registration(refs: dict[str, str], i: int) -> dict[str, Any]:
    """A valid registration under the form's names (the original's)."""
    return {
        "date_of_entry": "2026-06-01",
        "submitter_first_name": "Ada",
        "submitter_last_name": "Lovelace",
        "submitter_affiliation": "Analytical Engines",
        "register_as_elixir": "False",
        "service_name": f"Page Registration {i:04d} {secrets.token_hex(3)}",
        "service_description": "Registered through the web form by the benchmark. " * 3,
        "year_established": "2020",
        "service_categories": [refs["category"]],
        "is_toolbox": "False",
        "edam_topics": "topic_0091",
        "publications_pmids": "12345678",
        "data_access_type": "open",
        "responsible_pis": [refs["pi"]],
        "host_institute": "University",
        "service_center": refs["centre"],
        "public_contact_email": "help@example.org",
        "internal_contact_name": "Contact",
        "internal_contact_email": "contact@example.org",
        "internal_contact_email_confirm": "contact@example.org",
        "website_url": "https://example.org",
        "terms_of_use_url": "https://example.org/terms",
        "licenses": "MIT",
        "kpi_monitoring": "planned",
        "survey_participation": "True",
        "data_protection_consent": "on",
        "website_confirm": "",
    }


def _stats(samples: list[float], size: int) -> dict[str, float]:
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[int(len(samples) * 0.95) - 1],
        "bytes": float(size),
    }


def _time_register(client: TestClient, refs: dict[str, str]) -> dict[str, float]:
    """POST /register/ with a valid form (a new submission each; 303 to the key page): the
    form's share of a registration, beside the API's create below."""
    page = client.get("/register/")
    token = _CSRF.search(page.text)
    assert token, "no CSRF token on /register/"
    samples, size = [], 0
    for i in range(REGISTRATIONS):
        data = {**_registration(refs, i), "csrf_token": token.group(1)}
        start = time.perf_counter()
        response = client.post("/register/", data=data, follow_redirects=False)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 303, response.text[:2000]
        size = len(page.content)
    return _stats(samples, size)


def _time_api_create(client: TestClient, refs: dict[str, str]) -> dict[str, float]:
    """The same registrations through ``POST /api/v1/submissions/`` (201)."""
    samples, size = [], 0
    for i in range(REGISTRATIONS):
        body = {
            "date_of_entry": "2026-06-01",
            "submitter_first_name": "Ada",
            "submitter_last_name": "Lovelace",
            "submitter_affiliation": "Analytical Engines",
            "service_name": f"API Registration {i:04d} {secrets.token_hex(3)}",
            "service_description": "Registered through the API by the benchmark. " * 3,
            "year_established": 2020,
            "service_category_ids": [int(refs["category"])],
            "responsible_pi_ids": [refs["pi"]],
            "host_institute": "University",
            "service_center_id": refs["centre"],
            "public_contact_email": "help@example.org",
            "internal_contact_name": "Contact",
            "internal_contact_email": "contact@example.org",
            "website_url": "https://example.org",
            "terms_of_use_url": "https://example.org/terms",
            "kpi_monitoring": "planned",
            "publications_pmids": "12345678",
            "licenses": ["MIT"],
            "edam_topic_ids": ["topic_0091"],
            "data_protection_consent": True,
        }
        start = time.perf_counter()
        response = client.post("/api/v1/submissions/", json=body)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 201, response.text[:2000]
        size = len(response.content)
    return _stats(samples, size)


def measure(count: int = 300, server: str = SERVER) -> dict[str, dict[str, float]]:
    """p50/p95 (ms) and body size of each page and its API twin over ``count`` approved
    services on a throw-away database of ``server``."""
    url, drop = _database(server)
    try:
        settings = Settings(database_url=url, rate_limits="off")
        migrate(url, settings)
        services = Services(url, settings)
        runner = Runner(url, app=None, projectors=PROJECTORS, auto_promote=True, poll_interval=0.2)
        runner.start()
        progress = ProgressListener(url, poll_interval=0.2)
        try:
            key = services.registry.create_admin_key("bench", "read", created_by="bench").api_key
            ids, owner_key, refs = _seed(services, count)
            head = services.registry.recorder.max_notification_id() or 0
            for projector in PROJECTORS:
                assert progress.wait_for(projector.name, head, timeout=300), projector.name
            client = TestClient(build_app(settings, services, progress, probes=()))
            admin = {"Authorization": f"AdminKey {key}"}
            middle = ids[count // 2]
            rows = {
                "catalogue page /catalogue/": _time(client, "/catalogue/"),
                "catalogue fragment (q, 2 facets)": _time(
                    client,
                    "/catalogue/grid/?q=service&category=1&category=2",
                    {"HX-Request": "true"},
                ),
                "service page /catalogue/<id>/": _time(client, f"/catalogue/{middle}/"),
                "home /": _time(client, "/"),
            }
            if client.get("/update/").status_code == 200:
                owner = TestClient(client.app)
                token = _owner_client(owner, owner_key)
                rows["owner edit page /update/edit/"] = _time(owner, "/update/edit/")
                rows["owner history /update/history/"] = _time(owner, "/update/history/")
                rows["owner impact preview (POST)"] = _time_post(
                    owner,
                    "/update/edit/impact",
                    {"service_name": "Renamed for the preview", "csrf_token": token},
                    {"HX-Request": "true"},
                )
                owner.close()
            long = ids[0]
            _long_timeline(services, long)
            head = services.registry.recorder.max_notification_id() or 0
            for projector in PROJECTORS:
                assert progress.wait_for(projector.name, head, timeout=300), projector.name
            if client.get("/admin/sign-in/").status_code == 200:
                console = TestClient(client.app)
                _sign_in(console, "/admin/sign-in/", "admin_key", key)
                rows[f"admin list /admin/submissions/ ({count})"] = _time(
                    console, "/admin/submissions/"
                )
                rows[f"admin timeline ({TIMELINE_EVENTS} events, first 50)"] = _time(
                    console, f"/admin/submissions/{long}/history"
                )
                console.close()
            rows[f"API history ({TIMELINE_EVENTS} events)"] = _time(
                client, f"/api/v1/submissions/{long}/history/", admin
            )
            rows["API list page 1 (20)"] = _time(client, "/api/v1/submissions/", admin)
            rows["API detail"] = _time(client, f"/api/v1/submissions/{middle}/", admin)
            if client.get("/register/").status_code == 200:
                rows["registration POST /register/ (bytes: GET page)"] = _time_register(
                    client, refs
                )
                rows["API create POST /api/v1/submissions/"] = _time_api_create(client, refs)
            client.close()
            return rows
        finally:
            progress.close()
            runner.stop()
            services.close()
    finally:
        drop()


def table(rows: dict[str, dict[str, float]], count: int) -> str:
    """The figures as a Markdown table."""
    lines = [
        f"Web pages beside the API ({count} approved services, {REQUESTS} sequential requests"
        " each, in-process; spec/ui.md §2.6 budgets: catalogue page p95 <= 120 ms, fragment"
        " <= 80 ms, admin list <= 150 ms, timeline of 1,000 events <= 150 ms):",
        "",
        "| route | p50 ms | p95 ms | bytes |",
        "|---|---:|---:|---:|",
    ]
    for name, row in rows.items():
        lines.append(f"| {name} | {row['p50']:.2f} | {row['p95']:.2f} | {row['bytes']:.0f} |")
    lines += [
        "",
        f"Registrations: {REGISTRATIONS} sequential POSTs per route, each recording a new"
        " submission; the form row's bytes are the /register/ page's weight (§2.6: <= 90 kB).",
    ]
    return "\n".join(lines)


def main(count: int = 300) -> None:
    """Print :func:`measure`'s table."""
    print(table(measure(count), count))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
