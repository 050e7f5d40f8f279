"""What the import commands take: the existing system's records in plain, typed shapes.

``registry.importing`` builds them from a ``dumpdata`` export; ``domain.import_commands`` records
them. Times are timezone-aware (naive ones are taken as UTC).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.changes import Change
from domain.fields import LABELS, RENAMED_FIELDS


@dataclass(frozen=True)
class LegacyKey:
    """A key of the existing system: only its SHA-256 hex, never a plaintext."""

    key_id: UUID
    key_hash: str
    label: str
    scope: str
    created_by: str
    created_at: datetime
    is_active: bool


@dataclass(frozen=True)
class LegacyChange:
    """One ``SubmissionChangeLog`` row."""

    changed_by: str
    changed_at: datetime
    changes: list[dict[str, Any]]


@dataclass(frozen=True)
class LegacySubmission:
    """A submission of the existing system; ``data`` uses today's wire names (raw values)."""

    submission_id: UUID
    data: Mapping[str, object]
    status: str
    submitted_at: datetime
    updated_at: datetime
    primary_maturity_tag: str | None = None
    secondary_maturity_tags: list[str] = field(default_factory=list)
    submission_ip: str | None = None
    user_agent_hash: str = ""
    keys: list[LegacyKey] = field(default_factory=list)
    history: list[LegacyChange] = field(default_factory=list)


def iso_utc(moment: datetime) -> str:
    """UTC, like every time the registry records (naive times are taken as UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def legacy_changes(changes: Sequence[Mapping[str, Any]]) -> list[Change]:
    """Change records as strings, with renamed fields under today's name and label."""
    out: list[Change] = []
    for change in changes:
        name = str(change.get("field") or "")
        label = str(change.get("label") or "")
        if name in RENAMED_FIELDS:
            name = RENAMED_FIELDS[name]
            label = LABELS.get(name, label)
        old, new = change.get("old"), change.get("new")
        out.append(
            {
                "field": name,
                "label": label,
                "old": "" if old is None else str(old),
                "new": "" if new is None else str(new),
            }
        )
    return out
