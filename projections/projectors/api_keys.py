"""The ``api_keys`` projection: every submission key and admin key, found by its hash.

One row per key owner (a submission, or one admin key): a revocation or an erasure then names its
row directly (the submission id), with no lookup by key id. ``key_hashes`` (a JSONB array with a
GIN index) finds the owner of a presented key hash in one indexed probe.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from projections.projector import Projector, Row, RowKey, Rows, Table
from projections.projectors.events import attr, iso, kind

TABLE = Table(
    name="api_keys",
    key=("owner_id",),
    columns=("owner_id", "submission_id", "key_hashes", "keys"),
    jsonb=frozenset({"key_hashes", "keys"}),
)

_SUBMISSION = (
    "Submission.Registered",
    "Submission.Imported",
    "Submission.KeyIssued",
    "Submission.KeyRevoked",
)


def _relevant(name: str) -> bool:
    return name in _SUBMISSION or name == "Submission.Erased" or name.startswith("AdminKey.")


def _key(event: object) -> RowKey:
    owner: UUID = attr(event, "originator_id")
    return ("api_keys", (owner,))


def _with_keys(row: Row, keys: list[dict[str, Any]]) -> Row:
    return {**row, "keys": keys, "key_hashes": [k["key_hash"] for k in keys]}


def _imported_key(key: Mapping[str, Any]) -> dict[str, Any]:
    """A key imported from the existing system, with its original creation time and state."""
    return {
        "key_id": str(key["key_id"]),
        "key_hash": str(key["key_hash"]),
        "label": str(key.get("label") or ""),
        "scope": str(key.get("scope") or ""),
        "is_active": bool(key.get("is_active")),
        "created_at": iso(datetime.fromisoformat(str(key["created_at"]))),
        "created_by": str(key.get("created_by") or ""),
    }


def apply_event(row: Row | None, event: object) -> Row | None:
    """The owner's row after ``event`` (pure)."""
    name = kind(event)
    owner: UUID = attr(event, "originator_id")
    if name == "Submission.Erased":
        return None
    if name == "Submission.Registered":
        return {"owner_id": owner, "submission_id": owner, "key_hashes": [], "keys": []}
    if name == "Submission.Imported":
        row = {"owner_id": owner, "submission_id": owner, "key_hashes": [], "keys": []}
        return _with_keys(row, [_imported_key(k) for k in attr(event, "keys") or []])
    if name == "AdminKey.Imported":
        row = {"owner_id": owner, "submission_id": None, "key_hashes": [], "keys": []}
        key = {
            "key_id": str(owner),
            "key_hash": str(attr(event, "key_hash")),
            "label": str(attr(event, "label") or ""),
            "scope": str(attr(event, "scope") or ""),
            "created_at": str(attr(event, "created_at")),
            "created_by": str(attr(event, "created_by") or ""),
            "is_active": bool(attr(event, "is_active")),
        }
        return _with_keys(row, [_imported_key(key)])
    if row is None and not name.startswith("AdminKey."):
        return None
    if name in ("Submission.KeyIssued", "AdminKey.Created"):
        base = row or {"owner_id": owner, "submission_id": None, "key_hashes": [], "keys": []}
        key_id = attr(event, "key_id") or str(owner)
        issued = {
            "key_id": str(key_id),
            "key_hash": str(attr(event, "key_hash")),
            "label": str(attr(event, "label") or ""),
            "scope": str(attr(event, "scope") or ""),
            "is_active": True,
            "created_at": iso(attr(event, "timestamp")),
            "created_by": str(attr(event, "created_by") or attr(event, "actor") or ""),
        }
        return _with_keys(base, [*base["keys"], issued])
    if row is None:
        return None
    if name == "Submission.KeyRevoked" or name.endswith(("Revoked", "Deactivated")):
        key_id = str(attr(event, "key_id") or owner)
        keys = [{**k, "is_active": False} if k["key_id"] == key_id else k for k in row["keys"]]
        return _with_keys(row, keys)
    return row


class ApiKeysProjector(Projector):
    """Key hashes to (key id, submission, label, scope, active, created) for authentication."""

    name: ClassVar[str] = "api_keys"
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[Table, ...]] = (TABLE,)

    def keys(self, event: Any) -> list[RowKey]:
        """The owner's row."""
        return [_key(event)] if _relevant(kind(event)) else []

    def apply(self, rows: Rows, event: Any, position: int) -> None:
        """Fold the event into the owner's row."""
        if _relevant(kind(event)):
            rows[_key(event)] = apply_event(rows.get(_key(event)), event)

    def while_quarantined(self, key: RowKey, row: Row | None) -> Row | None:
        """None: no key of a quarantined owner authenticates until the row is released. The
        event held may be a revocation, and a revoked key must never keep working."""
        return None
