"""Erasure on the real event store: the key is destroyed in the event's transaction (a process
that dies after the commit leaves nothing readable; an erasure that loses a race destroys
nothing), what an older release stored in clear is removed with it, and another process's
caches drop the submission when the erasure is announced."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from domain.errors import ConcurrentModification
from domain.personal import ERASED
from projections.eventstore import open_registry
from projections.key_vault import PostgresKeyVault
from projections.progress import ProgressListener
from projections.queries import ReadModel
from tests.integration.projections.read.conftest import ADMIN, Stack

LEGACY_IP = "203.0.113.9"
LEGACY_UA_HASH = "ab" * 32
LEGACY_COMMENT = "Ofelia Brandtstaetter answers on +49 30 555 0177"


@pytest.fixture
def pool(stack: Stack) -> Iterator[ConnectionPool[Any]]:
    with ConnectionPool(stack.url, min_size=1, max_size=3, open=True) as opened:
        yield opened


def key_of(url: str, subject: UUID) -> tuple[bool, bytes | None]:
    """(whether the subject has a key row, its key)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT key FROM registry_subject_keys WHERE subject = %s", (subject,)
        ).fetchone()
    return (row is not None, None if row is None or row[0] is None else bytes(row[0]))


def topics_of(url: str, subject: UUID) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT topic FROM registry_events WHERE originator_id = %s"
            " ORDER BY originator_version",
            (subject,),
        ).fetchall()
    return [r[0] for r in rows]


def raw_events(url: str, subject: UUID) -> bytes:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT state FROM registry_events WHERE originator_id = %s", (subject,)
        ).fetchall()
    return b"".join(bytes(r[0]) for r in rows)


