"""In-memory stand-ins for the registry ports the workers use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workers.notifications import Notification


class InMemoryLinks:
    """Submission -> bio.tools links, and what was recorded, like the domain does it: an
    identical record, or a result for a link that has moved on, records nothing."""

    def __init__(self, links: Mapping[str, str] | None = None) -> None:
        self.links: dict[str, str] = dict(links or {})
        self.records: dict[str, dict[str, Any]] = {}
        self.syncs: list[tuple[str, str]] = []
        self.failures: list[tuple[str, str, str]] = []

    def linked_biotools_id(self, submission_id: str) -> str | None:
        return self.links.get(submission_id)

    def record_sync(self, submission_id: str, biotools_id: str, record: Mapping[str, Any]) -> bool:
        if self.links.get(submission_id) != biotools_id:
            return False
        if self.records.get(submission_id) == dict(record):
            return False
        self.records[submission_id] = dict(record)
        self.syncs.append((submission_id, biotools_id))
        return True

    def record_failure(self, submission_id: str, biotools_id: str, error: str) -> bool:
        if self.links.get(submission_id) != biotools_id:
            return False
        self.failures.append((submission_id, biotools_id, error))
        return True


class InMemoryNotifications:
    """Notifications keyed by (submission id, position)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, int], Notification] = {}

    def notification(self, kind: str, submission_id: str, position: int) -> Notification | None:
        return self.items.get((submission_id, position))


SUBMISSION: dict[str, Any] = {
    "id": "00000000-0000-4000-8000-0000000000aa",
    "service_name": "Sample Service",
    "status": "submitted",
    "submitter_first_name": "Ada",
    "submitter_last_name": "Lovelace",
    "internal_contact_email": "ada@example.org",
}
