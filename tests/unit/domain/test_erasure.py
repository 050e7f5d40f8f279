"""Erasure: personal data encrypted at rest, key destroyed, history replayable."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.application import Registry
from domain.errors import Gone, NotFound
from domain.personal import ERASED, InMemoryKeyVault
from domain.submission import Submission

from .conftest import history

PERSONAL = {
    "submitter_first_name": "Ada",
    "submitter_last_name": "Lovelace",
    "submitter_affiliation": "Analytical Engines Ltd",
    "internal_contact_name": "Ada Lovelace",
    "internal_contact_email": "ada@mapper.example.org",
    "public_contact_email": "help@mapper.example.org",
}


def stored_bytes(app: Registry) -> bytes:
    return b"".join(n.state for n in app.recorder.select_notifications(start=1, limit=10_000))


def test_personal_values_are_not_stored_in_clear(app: Registry, registered: Any) -> None:
    app.amend_submission(
        registered.submission_id,
        {"internal_contact_email": "grace@hopper.example.org"},
        actor="api:k",
        by_admin=False,
    )
    blob = stored_bytes(app)
    for value in [*PERSONAL.values(), "grace@hopper.example.org"]:
        # As a JSON string, quotes included: a ciphertext's base64 never holds a quote, and
        # held "Ada" by chance in about 2 % of runs.
        assert json.dumps(value).encode() not in blob
    assert b"Sequence Mapper" in blob
    view = app.get_submission(registered.submission_id)
    assert view.values["internal_contact_email"] == "grace@hopper.example.org"
    assert view.values["submitter_first_name"] == "Ada"


def test_erasure_hides_the_submission_and_keeps_a_replayable_history(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    app.amend_submission(
        sid,
        {
            "public_contact_email": "https://mapper.example.org/help",
            "comments": "Call Ada on +49 521 0000",
            "license_note": "kept",
        },
        actor="api:k",
        by_admin=False,
    )
    app.erase_submission(sid, actor="admin:root")

    with pytest.raises(NotFound):
        app.get_submission(sid)
    with pytest.raises(NotFound):
        app.amend_submission(sid, {"comments": "x"}, actor="api:k", by_admin=False)
    with pytest.raises(NotFound):
        app.change_status(sid, "deprecated", actor="admin:root", by_admin=True)

    events = history(app, sid)
    registered_event, amended, erased = events[0], events[-2], events[-1]
    assert isinstance(erased, Submission.Erased)
    assert erased.actor == "admin:root"
    for field in PERSONAL:
        assert registered_event.values[field] == ERASED
    assert registered_event.values["service_name"] == "Sequence Mapper"
    contact = next(c for c in amended.changes if c["field"] == "public_contact_email")
    assert contact["old"] == ERASED
    assert contact["new"] == ERASED
    comments = next(c for c in amended.changes if c["field"] == "comments")
    assert (comments["old"], comments["new"]) == (ERASED, ERASED)
    assert amended.values["comments"] == ERASED
    note = next(c for c in amended.changes if c["field"] == "license_note")
    assert note["new"] == "kept"
    assert amended.values["license_note"] == "kept"

    before: Any = app.repository.get(sid, version=len(events) - 1)
    assert before.values["submitter_last_name"] == ERASED
    assert before.values["license_note"] == "kept"


def test_erasing_twice_records_nothing(app: Registry, registered: Any) -> None:
    app.erase_submission(registered.submission_id, actor="admin:root")
    head = app.recorder.max_notification_id()
    with pytest.raises(Gone):
        app.erase_submission(registered.submission_id, actor="admin:root")
    assert app.recorder.max_notification_id() == head


def test_an_unknown_submission_is_not_found_not_gone(app: Registry) -> None:
    with pytest.raises(NotFound) as raised:
        app.erase_submission(uuid4(), actor="admin:root")
    assert not isinstance(raised.value, Gone)


def test_snapshots_are_erased_too(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    for i in range(50):
        app.amend_submission(sid, {"license_note": f"c{i}"}, actor="api:k", by_admin=False)
    assert app.snapshots is not None
    snapshot_states = b"".join(s.state for s in app.snapshots.recorder.select_events(sid))
    assert snapshot_states
    assert b"Lovelace" not in snapshot_states
    app.erase_submission(sid, actor="admin:root")
    restored: Any = app.repository.get(sid)
    assert restored.values["submitter_last_name"] == ERASED
    assert restored.values["license_note"] == "c49"


class MintingVault(InMemoryKeyVault):
    """A vault that can mint a new submission's key itself (as one that stores it with the
    events does); records which subjects took which path."""

    def __init__(self) -> None:
        super().__init__()
        self.minted: list[UUID] = []
        self.asked: list[UUID] = []

    def mint_fresh(self, subject: UUID) -> bytes:
        self.minted.append(subject)
        key = self.key_for(subject, create=True)
        assert key is not None
        return key

    def key_for(self, subject: UUID, create: bool) -> bytes | None:
        if create:
            self.asked.append(subject)
        return super().key_for(subject, create)


class TestAVaultThatMintsNewSubjectsKeys:
    @pytest.fixture
    def vault(self) -> MintingVault:
        return MintingVault()

    @pytest.fixture
    def app(self, vault: MintingVault) -> Registry:
        return Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, key_vault=vault)

    def test_mints_the_key_of_a_registration_and_is_asked_for_later_events(
        self, app: Registry, vault: MintingVault, registered: Any
    ) -> None:
        sid = registered.submission_id
        assert vault.minted == [sid]
        vault.asked.clear()
        app.amend_submission(
            sid, {"internal_contact_name": "Ann Other"}, actor="api:Initial key", by_admin=False
        )
        assert vault.minted == [sid]
        assert vault.asked == [sid]
        assert app.get_submission(sid).values["internal_contact_name"] == "Ann Other"
