"""The Registry on the real PostgreSQL: no lost updates, erasure survives a replay."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

import psycopg
import pytest

from domain.application import Registry
from domain.errors import ConcurrentModification
from domain.personal import ERASED, InMemoryKeyVault
from domain.submission import Submission

from .conftest import history, seed

pytestmark = pytest.mark.integration
OWNER = "api:Initial key"


class RacingRegistry(Registry):
    """Holds every save at a barrier so that two commands built on the same version collide."""

    name = "registry"  # eventsourcing names a subclass after itself unless told otherwise
    barrier: threading.Barrier | None = None

    def _save(self, *aggregates: Any) -> int | None:
        if self.barrier is not None:
            self.barrier.wait(timeout=10)
        return super()._save(*aggregates)


def test_two_concurrent_amendments_never_lose_an_update(pg_env: dict[str, str]) -> None:
    vault = InMemoryKeyVault()  # shared, as the PostgreSQL vault is across processes
    setup = Registry(env=pg_env, key_vault=vault)
    sid = setup.register_submission(seed(setup), ip=None, user_agent_hash="").submission_id
    start_version = setup.get_submission(sid).version

    racers = [
        RacingRegistry(env={**pg_env, "CREATE_TABLE": "n"}, key_vault=vault) for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    for racer in racers:
        racer.barrier = barrier
    edits = [{"comments": "from A"}, {"keywords_seo": "from B"}]

    def amend(index: int) -> str:
        try:
            racers[index].amend_submission(sid, edits[index], actor=OWNER, by_admin=False)
        except ConcurrentModification:
            return "conflict"
        return "saved"

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(amend, range(2)))
    assert sorted(results) == ["conflict", "saved"]

    loser = results.index("conflict")
    racers[loser].barrier = None
    racers[loser].amend_submission(sid, edits[loser], actor=OWNER, by_admin=False)

    view = Registry(env={**pg_env, "CREATE_TABLE": "n"}, key_vault=vault).get_submission(sid)
    assert view.version == start_version + 2
    assert view.values["comments"] == "from A"
    assert view.values["keywords_seo"] == "from B"


def test_many_writers_with_retries_record_every_amendment(pg_env: dict[str, str]) -> None:
    vault = InMemoryKeyVault()
    setup = Registry(env=pg_env, key_vault=vault)
    sid = setup.register_submission(seed(setup), ip=None, user_agent_hash="").submission_id
    writers, per_writer = 4, 5
    conflicts = 0
    lock = threading.Lock()

    def work(writer: int) -> list[str]:
        nonlocal conflicts
        app = Registry(env={**pg_env, "CREATE_TABLE": "n"}, key_vault=vault)
        written = []
        for n in range(per_writer):
            value = f"writer {writer} edit {n}"
            while True:
                try:
                    app.amend_submission(sid, {"comments": value}, actor=OWNER, by_admin=False)
                    break
                except ConcurrentModification:
                    with lock:
                        conflicts += 1
            written.append(value)
        return written

    with ThreadPoolExecutor(max_workers=writers) as pool:
        written = [v for values in pool.map(work, range(writers)) for v in values]

    amended = [e for e in history(setup, sid) if isinstance(e, Submission.Amended)]
    assert sorted(e.values["comments"] for e in amended) == sorted(written)
    versions = [e.originator_version for e in history(setup, sid)]
    assert versions == list(range(1, len(versions) + 1))


def test_erasure_survives_a_replay_from_the_database(
    pg_env: dict[str, str], database_url: str
) -> None:
    vault = InMemoryKeyVault()
    app = Registry(env=pg_env, key_vault=vault)
    data = seed(app)
    sid = app.register_submission(data, ip=None, user_agent_hash="").submission_id
    app.amend_submission(
        sid,
        {"internal_contact_name": "Grace Hopper", "license_note": "kept"},
        actor=OWNER,
        by_admin=False,
    )
    with psycopg.connect(database_url) as conn:
        blob = b"".join(bytes(row[0]) for row in conn.execute("SELECT state FROM registry_events"))
    assert b"Lovelace" not in blob
    assert b"Grace Hopper" not in blob
    assert b"Sequence Mapper" in blob

    app.erase_submission(sid, actor="admin:root")

    replay = Registry(env={**pg_env, "CREATE_TABLE": "n"}, key_vault=vault)
    events = history(replay, UUID(str(sid)))
    assert isinstance(events[-1], Submission.Erased)
    assert events[0].values["submitter_last_name"] == ERASED
    assert events[0].values["service_name"] == "Sequence Mapper"
    amended = events[-2]
    assert amended.values == {"license_note": "kept", "internal_contact_name": ERASED}
    name_change = next(c for c in amended.changes if c["field"] == "internal_contact_name")
    assert (name_change["old"], name_change["new"]) == (ERASED, ERASED)
    state: Any = replay.repository.get(sid)
    assert state.values["internal_contact_email"] == ERASED
    assert state.values["license_note"] == "kept"


def test_racing_amendments_through_the_group_committer_lose_nothing(
    pg_env: dict[str, str],
) -> None:
    from projections.group_commit import GroupCommitter

    vault = InMemoryKeyVault()
    app = RacingRegistry(env=pg_env, key_vault=vault)
    sid = app.register_submission(seed(app), ip=None, user_agent_hash="").submission_id
    start_version = app.get_submission(sid).version
    committer = GroupCommitter(app)
    app.group_committer = committer
    app.barrier = threading.Barrier(2)
    edits = [{"comments": "from A"}, {"keywords_seo": "from B"}]

    def amend(index: int) -> str:
        try:
            app.amend_submission(sid, edits[index], actor=OWNER, by_admin=False)
        except ConcurrentModification:
            return "conflict"
        return "saved"

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(amend, range(2)))
        assert sorted(results) == ["conflict", "saved"]
        app.barrier = None
        loser = results.index("conflict")
        app.amend_submission(sid, edits[loser], actor=OWNER, by_admin=False)
    finally:
        committer.close()
    view = app.get_submission(sid)
    assert view.version == start_version + 2
    assert (view.values["comments"], view.values["keywords_seo"]) == ("from A", "from B")
