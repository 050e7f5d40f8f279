"""A submission's bio.tools record, kept apart so worker syncs never conflict with owner edits.

Its id is ``uuid5(NAMESPACE, "biotools-record:<submission id>")``; every event names the
``submission_id``. ``record`` is the parsed entry as flat stdlib values (the worker decides its
shape; the raw JSON may be included under ``raw_json``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids

MAX_ERROR_LENGTH = 2000


def biotools_id_from_url(url: str) -> str | None:
    """``https://bio.tools/<id>`` (optionally with a trailing slash or path) -> ``<id>``."""
    prefix = "https://bio.tools/"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0].strip("/")
    if rest.startswith("tool/"):
        rest = rest[len("tool/") :]
    return rest.split("/", 1)[0] or None


class BioToolsRecord(Aggregate):
    """The last synced bio.tools entry of one submission, or the last failure."""

    TOPIC = "registry/BioToolsRecord/v1"

    class Event(Aggregate.Event):
        """Base of bio.tools record events."""

        TOPIC = "registry/BioToolsRecord.Event/v1"

    class Created(Event, Aggregate.Created):
        """The record was started for a submission."""

        TOPIC = "registry/BioToolsRecord.Created/v1"
        submission_id: str

    class BioToolsSynced(Event):
        """The entry ``biotools_id`` was fetched; ``record`` is its parsed content."""

        TOPIC = "registry/BioToolsRecord.BioToolsSynced/v1"
        submission_id: str
        biotools_id: str
        record: dict[str, Any]
        actor: str

    class BioToolsSyncFailed(Event):
        """Fetching ``biotools_id`` failed; ``error`` is truncated to 2000 characters."""

        TOPIC = "registry/BioToolsRecord.BioToolsSyncFailed/v1"
        submission_id: str
        biotools_id: str
        error: str
        actor: str

    @staticmethod
    def create_id(submission_id: str) -> UUID:
        """``uuid5(NAMESPACE, "biotools-record:<submission id>")``."""
        return ids.biotools_record_id(submission_id)

    @event(Created)
    def __init__(self, submission_id: str) -> None:
        self.submission_id = submission_id
        self.biotools_id: str | None = None
        self.record: dict[str, Any] | None = None
        self.sync_error = ""

    @event(BioToolsSynced)
    def synced(
        self, submission_id: str, biotools_id: str, record: dict[str, Any], actor: str
    ) -> None:
        """Record a successful sync."""
        self.biotools_id = biotools_id
        self.record = dict(record)
        self.sync_error = ""

    @event(BioToolsSyncFailed)
    def failed(self, submission_id: str, biotools_id: str, error: str, actor: str) -> None:
        """Record a failed sync (the last good record is kept)."""
        self.biotools_id = biotools_id
        self.sync_error = error[:MAX_ERROR_LENGTH]