def until(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Whether ``check()`` became true within ``timeout`` seconds (polled)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_process_that_dies_after_the_commit_leaves_the_key_destroyed_and_no_snapshot(
    stack: Stack, pool: ConnectionPool[Any]
) -> None:
    class DiesAfterTheCommit(PostgresKeyVault):
        """The domain destroys the key after the save; this process never gets there."""

        def destroy(self, subject: UUID) -> None:
            raise SystemExit("killed between the commit and the vault's destroy")

    app = open_registry(stack.url, key_vault=DiesAfterTheCommit(pool))
    sid = stack.register().submission_id
    for n in range(50):  # a snapshot (every 50 versions) holds the state too
        stack.app.amend_submission(sid, {"license_note": f"n{n}"}, actor=ADMIN, by_admin=True)
    with psycopg.connect(stack.url) as conn:
        snapshots = "SELECT count(*) FROM registry_snapshots WHERE originator_id = %s"
        assert conn.execute(snapshots, (sid,)).fetchone() == (1,)
    try:
        with pytest.raises(SystemExit):
            app.erase_submission(sid, actor=ADMIN)
    finally:
        app.close()

    assert key_of(stack.url, sid) == (True, None)
    assert topics_of(stack.url, sid)[-1] == "registry/Submission.Erased/v2"
    with psycopg.connect(stack.url) as conn:
        assert conn.execute(snapshots, (sid,)).fetchone() == (0,)
    fresh = open_registry(stack.url, key_vault=PostgresKeyVault(pool, ttl=0))
    try:
        events: list[Any] = list(fresh.events.get(sid))
        assert events[0].values["submitter_last_name"] == ERASED
        assert events[0].submission_ip == ERASED
        assert events[-2].values["license_note"] == "n49"
    finally:
        fresh.close()


def test_an_erasure_that_loses_a_race_destroys_nothing_and_records_nothing(
    stack: Stack, pool: ConnectionPool[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = stack.register().submission_id
    other = open_registry(stack.url, key_vault=PostgresKeyVault(pool, ttl=0))
    save = stack.app._save

    def racing_save(*aggregates: Any) -> int | None:
        other.amend_submission(sid, {"license_note": "won"}, actor=ADMIN, by_admin=True)
        return save(*aggregates)

    monkeypatch.setattr(stack.app, "_save", racing_save)
    try:
        with pytest.raises(ConcurrentModification):
            stack.app.erase_submission(sid, actor=ADMIN)
        exists, key = key_of(stack.url, sid)
        assert exists
        assert key is not None
        assert not any("Erased" in t for t in topics_of(stack.url, sid))
        view = other.get_submission(sid)
        assert view.values["submitter_last_name"] == "Lovelace"
        assert view.values["license_note"] == "won"
    finally:
        other.close()


def test_what_an_older_release_stored_in_clear_reads_erased_and_is_removed(
    stack: Stack,
) -> None:
    sid = stack.register().submission_id
    with psycopg.connect(stack.url) as conn:
        (state,) = conn.execute(
            "SELECT state FROM registry_events WHERE originator_id = %s AND originator_version = 1",
            (sid,),
        ).fetchone() or (None,)
        # As Registered/v2 was stored before the IP, the UA hash and comments were personal.
        payload = json.loads(bytes(state))
        payload["submission_ip"] = LEGACY_IP
        payload["user_agent_hash"] = LEGACY_UA_HASH
        payload["values"]["comments"] = LEGACY_COMMENT
        conn.execute(
            "UPDATE registry_events SET state = %s WHERE originator_id = %s"
            " AND originator_version = 1",
            (json.dumps(payload, separators=(",", ":")).encode(), sid),
        )
    legacy = stack.app.get_submission(sid)  # old payloads still load, in clear
    assert (legacy.submission_ip, legacy.user_agent_hash) == (LEGACY_IP, LEGACY_UA_HASH)
    assert legacy.values["comments"] == LEGACY_COMMENT
    assert LEGACY_IP.encode() in raw_events(stack.url, sid)

    stack.app.erase_submission(sid, actor=ADMIN, reason="legacy")
    stack.sync()

    blob = raw_events(stack.url, sid)
    for value in (LEGACY_IP, LEGACY_UA_HASH, LEGACY_COMMENT, "Lovelace"):
        assert value.encode() not in blob, value
    registered: Any = next(iter(stack.app.events.get(sid)))
    assert (registered.submission_ip, registered.user_agent_hash) == (ERASED, ERASED)
    assert registered.values["comments"] == ERASED
    assert registered.values["service_name"] == "Sequence Mapper"
    before = stack.read.submission_as_of(sid, registered.timestamp)
    assert before is not None
    assert before["comments"] == ERASED
    assert LEGACY_COMMENT not in json.dumps(stack.read.history(sid))


def test_another_process_drops_its_cached_key_when_told(
    stack: Stack, pool: ConnectionPool[Any]
) -> None:
    reg = stack.register()
    sid = reg.submission_id
    stack.sync()
    # "Another process": its own vault (keys kept an hour), application, read model, listener.
    told, untold = PostgresKeyVault(pool, ttl=3600), PostgresKeyVault(pool, ttl=3600)
    app = open_registry(stack.url, key_vault=told)
    read = ReadModel(pool, registry=app)
    listener = ProgressListener(stack.url, poll_interval=0.2)
    listener.on_erasure(read.forget_erased)
    listener.on_erasure(told.forget_erased)
    try:
        assert until(lambda: listener.stamp("submissions") is not None)
        now = datetime.now(UTC)
        seen = read.submission_as_of(sid, now)
        assert seen is not None
        assert seen["submitter_last_name"] == "Lovelace"
        assert read.history_json(sid) is not None
        assert told.key_for(sid, create=False) is not None
        assert untold.key_for(sid, create=False) is not None

        stack.app.erase_submission(sid, actor=ADMIN)

        assert until(lambda: told.key_for(sid, create=False) is None)
        # The control: a vault nobody tells keeps the key for its ttl.
        assert untold.key_for(sid, create=False) is not None
        stack.sync()
        assert read.submission_as_of(sid, datetime.now(UTC)) is None
        assert read.erased(sid)
    finally:
        listener.close()
        app.close()


def test_the_error_text_of_an_erased_submissions_dead_letters_is_blanked(stack: Stack) -> None:
    sid = stack.register().submission_id
    kept = stack.register(service_name="Kept").submission_id
    with psycopg.connect(stack.url) as conn:
        for subject in (sid, kept):
            conn.execute(
                "INSERT INTO projection_dead_letters (name, version, position, topic,"
                " originator_id, originator_version, error, traceback)"
                " VALUES ('toy', 1, 1, 't', %s, 1, 'bad value Lovelace', 'Traceback: Lovelace')",
                (str(subject),),
            )
    stack.app.erase_submission(sid, actor=ADMIN)
    with psycopg.connect(stack.url) as conn:
        rows = dict(
            conn.execute(
                "SELECT originator_id, error || traceback FROM projection_dead_letters"
            ).fetchall()
        )
    assert rows == {
        str(sid): "[erased][erased]",
        str(kept): "bad value LovelaceTraceback: Lovelace",
    }
