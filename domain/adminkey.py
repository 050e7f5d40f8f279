"""Admin API keys (scope ``read`` or ``full``), created from the command line, never deleted."""

from __future__ import annotations

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
