"""Submission and admin keys: plaintext once, hashes only, constant-time verification."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from domain import keys
from domain.application import Registry
from domain.errors import NotFound, ValidationFailed
from domain.submission import Submission

from .conftest import history

ADMIN = "admin:root"


def test_a_generated_key_has_64_url_safe_characters() -> None:
    plaintext = keys.generate_key()
    assert len(plaintext) == 64
    assert set(plaintext) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_verify_accepts_the_right_key_only() -> None:
    plaintext = keys.generate_key()
    stored = keys.hash_key(plaintext)
    assert stored == hashlib.sha256(plaintext.encode()).hexdigest()
    assert keys.verify(plaintext, stored)
    assert not keys.verify(plaintext.upper(), stored)
    assert not keys.verify(plaintext, None)


def test_matches_compares_a_hashed_key_as_verify_does() -> None:
    plaintext = keys.generate_key()
    stored = keys.hash_key(plaintext)
    assert keys.matches(keys.hash_key(plaintext), stored)
    assert not keys.matches(keys.hash_key(plaintext.upper()), stored)
    assert not keys.matches(plaintext, stored)  # the plaintext is not its hash
    assert not keys.matches(stored, None)


def test_registration_issues_an_initial_write_key(app: Registry, registered: Any) -> None:
    view = app.get_submission(registered.submission_id)
    (key,) = view.keys
    assert key.key_id == registered.key_id
    assert (key.label, key.scope, key.created_by, key.is_active) == (
        "Initial key",
        "write",
        "submitter",
        True,
    )
    assert key.key_hash == keys.hash_key(registered.api_key)


def test_the_plaintext_never_enters_the_event_store(app: Registry, registered: Any) -> None:
    stored = app.recorder.select_notifications(start=1, limit=1000)
    assert all(registered.api_key.encode() not in n.state for n in stored)
    assert any(keys.hash_key(registered.api_key).encode() in n.state for n in stored)


def test_find_key_matches_active_keys_and_fails_alike_for_unknown_and_revoked(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    assert app.find_key(sid, registered.api_key) is not None
    assert app.find_key(sid, "not-a-key") is None
    app.revoke_key(sid, registered.key_id, actor=ADMIN)
    assert app.find_key(sid, registered.api_key) is None


def test_issue_key_returns_the_plaintext_once(app: Registry, registered: Any) -> None:
    sid = registered.submission_id
    issued = app.issue_key(sid, "CI reader", "read", actor=ADMIN)
    assert issued.position is not None
    assert (issued.label, issued.scope, issued.created_by) == ("CI reader", "read", "root")
    found = app.find_key(sid, issued.api_key)
    assert found is not None
    assert found.scope == "read"
    event = history(app, sid)[-1]
    assert isinstance(event, Submission.KeyIssued)
    assert event.key_hash == keys.hash_key(issued.api_key)
    assert issued.api_key not in repr(vars(event))


def test_issue_key_validates_label_and_scope(app: Registry, registered: Any) -> None:
    with pytest.raises(ValidationFailed) as info:
        app.issue_key(registered.submission_id, " ", "admin", actor=ADMIN)
    assert info.value.errors == {
        "label": ["This field is required."],
        "scope": ['"admin" is not a valid choice.'],
    }


def test_revoking_twice_records_once_and_unknown_keys_are_not_found(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    assert app.revoke_key(sid, registered.key_id, actor=ADMIN).changed
    assert not app.revoke_key(sid, registered.key_id, actor=ADMIN).changed
    from uuid import uuid4

    with pytest.raises(NotFound):
        app.revoke_key(sid, uuid4(), actor=ADMIN)


def test_reset_revokes_all_and_issues_one_labelled_write_key(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    app.issue_key(sid, "second", "read", actor=ADMIN)
    issued = app.reset_keys(sid, actor="admin:alice")
    assert issued.label == "Admin reset 2026-06-15 by alice"
    assert issued.scope == "write"
    view = app.get_submission(sid)
    active = [k for k in view.keys if k.is_active]
    assert [k.key_id for k in active] == [issued.key_id]
    assert app.find_key(sid, registered.api_key) is None
    assert app.find_key(sid, issued.api_key) is not None


def test_admin_keys_store_only_the_hash_and_stay_revoked(app: Registry) -> None:
    issued = app.create_admin_key("ops", "full", created_by="cli")
    key = app.get_admin_key(issued.key_id)
    assert key.key_hash == keys.hash_key(issued.api_key)
    assert key.scope == "full"
    assert key.is_active
    assert app.revoke_admin_key(issued.key_id, actor="cli").changed
    assert not app.revoke_admin_key(issued.key_id, actor="cli").changed
    assert not app.get_admin_key(issued.key_id).is_active
    stored = app.recorder.select_notifications(start=1, limit=100)
    assert all(issued.api_key.encode() not in n.state for n in stored)


def test_admin_key_scope_must_be_read_or_full(app: Registry) -> None:
    with pytest.raises(ValidationFailed):
        app.create_admin_key("ops", "write", created_by="cli")
