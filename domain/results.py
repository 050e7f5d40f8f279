"""Small frozen results of Registry commands and reads (what the API needs, nothing more).

``position`` is the notification id of the last event saved (None when nothing was recorded);
``version`` is the aggregate's version after the command.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Registration:
    """A new submission and its one-time initial key."""

    submission_id: UUID
    key_id: UUID
    api_key: str
    position: int | None
    version: int


@dataclass(frozen=True)
class Outcome:
    """The result of a submission command."""

    submission_id: UUID
    position: int | None
    version: int
    changed: bool
    status: str
    changes: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Erasure:
    """A recorded erasure: who, when and why (``reason`` may be empty)."""

    submission_id: UUID
    position: int | None
    version: int
    actor: str
    reason: str
    erased_at: datetime


@dataclass(frozen=True)
class IssuedKey:
    """A newly issued key; ``api_key`` is the plaintext, shown once."""

    submission_id: UUID
    key_id: UUID
    api_key: str
    label: str
    scope: str
    created_by: str
    created_at: datetime
    position: int | None
    version: int


@dataclass(frozen=True)
class AdminKeyIssued:
    """A newly created admin key; ``api_key`` is the plaintext, shown once."""

    key_id: UUID
    api_key: str
    label: str
    scope: str
    created_at: datetime
    position: int | None
    version: int


@dataclass(frozen=True)
class ReferenceOutcome:
    """The result of a reference-data command (``id`` is an int for categories)."""

    id: UUID | int
    aggregate_id: UUID
    position: int | None
    version: int
    changed: bool


@dataclass(frozen=True)
class SyncOutcome:
    """The result of recording a bio.tools sync or failure."""

    submission_id: UUID
    record_id: UUID
    position: int | None
    version: int
    recorded: bool


@dataclass(frozen=True)
class KeyView:
    """A submission key as stored (never the plaintext)."""

    key_id: UUID
    label: str
    scope: str
    created_by: str
    created_at: datetime
    is_active: bool
    key_hash: str


@dataclass(frozen=True)
class SubmissionView:
    """A submission's state at some version (personal values may read ``"[erased]"``)."""

    id: UUID
    version: int
    status: str
    primary_maturity_tag: str | None
    secondary_maturity_tags: list[str]
    values: dict[str, Any]
    keys: list[KeyView]
    biotools_id: str | None
    submitted_at: datetime
    updated_at: datetime
    submission_ip: str | None
    user_agent_hash: str


def key_view(key: Mapping[str, Any]) -> KeyView:
    """A KeyView of a key as the Submission aggregate keeps it."""
    return KeyView(
        key_id=UUID(key["key_id"]),
        label=key["label"],
        scope=key["scope"],
        created_by=key["created_by"],
        created_at=datetime.fromisoformat(key["created_at"]),
        is_active=key["is_active"],
        key_hash=key["key_hash"],
    )
