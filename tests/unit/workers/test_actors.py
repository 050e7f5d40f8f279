"""The actors on a StubBroker with a real dramatiq Worker (no network, no database)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import httpx
import pytest
from dramatiq.brokers.stub import StubBroker

from tests.unit.workers.fakes import SUBMISSION, InMemoryLinks, InMemoryNotifications
from workers import runtime
from workers.biotools_client import BioToolsClient
from workers.broker import make_broker
from workers.mail import MailSettings, OutboxSender
from workers.notifications import Notification
from workers.runtime import WorkerContext

FIXTURES = Path(__file__).resolve().parents[3] / "bench" / "fixtures" / "biotools"
Handler = Callable[[httpx.Request], httpx.Response]


def _serve(request: httpx.Request) -> httpx.Response:
    wanted = request.url.path.rstrip("/").rsplit("/", 1)[-1].casefold()
    for path in FIXTURES.glob("*.json"):
        if path.stem.casefold() == wanted:
            return httpx.Response(200, content=path.read_bytes())
    return httpx.Response(404, json={"detail": "Not found."})


class Harness:
    """A stub broker with a running worker and the context the actors see."""

    def __init__(self, broker: StubBroker, tmp_path: Path) -> None:
        self.broker = broker
        self.links = InMemoryLinks()
        self.notifications = InMemoryNotifications()
        self.outbox = tmp_path / "outbox"
        self.handler: Handler = _serve
        self.requests: list[str] = []

        def transport(request: httpx.Request) -> httpx.Response:
            self.requests.append(request.url.path)
            return self.handler(request)

        client = BioToolsClient("https://bio.tools/api", transport=httpx.MockTransport(transport))
        context = WorkerContext(
            links=self.links,
            biotools=client,
            notifications=self.notifications,
            mail_settings=MailSettings(admin_address="office@denbi.de"),
            mail_sender=OutboxSender(self.outbox),
        )
        runtime.configure(lambda: context)

    def join(self, queue: str) -> None:
        self.broker.join(queue, timeout=10_000, fail_fast=False)


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    broker = make_broker("stub://")
    assert isinstance(broker, StubBroker)
    from workers import actors

    actors.bind_actors(broker)
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_timeout=20)
    worker.start()
    try:
        yield Harness(broker, tmp_path)
    finally:
        worker.stop()
        broker.close()
        runtime.reset()


FAST = {"min_backoff": 1, "max_backoff": 20}


def test_a_sync_job_records_a_changed_entry_once(harness: Harness) -> None:
    from workers.actors import sync_biotools

    harness.links.links["s1"] = "samtools"
    sync_biotools.send("s1")
    sync_biotools.send("s1")  # a redelivery or a second trigger
    harness.join("biotools")
    assert harness.links.syncs == [("s1", "samtools")]
    assert len(harness.requests) == 2


def test_a_missing_tool_is_recorded_once_and_not_retried(harness: Harness) -> None:
    from workers.actors import sync_biotools

    harness.links.links["s1"] = "no-such-tool"
    sync_biotools.send_with_options(args=("s1",), **FAST)
    harness.join("biotools")
    assert len(harness.requests) == 1
    assert [f[:2] for f in harness.links.failures] == [("s1", "no-such-tool")]


def test_an_outage_is_retried_until_bio_tools_answers(harness: Harness) -> None:
    from workers.actors import sync_biotools

    answers = [httpx.Response(503), httpx.Response(500)]
    harness.handler = lambda r: answers.pop(0) if answers else _serve(r)
    harness.links.links["s1"] = "bwa"
    sync_biotools.send_with_options(args=("s1",), max_retries=3, **FAST)
    harness.join("biotools")
    assert len(harness.requests) == 3
    assert harness.links.syncs == [("s1", "bwa")]
    assert harness.links.failures == []


def test_a_rate_limit_is_retried_after_the_requested_delay(harness: Harness) -> None:
    from workers.actors import sync_biotools

    answers = [httpx.Response(429, headers={"Retry-After": "0"})]
    harness.handler = lambda r: answers.pop(0) if answers else _serve(r)
    harness.links.links["s1"] = "galaxy"
    sync_biotools.send_with_options(args=("s1",), **FAST)
    harness.join("biotools")
    assert harness.links.syncs == [("s1", "galaxy")]


def test_exhausted_retries_are_recorded_as_a_failure(harness: Harness) -> None:
    from workers.actors import sync_biotools

    harness.handler = lambda r: httpx.Response(500)
    harness.links.links["s1"] = "blast"
    sync_biotools.send_with_options(args=("s1",), max_retries=2, **FAST)
    harness.join("biotools")
    harness.join("biotools")  # the exhaustion job is enqueued when the last attempt fails
    assert len(harness.requests) == 3
    assert len(harness.links.failures) == 1
    submission_id, biotools_id, error = harness.links.failures[0]
    assert (submission_id, biotools_id) == ("s1", "blast")
    assert "after 2 retries" in error
    assert "HTTP 500" in error


def test_a_mail_job_writes_the_notification_mails(harness: Harness) -> None:
    from workers.actors import send_mail

    harness.notifications.items[("s1", 7)] = Notification(submission=SUBMISSION)
    send_mail.send("created", "s1", 7)
    send_mail.send("created", "s1", 7)  # redelivered: the same two files
    harness.join("mail")
    assert len(list(harness.outbox.glob("*.eml"))) == 2


def test_a_mail_job_for_an_erased_submission_sends_nothing(harness: Harness) -> None:
    from workers.actors import send_mail

    send_mail.send("created", "gone", 1)
    harness.join("mail")
    assert not harness.outbox.exists()


def test_the_system_page_lists_every_queue_an_actor_uses(harness: Harness) -> None:
    from workers.actors import ALL_ACTORS
    from workers.queues import ALL_QUEUES

    assert {actor.queue_name for actor in ALL_ACTORS} == set(ALL_QUEUES)
