"""The composition helpers: the scheduler's jobs and the actors' context over a real Registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bench.fake_biotools import FakeBioTools
from domain.application import Registry
from projections.eventstore import open_registry
from schema.settings import Settings
from tests.integration.workers.helpers import register
from workers.mail import OutboxSender
from workers.wiring import build_context, scheduled_jobs

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBioTools]:
    with FakeBioTools() as server:
        yield server


@pytest.fixture
def registry(database_url: str) -> Registry:
    app = open_registry(database_url, create_tables=True)
    assert isinstance(app, Registry)
    return app


def test_the_daily_job_refreshes_every_linked_submission(
    database_url: str, registry: Registry, fake: FakeBioTools, tmp_path: Path
) -> None:
    linked = register(registry, "https://bio.tools/kraken2").submission_id
    with psycopg.connect(database_url) as conn:
        # Stand-in for the projected read table (written by the projection runner in production).
        conn.execute(
            "CREATE TABLE biotools_records (submission_id uuid PRIMARY KEY, biotools_id text, "
            "state jsonb NOT NULL DEFAULT '{}')"
        )
        conn.execute("INSERT INTO biotools_records VALUES (%s, 'kraken2', '{}')", (linked,))
    settings = Settings(biotools_url=fake.base_url, data_dir=tmp_path)
    jobs = scheduled_jobs(database_url, registry, settings)
    jobs.refresh_biotools()
    record = registry.get_biotools_record(linked)
    assert record is not None
    assert record.record is not None
    assert record.record["biotools_id"] == "kraken2"


def test_the_monthly_jobs_load_edam_and_spdx(
    database_url: str, registry: Registry, tmp_path: Path
) -> None:
    jobs = scheduled_jobs(database_url, registry, Settings(data_dir=tmp_path))
    jobs.refresh_edam()
    jobs.refresh_spdx()
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM edam_terms").fetchone() == (3471,)
        row = conn.execute("SELECT count(*) > 700 FROM licenses").fetchone()
        assert row == (True,)


def test_without_smtp_the_context_writes_mail_to_the_outbox(
    registry: Registry, tmp_path: Path
) -> None:
    context = build_context(registry, Settings(data_dir=tmp_path, notify_override="qa@x.org"))
    assert context.mail_sender == OutboxSender(tmp_path / "outbox")
    assert context.mail_settings.notify_override == "qa@x.org"
    context.biotools.close()
