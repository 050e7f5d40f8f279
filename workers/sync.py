"""One bio.tools sync of one submission, independent of any job queue.

`sync_submission` reads the submission's current link, fetches the entry and records the
result through a `BioToolsLinks` port (the registry in production, an in-memory fake in tests).
A 404 or an invalid answer is recorded as a failure and is final; a rate limit or an outage is
raised for the caller (the actor, the scheduler) to retry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from workers.biotools_client import BioToolsInvalidResponse, BioToolsNotFound, FetchedTool

__all__ = ["BioToolsLinks", "SyncResult", "sync_submission"]

Outcome = Literal["synced", "unchanged", "unlinked", "not_found", "invalid"]


class BioToolsLinks(Protocol):
    """What the sync needs from the registry."""

    def linked_biotools_id(self, submission_id: str) -> str | None:
        """The bio.tools ID the submission links to now; None if unlinked, erased or unknown."""

    def record_sync(self, submission_id: str, biotools_id: str, record: Mapping[str, Any]) -> bool:
        """Record a fetched entry; False when nothing was recorded (identical or stale)."""

    def record_failure(self, submission_id: str, biotools_id: str, error: str) -> bool:
        """Record a failed fetch; False when nothing was recorded."""


@dataclass(frozen=True)
class SyncResult:
    """What one sync did."""

    submission_id: str
    biotools_id: str | None
    outcome: Outcome


def sync_submission(
    links: BioToolsLinks, fetch: Callable[[str], FetchedTool], submission_id: str
) -> SyncResult:
    """Sync one submission once; `fetch` is `BioToolsClient.fetch` (or a retrying variant).
    Raises `BioToolsRateLimited` / `BioToolsUnavailable` when the fetch does."""
    biotools_id = links.linked_biotools_id(submission_id)
    if not biotools_id:
        return SyncResult(submission_id, None, "unlinked")
    try:
        fetched = fetch(biotools_id)
    except BioToolsNotFound as exc:
        links.record_failure(submission_id, biotools_id, str(exc))
        return SyncResult(submission_id, biotools_id, "not_found")
    except BioToolsInvalidResponse as exc:
        links.record_failure(submission_id, biotools_id, str(exc))
        return SyncResult(submission_id, biotools_id, "invalid")
    # Recorded under the ID the submission links to (the domain ignores results for a link that
    # has moved on); the record itself carries bio.tools' own spelling.
    recorded = links.record_sync(submission_id, biotools_id, fetched.record)
    return SyncResult(submission_id, biotools_id, "synced" if recorded else "unchanged")
