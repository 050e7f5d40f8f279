"""What is personal is encrypted at rest or erased: the IP address, the user-agent hash, the
submitter's comments and the status message too; values an older release stored in clear read
``[erased]`` once the key is destroyed and can be removed from the stored event; the erasure
reason is checked like any text input; the v1 ``Erased`` payload still loads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from domain.application import Registry
from domain.errors import ValidationFailed
from domain.personal import ERASED
from domain.submission import Submission

from .conftest import history

FIXTURES = Path(__file__).parents[2] / "fixtures" / "events"
IP = "198.51.100.23"
UA_HASH = "f00d" * 16
COMMENT = "Call Ofelia on +49 30 555 0177"
MESSAGE = "Dear Ofelia, approved."


def stored(app: Registry, sid: UUID) -> list[StoredEvent]:
    return list(app.recorder.select_events(sid))


def as_legacy(app: Registry, event: StoredEvent, **clear: Any) -> StoredEvent:
    """``event`` as an older release stored it: ``clear`` top-level values and comments in
    clear (the POPO store keeps what it is given)."""
    state = json.loads(event.state)
    comments = clear.pop("comments", None)
    state.update(clear)
    if comments is not None:
        state["values"]["comments"] = comments
    return StoredEvent(
        event.originator_id, event.originator_version, event.topic, json.dumps(state).encode()
    )


@pytest.fixture
def sid(app: Registry, valid_data: Any) -> UUID:
    registered = app.register_submission(
        valid_data(comments=COMMENT), ip=IP, user_agent_hash=UA_HASH
    )
    app.change_status(
        registered.submission_id, "approved", actor="admin:x", by_admin=True, comment=MESSAGE
    )
    return registered.submission_id


def test_the_ip_the_user_agent_hash_comments_and_status_messages_are_not_stored_in_clear(
    app: Registry, sid: UUID
) -> None:
    blob = b"".join(e.state for e in stored(app, sid))
    for value in (IP, UA_HASH, COMMENT, MESSAGE):
        assert value.encode() not in blob, value
    view = app.get_submission(sid)
    assert (view.submission_ip, view.user_agent_hash) == (IP, UA_HASH)
    assert view.values["comments"] == COMMENT
    changed: Any = history(app, sid)[-1]
    assert changed.comment == MESSAGE


def test_after_erasure_they_read_erased(app: Registry, sid: UUID) -> None:
    app.erase_submission(sid, actor="admin:x")
    events: list[Any] = history(app, sid)
    assert (events[0].submission_ip, events[0].user_agent_hash) == (ERASED, ERASED)
    assert events[0].values["comments"] == ERASED
    status = next(e for e in events if isinstance(e, Submission.StatusChanged))
    assert status.comment == ERASED
    assert status.new_status == "approved"


def test_values_an_older_release_stored_in_clear_load_and_read_erased_once_the_key_is_gone(
    app: Registry, sid: UUID
) -> None:
    first = stored(app, sid)[0]
    legacy = as_legacy(app, first, submission_ip=IP, user_agent_hash=UA_HASH, comments=COMMENT)
    loaded: Any = app.mapper.to_domain_event(legacy)
    assert (loaded.submission_ip, loaded.values["comments"]) == (IP, COMMENT)
    app.key_vault.destroy(sid)
    erased: Any = app.mapper.to_domain_event(legacy)
    assert (erased.submission_ip, erased.user_agent_hash) == (ERASED, ERASED)
    assert erased.values["comments"] == ERASED
    assert erased.values["service_name"] == "Sequence Mapper"


def test_redacted_removes_only_what_is_in_clear(app: Registry, sid: UUID) -> None:
    redact = app.mapper.redacted  # type: ignore[attr-defined]
    first = stored(app, sid)[0]
    assert redact(first) is None  # today's events hold nothing in clear
    legacy = as_legacy(app, first, submission_ip=IP, user_agent_hash=UA_HASH, comments=COMMENT)
    cleaned = redact(legacy)
    assert cleaned is not None
    for value in (IP, UA_HASH, COMMENT):
        assert value.encode() not in cleaned.state
    assert (cleaned.originator_id, cleaned.originator_version, cleaned.topic) == (
        first.originator_id,
        first.originator_version,
        first.topic,
    )
    event: Any = app.mapper.to_domain_event(cleaned)
    assert event.submission_ip == ERASED
    assert event.values["submitter_last_name"] == "Lovelace"  # still encrypted, still readable
    assert redact(cleaned) is None


def test_the_erasure_reason_is_normalised_and_bounded(app: Registry, sid: UUID) -> None:
    version = app.get_submission(sid).version
    with pytest.raises(ValidationFailed) as refused:
        app.erase_submission(sid, actor="admin:x", reason="x" * 2001)
    assert list(refused.value.errors) == ["reason"]
    assert app.get_submission(sid).version == version  # nothing recorded: still readable
    with pytest.raises(ValidationFailed) as unstorable:
        app.erase_submission(sid, actor="admin:x", reason="GDPR\x00 request")
    assert list(unstorable.value.errors) == ["reason"]
    done = app.erase_submission(sid, actor="admin:x", reason="  <b>GDPR</b> request ")
    assert done.reason == "GDPR request"
    erased: Any = history(app, sid)[-1]
    assert (erased.actor, erased.reason) == ("admin:x", "GDPR request")


def test_a_stored_v1_erasure_loads_with_an_empty_reason(app: Registry) -> None:
    fixture = json.loads((FIXTURES / "submission_erased_v1.json").read_text())
    event = app.mapper.to_domain_event(
        StoredEvent(
            originator_id=UUID(fixture["originator_id"]),
            originator_version=fixture["originator_version"],
            topic=fixture["topic"],
            state=json.dumps(fixture["state"]).encode(),
        )
    )
    assert isinstance(event, Submission.Erased)
    assert (event.actor, event.reason) == ("admin:alice", "")
    assert event.timestamp.isoformat() == "2026-04-01T09:30:00+00:00"
