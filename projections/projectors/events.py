"""How the read side looks at domain events: by kind name and flat payload attributes.

Projectors dispatch on the event's kind (``"Submission.Amended"``: the aggregate class and the
nested event class) instead of importing each class, so an event class renamed with its old topic
kept registered still lands in the same branch, and the pure cores can be unit-tested with tiny
stand-in events. Payloads are flat standard-library values (see the event catalogue in
``domain/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

ERASED = "[erased]"
"""The marker the domain's mapper yields for a personal value whose key was destroyed."""


class Event(Protocol):
    """The part of an eventsourcing domain event every projector relies on."""

    @property
    def originator_id(self) -> UUID:
        """The aggregate id."""

    @property
    def originator_version(self) -> int:
        """The aggregate version this event created."""

    @property
    def timestamp(self) -> datetime:
        """When the event was recorded (timezone-aware)."""


def kind(event: object) -> str:
    """``"<Aggregate>.<Event>"``, e.g. ``"Submission.Registered"``."""
    name = type(event).__qualname__
    parts = name.split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else name


def attr(event: object, name: str, default: Any = None) -> Any:
    """A payload attribute, or ``default`` when this event class does not carry it."""
    return getattr(event, name, default)


def values(event: object) -> dict[str, Any]:
    """The raw new values an event sets (``values`` payload), as a plain dict."""
    raw = attr(event, "values")
    return dict(raw) if isinstance(raw, Mapping) else {}


def changes(event: object) -> list[dict[str, Any]]:
    """The field-level change records ``[{field, label, old, new}]`` an event carries."""
    raw = attr(event, "changes")
    if not isinstance(raw, list | tuple):
        return []
    return [dict(c) for c in raw if isinstance(c, Mapping)]


def iso(moment: datetime) -> str:
    """RFC 3339 with an explicit offset (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def submission_id_of(event: object) -> UUID:
    """The submission an event concerns: ``submission_id`` payload, else its originator."""
    raw = attr(event, "submission_id")
    if raw is None:
        origin: UUID = attr(event, "originator_id")
        return origin
    return raw if isinstance(raw, UUID) else UUID(str(raw))
