"""Admin API keys (scope ``read`` or ``full``), created from the command line, never deleted."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event


class AdminKey(Aggregate):
    """An admin key; only its SHA-256 hex is recorded."""

    TOPIC = "registry/AdminKey/v1"

    class Event(Aggregate.Event):
        """Base of admin key events."""

        TOPIC = "registry/AdminKey.Event/v1"

    class Created(Event, Aggregate.Created):
        """The key was created."""

        TOPIC = "registry/AdminKey.Created/v1"
        label: str
        scope: str
        key_hash: str
        created_by: str

    class Imported(Created):
        """An admin key of the existing system was imported: its hash, label, scope, creator,
        original ``created_at`` (ISO) and whether it was still active."""

        TOPIC = "registry/AdminKey.Imported/v1"
        class_version = 1
        created_at: str
        is_active: bool

        def apply(self, aggregate: Any) -> None:
            """Keep the existing system's state (``__init__`` makes every key active)."""
            aggregate.is_active = self.is_active
            aggregate.original_created_at = self.created_at

    class Revoked(Event):
        """The key was revoked for good."""

        TOPIC = "registry/AdminKey.Revoked/v1"
        actor: str

    @event(Created)
    def __init__(self, label: str, scope: str, key_hash: str, created_by: str) -> None:
        self.label = label
        self.scope = scope
        self.key_hash = key_hash
        self.created_by = created_by
        self.is_active = True

    @event(Revoked)
    def revoke(self, actor: str) -> None:
        """Revoke the key."""
        self.is_active = False
