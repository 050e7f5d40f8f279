"""Fixtures of the web pages' tests: the real stack of ``tests/integration/web`` (PostgreSQL,
the domain, every projector under the runner, the ``public_catalogue`` among them), plus
helpers that register, approve, amend and erase services through the API and the domain."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool
from starlette.testclient import TestClient

from projections.admin_accounts import PostgresAdminCredentials
from projections.projectors import PROJECTORS
from projections.ui_sessions import PostgresSessionStore
from registry.webapp import projection_status
from schema.settings import Settings
from tests.conftest import create_database
from tests.integration.web.conftest import Live, live, open_live  # noqa: F401 (fixture)
from web.app import WebServices, create_app

ADMIN = "admin:root"


@dataclass
class Site:
    """The app with pages and sessions, over the ``live`` stack."""

    live: Live
    client: TestClient
    url: str
    sessions: PostgresSessionStore

    def sync(self) -> None:
        head = self.live.app.recorder.max_notification_id() or 0
        for projector in PROJECTORS:
            assert self.live.listener.wait_for(projector.name, head, timeout=20), projector.name

    def register(self, **overrides: Any) -> dict[str, Any]:
        return self.live.create(**overrides)

    def status(self, created: dict[str, Any], target: str) -> None:
        response = self.live.client.post(
            f"/api/v1/submissions/{created['id']}/status/",
            json={"status": target},
            headers=self.live.admin(),
        )
        assert response.status_code == 200, response.text
        self.sync()

    def approved(self, **overrides: Any) -> dict[str, Any]:
        created = self.register(**overrides)
        self.status(created, "approved")
        return created

    def amend_as_owner(self, created: dict[str, Any], **changes: Any) -> None:
        response = self.live.client.patch(
            f"/api/v1/submissions/{created['id']}/", json=changes, headers=self.live.owner(created)
        )
        assert response.status_code == 200, response.text
        self.sync()

    def erase(self, created: dict[str, Any]) -> None:
        self.live.app.erase_submission(UUID(created["id"]), actor=ADMIN)
        self.sync()

    def read_key(self, created: dict[str, Any]) -> str:
        """A new read-scope key of the submission (label "Viewer"), issued by an admin."""
        issued = self.live.client.post(
            f"/api/v1/submissions/{created['id']}/keys/",
            json={"label": "Viewer", "scope": "read"},
            headers=self.live.admin(),
        )
        assert issued.status_code == 201, issued.text
        self.sync()
        return str(issued.json()["api_key"])


@contextmanager
def open_site(database_url: str, live: Live) -> Iterator[Site]:  # noqa: F811
    """The pages' app over ``live`` with a session store."""
    pool: ConnectionPool[Any] = ConnectionPool(database_url, min_size=1, max_size=4, open=True)
    store = PostgresSessionStore(pool)
    services = WebServices(
        settings=Settings(rate_limits="off", database_url=database_url),
        registry=live.app,
        read_model=live.read,
        wait_for=live.listener.wait_for,
        sessions=store,
        admin_credentials=PostgresAdminCredentials(pool),
        projection_status=functools.partial(projection_status, database_url),
    )
    client = TestClient(create_app(services), raise_server_exceptions=False)
    try:
        yield Site(live, client, database_url, store)
    finally:
        client.close()
        pool.close()


@contextmanager
def app_client(
    site: Site, limits: str = "off", *, settings: Settings | None = None, **services: Any
) -> Iterator[TestClient]:
    """Another app over the site's stack and session store: the rate ``limits`` (or whole
    ``settings``) and more ``WebServices`` fields (a bio.tools look-up, a queue depth …)."""
    app = create_app(
        WebServices(
            settings=settings or Settings(rate_limits=limits, database_url=site.url),
            registry=site.live.app,
            read_model=site.live.read,
            wait_for=site.live.listener.wait_for,
            sessions=site.sessions,
            **services,
        )
    )
    client = TestClient(app, raise_server_exceptions=False)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def site(database_url: str, live: Live) -> Iterator[Site]:  # noqa: F811
    """A fresh, empty site per test."""
    with open_site(database_url, live) as made:
        yield made


@dataclass
class Seeded:
    site: Site
    made: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def seeded(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """One site with the :func:`seed` catalogue for a whole module of read-only tests."""
    url, drop = create_database()
    try:
        with (
            open_live(url, tmp_path_factory.mktemp("media")) as stack,
            open_site(url, stack) as made,
        ):
            yield Seeded(made, seed(made))
    finally:
        drop()


LONG = (
    " It is used by research groups across de.NBI for daily analyses, offers documented"
    " workflows, tutorials and help from the team, and its results can be cited in"
    " publications. Training courses are offered every year."
)


def seed(site: Site) -> dict[str, dict[str, Any]]:
    """A catalogue like a small production one: 14 approved services over three centres,
    four categories and both EDAM branches (enough for two pages), one approved service whose
    owner edit waits for review, one deprecated, one never approved."""
    app = site.live.app
    centres = [site.live.centre] + [
        str(app.create_centre({"short_name": s, "full_name": f}, actor=ADMIN).id)
        for s, f in (
            ("HD-HuB", "Heidelberg Center for Human Bioinformatics"),
            ("de.NBI-cloud", "de.NBI Cloud Gießen"),
        )
    ]
    categories = [site.live.category] + [
        int(str(app.create_category({"name": n}, actor=ADMIN).id))
        for n in ("Databases", "Training", "Cloud computing")
    ]
    müller = str(app.create_pi({"last_name": "Müller", "first_name": "Jörg"}, actor=ADMIN).id)
    names = [
        "Galaxy Europe",
        "Proteomics Toolkit",
        "Genome Browser",
        "Metabolite Atlas",
        "Read Mapper Pro",
        "Cloud Notebooks",
        "Variant Annotator",
        "Protein Structure Viewer",
        "Single-Cell Explorer",
        "Pathway Database",
        "Sequence Aligner",
        "Training Hub",
        "Microbiome Profiler",
        "Phylogeny Builder",
    ]
    made: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(names):
        made[name] = site.register(
            service_name=name,
            service_description=f"{name} helps researchers analyse their data.{LONG}",
            service_center_id=centres[i % 3],
            service_category_ids=[categories[i % 4]] + ([categories[0]] if i % 4 else []),
            responsible_pi_ids=[müller if i % 5 == 0 else site.live.pi],
            edam_topic_ids=["topic_0091"] + (["topic_0080"] if i % 2 else []),
            edam_operation_ids=(
                ["operation_3198"] if i % 3 == 0 else ["operation_0292"] if i == 10 else []
            ),
            licenses=["MIT"] if i % 2 else ["Apache-2.0"],
            github_url=f"https://github.com/example/{i}" if i % 2 else "",
            keywords_seo="genomics" if i == 4 else "",
        )
    for created in made.values():
        site.status(created, "approved")
    made["Legacy Portal"] = site.approved(service_name="Legacy Portal")
    site.status(made["Legacy Portal"], "deprecated")
    made["Secret Draft"] = site.register(service_name="Secret Draft")
    made["Galaxy Europe old"] = made["Galaxy Europe"]
    site.amend_as_owner(made["Galaxy Europe"], service_name="Galaxy Europe (unreviewed)")
    return made


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per browser-test module (Debian's; ``make test`` installs it with apt).

    Not session-scoped: Playwright's sync API keeps an asyncio loop running in this thread
    while it is open, and every later test calling ``asyncio.run`` would fail."""
    from tests.ui.browser import chromium

    with chromium() as launched:
        yield launched
