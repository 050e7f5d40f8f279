"""The actors end to end: a real Redis broker, a real dramatiq Worker, the Registry on the real
PostgreSQL, the fake bio.tools server over HTTP, and mail written to an outbox."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import dramatiq
import pytest
import redis

from bench.fake_biotools import FakeBioTools, Mode
from domain.application import Registry
from projections.eventstore import open_registry
from tests.integration.workers.helpers import register
from workers import runtime
from workers.biotools_client import BioToolsClient
from workers.broker import make_broker
from workers.mail import MailSettings, OutboxSender
from workers.registry_adapter import RegistryLinks, RegistryNotifications
from workers.runtime import WorkerContext

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBioTools]:
    with FakeBioTools() as server:
        yield server


@pytest.fixture
def registry(database_url: str) -> Registry:
    app = open_registry(database_url, create_tables=True)
    assert isinstance(app, Registry)
    return app


@pytest.fixture
def worker_setup(
    registry: Registry, fake: FakeBioTools, tmp_path: Path
) -> Iterator[tuple[dramatiq.Broker, Path]]:
    namespace = f"regtest-{secrets.token_hex(4)}"
    broker = make_broker(REDIS_URL, namespace=namespace)
    from workers import actors

    actors.bind_actors(broker)
    outbox = tmp_path / "outbox"
    client = BioToolsClient(fake.base_url)
    context = WorkerContext(
        links=RegistryLinks(registry),
        biotools=client,
        notifications=RegistryNotifications(registry),
        mail_settings=MailSettings(admin_address="office@denbi.de"),
        mail_sender=OutboxSender(outbox),
    )
    runtime.configure(lambda: context)
    fake.set_mode(Mode())
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    try:
        yield broker, outbox
    finally:
        worker.stop()
        broker.flush_all()
        broker.close()
        # flush_all() empties the queues but leaves the heartbeat set; the server is shared.
        leftovers = redis.Redis.from_url(REDIS_URL)
        for key in leftovers.scan_iter(f"{namespace}:*"):
            leftovers.delete(key)
        client.close()
        runtime.reset()
        fake.set_mode(Mode())


def _record_version(app: Registry, submission_id: UUID) -> int:
    record = app.get_biotools_record(submission_id)
    return 0 if record is None else int(record.version)


def test_a_sync_job_records_the_entry_once_and_again_only_after_a_change(
    registry: Registry, fake: FakeBioTools, worker_setup: tuple[dramatiq.Broker, Path]
) -> None:
    from workers.actors import sync_biotools

    broker, _ = worker_setup
    registration = register(registry, "https://bio.tools/SAMtools")
    sid = registration.submission_id
    sync_biotools.send(str(sid))
    broker.join("biotools", timeout=20_000)
    record = registry.get_biotools_record(sid)
    assert record is not None
    assert record.record is not None
    assert record.record["name"] == "SAMtools"
    assert record.record["license"] == "MIT"
    synced_version = _record_version(registry, sid)

    sync_biotools.send(str(sid))  # nothing changed upstream: nothing recorded
    broker.join("biotools", timeout=20_000)
    assert _record_version(registry, sid) == synced_version

    original = dict(fake.state.records["samtools"])
    try:
        fake.state.put_record({**original, "description": "A changed description, upstream."})
        sync_biotools.send(str(sid))
        broker.join("biotools", timeout=20_000)
    finally:
        fake.state.put_record(original)
    changed = registry.get_biotools_record(sid)
    assert changed is not None
    assert changed.record is not None
    assert changed.record["description"] == "A changed description, upstream."
    assert _record_version(registry, sid) == synced_version + 1


def test_a_tool_missing_upstream_is_recorded_as_a_failure_without_retries(
    registry: Registry, fake: FakeBioTools, worker_setup: tuple[dramatiq.Broker, Path]
) -> None:
    from workers.actors import sync_biotools

    broker, _ = worker_setup
    registration = register(registry, "https://bio.tools/not-a-real-tool")
    before = fake.state.requests["not-a-real-tool"]
    sync_biotools.send(str(registration.submission_id))
    broker.join("biotools", timeout=20_000)
    record = registry.get_biotools_record(registration.submission_id)
    assert record is not None
    assert "HTTP 404" in record.sync_error
    assert fake.state.requests["not-a-real-tool"] - before == 1


def test_an_outage_is_retried_through_the_broker(
    registry: Registry, fake: FakeBioTools, worker_setup: tuple[dramatiq.Broker, Path]
) -> None:
    from workers.actors import sync_biotools

    broker, _ = worker_setup
    registration = register(registry, "https://bio.tools/bwa")
    fake.set_mode(Mode("500", times=2))
    sync_biotools.send_with_options(
        args=(str(registration.submission_id),), min_backoff=10, max_backoff=50
    )
    broker.join("biotools", timeout=20_000)
    record = registry.get_biotools_record(registration.submission_id)
    assert record is not None
    assert record.record is not None
    assert record.record["biotools_id"] == "bwa"
    assert record.sync_error == ""


def test_a_mail_job_writes_the_creation_mails_without_the_key(
    registry: Registry, worker_setup: tuple[dramatiq.Broker, Path]
) -> None:
    from workers.actors import send_mail

    broker, outbox = worker_setup
    registration = register(registry, "")
    assert registration.position is not None
    send_mail.send("created", str(registration.submission_id), registration.position)
    broker.join("mail", timeout=20_000)
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 2
    contents = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    assert all("Sequence Mapper" in c for c in contents)
    assert any("ada@mapper.example.org" in c for c in contents)
    assert all(registration.api_key not in c for c in contents)
