"""The checks of the seed's model-change scenarios, run by ``test_scenarios`` inside a copy of the
code that has the scenario's change applied, over a database the unchanged code wrote.

Not collected by the suite (no ``test_`` prefix): ``test_scenarios`` runs one check at a time in
a subprocess whose ``PYTHONPATH`` is the changed copy, with ``SCENARIO_*`` variables naming the
database, the submission the old code registered (``old``) and its reference data. Each check
drives the real stack end to end: API write and read, history, list filter, OpenAPI document.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg_pool import ConnectionPool
from starlette.testclient import TestClient

import domain
from projections import operations
from projections.eventstore import open_registry
from projections.key_vault import PostgresKeyVault
from projections.progress import ProgressListener
from projections.projectors import PROJECTORS
from projections.queries import ReadModel
from projections.reference_catalog import PostgresReferenceCatalog
from projections.runner import Runner
from schema.settings import Settings
from tests.payloads import KPI_SINCE_2021, submission_payload
from web.app import WebServices, create_app
from web.openapi import build_openapi

pytestmark = pytest.mark.skipif(
    "SCENARIO_DATABASE_URL" not in os.environ, reason="run by test_scenarios in a changed copy"
)
SUBMISSIONS = "/api/v1/submissions/"


@dataclass
class World:
    """The changed code's web stack over the old code's database."""

    client: TestClient
    app: Any
    url: str
    admin_key: str
    old: str
    refs: dict[str, Any]

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"AdminKey {self.admin_key}"}

    def create(self, **overrides: Any) -> dict[str, Any]:
        payload = submission_payload(
            category=self.refs["category"],
            pi=self.refs["pi"],
            centre=self.refs["centre"],
            **{"internal_contact_name": "Ada Internal", **KPI_SINCE_2021, **overrides},
        )
        response = self.client.post(SUBMISSIONS, json=payload)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def get(self, sid: str) -> dict[str, Any]:
        response = self.client.get(f"{SUBMISSIONS}{sid}/", headers=self.admin())
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def patch(self, sid: str, body: dict[str, Any]) -> Any:
        return self.client.patch(f"{SUBMISSIONS}{sid}/", json=body, headers=self.admin())

    def changes(self, sid: str) -> list[dict[str, Any]]:
        response = self.client.get(f"{SUBMISSIONS}{sid}/history/", headers=self.admin())
        assert response.status_code == 200, response.text
        return [change for item in response.json() for change in item["changes"]]

    def listed(self, query: str) -> set[str]:
        response = self.client.get(f"{SUBMISSIONS}?{query}&page_size=100", headers=self.admin())
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["results"]}

    def stored_topics_and_states(self, sid: str) -> list[tuple[str, bytes]]:
        return [(e.topic, e.state) for e in self.app.recorder.select_events(UUID(sid))]

    def document_has(self, table: str, sid: str, key: str) -> bool:
        with psycopg.connect(self.url) as conn:
            row = conn.execute(f"SELECT doc ? %s FROM {table} WHERE id = %s", (key, sid)).fetchone()
        assert row is not None
        return bool(row[0])


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    assert Path(domain.__file__).is_relative_to(Path.cwd()), "not running the changed copy"
    url = os.environ["SCENARIO_DATABASE_URL"]
    pool: ConnectionPool[Any] = ConnectionPool(url, min_size=1, max_size=6, open=True)
    vault = PostgresKeyVault(pool)
    catalog = PostgresReferenceCatalog(pool)

    def factory(db: str, *, create_tables: bool = False) -> Any:
        return open_registry(
            db, create_tables=create_tables, key_vault=vault, reference_catalog=catalog
        )

    operations.migrate(url, app_factory=factory)
    app = factory(url)
    runner_app = factory(url)
    runner = Runner(url, app=runner_app, projectors=PROJECTORS, poll_interval=0.2)
    runner.start()
    listener = ProgressListener(url, poll_interval=0.2)
    read = ReadModel(pool, registry=app, key_stamp=lambda: listener.stamp("api_keys"))
    key = app.create_admin_key("scenario", "full", created_by="test").api_key
    head = app.recorder.max_notification_id() or 0
    for projector in PROJECTORS:
        assert listener.wait_for(projector.name, head, timeout=60), projector.name
    services = WebServices(
        settings=Settings(rate_limits="off", database_url=url, media_dir=tmp_path / "media"),
        registry=app,
        read_model=read,
        wait_for=listener.wait_for,
        projection_status=lambda: [],
    )
    client = TestClient(create_app(services), raise_server_exceptions=False)
    refs = {
        "centre": os.environ["SCENARIO_CENTRE"],
        "category": int(os.environ["SCENARIO_CATEGORY"]),
        "pi": os.environ["SCENARIO_PI"],
    }
    try:
        yield World(client, app, url, key, os.environ["SCENARIO_OLD_ID"], refs)
    finally:
        client.close()
        runner.stop()
        listener.close()
        app.close()
        runner_app.close()
        pool.close()


def _properties(model: str) -> dict[str, Any]:
    properties: dict[str, Any] = build_openapi()["components"]["schemas"][model]["properties"]
    return properties


def _submissions_versions(url: str) -> list[int]:
    return sorted(s.version for s in operations.status(url) if s.name == "submissions")


# -- scenario 1: an optional field with a constant default ---------------------------------------


def test_scenario_1_an_optional_field_with_a_default(world: World) -> None:
    old = world.old
    # The old code stored the registration without the field, under today's topic and version,
    # and its read document lacks it too: nothing was migrated or rebuilt.
    topic, state = world.stored_topics_and_states(old)[0]
    assert topic == "registry/Submission.Registered/v2"
    assert b'"hosting"' not in state
    assert not world.document_has("submissions", old, "hosting")
    assert _submissions_versions(world.url) == [3]  # migrate made only the newest live
    # Read: the catalogue's default answers for it; write, read back, history, filter.
    assert world.get(old)["hosting"] == "institute"
    created = world.create(hosting="denbi_cloud")
    assert created["hosting"] == "denbi_cloud"
    assert world.stored_topics_and_states(created["id"])[0][0] == topic
    plain = world.create()
    assert plain["hosting"] == "institute"
    patched = world.patch(old, {"hosting": "denbi_cloud"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["hosting"] == "denbi_cloud"
    assert {
        "field": "hosting",
        "label": "Hosting",
        "old": "Host institute",
        "new": "de.NBI Cloud",
    } in world.changes(old)
    bad = world.patch(created["id"], {"hosting": "the moon"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]) == ["hosting"]
    assert world.listed("hosting=denbi_cloud") == {old, created["id"]}
    assert plain["id"] in world.listed("hosting=institute")
    # The OpenAPI document has it, with its choices and its API history.
    served = _properties("Submission")["hosting"]
    assert served["enum"] == ["institute", "denbi_cloud"]
    assert "Added in API 1.2." in served["description"]
    assert "hosting" in _properties("SubmissionPatch")


# -- scenario 3: a field on a reference model ------------------------------------------------------


def test_scenario_3_a_field_on_a_reference_model(world: World) -> None:
    centre = world.refs["centre"]
    path = f"/api/v1/service-centers/{centre}/"
    # The old code's creation lacks the key; the new column's default answers, before the new
    # table version is live (the query reads both) and after.
    assert b"contact_email" not in world.stored_topics_and_states(centre)[0][1]
    before = world.client.get(path, headers=world.admin())
    assert before.status_code == 200, before.text
    assert before.json()["contact_email"] == ""
    operations.promote(world.url, "service_centres", 2, timeout=60)
    assert world.client.get(path, headers=world.admin()).json()["contact_email"] == ""
    changed = world.client.patch(path, json={"contact_email": "hub@bigi.de"}, headers=world.admin())
    assert changed.status_code == 200, changed.text
    assert world.client.get(path, headers=world.admin()).json()["contact_email"] == "hub@bigi.de"
    bad = world.client.patch(path, json={"contact_email": "nope"}, headers=world.admin())
    assert bad.status_code == 400
    assert list(bad.json()["error"]) == ["contact_email"]
    assert "contact_email" in _properties("Centre")
    assert "contact_email" in _properties("CentreUpdate")


# -- scenario 4: a rename with a deprecated alias -------------------------------------------------


def test_scenario_4_a_rename_keeps_a_deprecated_alias(world: World) -> None:
    from schema.api.submissions import MODELS

    old = world.old
    # The old code's events keep the old name; everything reads the new one.
    assert b'"keywords_seo"' in world.stored_topics_and_states(old)[0][1]
    values = world.app.get_submission(UUID(old)).values
    assert values["seo_keywords"] == "old seo"
    assert "keywords_seo" not in values
    read = world.get(old)
    assert read["seo_keywords"] == read["keywords_seo"] == "old seo"
    # /api/v1/ still takes the old name (the same value under both is fine, different is not).
    renamed = world.patch(old, {"keywords_seo": "via the old name"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["seo_keywords"] == "via the old name"
    assert world.changes(old)[-1] == {
        "field": "seo_keywords",
        "label": "SEO Keywords",
        "old": "old seo",
        "new": "via the old name",
    }
    conflict = world.patch(old, {"seo_keywords": "a", "keywords_seo": "b"})
    assert conflict.status_code == 400
    assert list(conflict.json()["error"]) == ["keywords_seo"]
    created = world.create(seo_keywords="fresh")
    assert created["keywords_seo"] == created["seo_keywords"] == "fresh"
    # OpenAPI: the alias is deprecated in /api/v1/ and gone from /api/v2/'s models.
    for model in ("Submission", "SubmissionPatch"):
        assert _properties(model)["keywords_seo"]["deprecated"] is True
        assert "deprecated" not in _properties(model)["seo_keywords"]
    assert "keywords_seo" not in MODELS[2].submission.model_fields
    assert "seo_keywords" in MODELS[2].submission.model_fields
    assert _submissions_versions(world.url) == [3]  # migrate made only the newest live


# -- scenario 5: removing a field in two phases ---------------------------------------------------


def test_scenario_5_phase_1_stops_writing_and_serves_null(world: World) -> None:
    from domain.fields import form_sections
    from schema.api.submissions import MODELS

    old = world.old
    assert world.get(old)["survey_participation"] is None
    before = len(world.changes(old))
    ignored = world.patch(old, {"survey_participation": True, "comments": "still here"})
    assert ignored.status_code == 200, ignored.text
    # One change recorded: the comments; nothing for the field being removed.
    assert [c["field"] for c in world.changes(old)[before:]] == ["comments"]
    created = world.create(survey_participation=True)
    assert created["survey_participation"] is None
    assert b"survey_participation" not in world.stored_topics_and_states(created["id"])[0][1]
    # The history keeps what was recorded; the events keep the old values.
    assert any(c["field"] == "survey_participation" for c in world.changes(old))
    assert b"survey_participation" in world.stored_topics_and_states(old)[0][1]
    served = _properties("Submission")["survey_participation"]
    assert served["deprecated"] is True
    assert "Removed in /api/v2/." in served["description"]
    assert "survey_participation" not in _properties("SubmissionPatch")
    assert "survey_participation" not in MODELS[2].submission.model_fields
    assert all(f.name != "survey_participation" for s in form_sections() for f in s.fields)


def test_scenario_5_phase_2_rebuilds_the_read_table_without_it(world: World) -> None:
    old = world.old
    assert _submissions_versions(world.url) == [3, 4]
    operations.promote(world.url, "submissions", 4, timeout=60)
    assert world.document_has("submissions_v3", old, "survey_participation")
    assert not world.document_has("submissions_v4", old, "survey_participation")
    assert world.get(old)["survey_participation"] is None  # /api/v1/ unchanged
    assert b"survey_participation" in world.stored_topics_and_states(old)[0][1]
    assert any(c["field"] == "survey_participation" for c in world.changes(old))


# -- scenario 7: a computed backfill that needs a rebuild -----------------------------------------


def test_scenario_7_a_computed_field_is_backfilled_by_the_rebuild(world: World) -> None:
    old = world.old  # registered with two publications
    assert _submissions_versions(world.url) == [3, 4]
    # Served at once (computed from the document); filterable only once v4 is built and live.
    assert world.get(old)["publication_count"] == 2
    assert world.listed("publication_count=2") == set()
    created = world.create(publications_pmids="12345678, 10.1000/a, 10.1000/b")
    operations.promote(world.url, "submissions", 4, timeout=60)
    assert world.document_has("submissions", old, "publication_count")
    assert world.listed("publication_count=2") == {old}
    assert world.listed("publication_count=3") == {created["id"]}
    patched = world.patch(old, {"publications_pmids": "12345678"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["publication_count"] == 1
    assert world.listed("publication_count=1") == {old}
    assert "publication_count" not in _properties("SubmissionPatch")
    assert _properties("Submission")["publication_count"]["type"] == "integer"
