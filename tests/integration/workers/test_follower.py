"""The side-effect follower on the real event store: jobs only for committed events, once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from domain.application import Registry
from projections.eventstore import open_registry
from projections.support import migrate_support
from tests.integration.workers.helpers import register
from workers.follower import SideEffectFollower

pytestmark = pytest.mark.integration


@pytest.fixture
def registry(database_url: str) -> Iterator[Registry]:
    app = open_registry(database_url, create_tables=True)
    assert isinstance(app, Registry)
    with psycopg.connect(database_url, autocommit=True) as conn:
        migrate_support(conn)  # worker_tracking, as `registry migrate` creates it
    yield app
    app.close()


class Jobs:
    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[Any, ...]]] = []

    def __call__(self, actor_name: str, args: tuple[Any, ...]) -> None:
        self.sent.append((actor_name, args))


def test_history_before_the_first_start_is_not_replayed(
    database_url: str, registry: Registry
) -> None:
    register(registry, "https://bio.tools/blast")
    jobs = Jobs()
    follower = SideEffectFollower(database_url, registry, jobs)
    follower.run_once()
    assert jobs.sent == []


def test_a_registration_with_a_link_mails_and_syncs_once(
    database_url: str, registry: Registry
) -> None:
    jobs = Jobs()
    follower = SideEffectFollower(database_url, registry, jobs)
    follower.run_once()  # start tracking at the (empty) head
    registration = register(registry, "https://bio.tools/blast")
    follower.run_once()
    follower.run_once()  # nothing new: nothing enqueued twice
    sid = str(registration.submission_id)
    mails = [args for name, args in jobs.sent if name == "send_mail"]
    assert len(mails) == 1
    assert mails[0][:2] == ("created", sid)
    assert ("sync_biotools", (sid,)) in jobs.sent
    assert len(jobs.sent) == 2


def test_amendments_and_status_changes_are_mailed_but_admin_edits_are_not(
    database_url: str, registry: Registry
) -> None:
    registration = register(registry)
    sid = registration.submission_id
    jobs = Jobs()
    follower = SideEffectFollower(database_url, registry, jobs)
    follower.run_once()
    registry.amend_submission(
        sid, {"comments": "By the submitter."}, actor="submitter", by_admin=False
    )
    registry.amend_submission(sid, {"comments": "By an admin."}, actor="admin:x", by_admin=True)
    registry.amend_submission(
        sid, {"biotools_url": "https://bio.tools/bwa"}, actor="submitter", by_admin=False
    )
    registry.change_status(sid, "under_review", actor="admin:x", by_admin=True)
    follower.run_once()
    kinds = [(name, args[0]) for name, args in jobs.sent]
    assert kinds == [
        ("send_mail", "updated"),
        ("send_mail", "updated"),
        ("sync_biotools", str(sid)),
        ("send_mail", "status_changed"),
    ]


def test_the_running_follower_picks_up_new_events(database_url: str, registry: Registry) -> None:
    jobs = Jobs()
    follower = SideEffectFollower(database_url, registry, jobs)
    follower.run_once()
    stop = threading.Event()
    thread = threading.Thread(target=follower.run, args=(stop,), kwargs={"interval": 0.05})
    thread.start()
    try:
        registration = register(registry)
        deadline = time.monotonic() + 10
        while not jobs.sent and time.monotonic() < deadline:
            time.sleep(0.02)
        assert jobs.sent == [
            ("send_mail", ("created", str(registration.submission_id), jobs.sent[0][1][2]))
        ]
    finally:
        stop.set()
        thread.join(timeout=10)
