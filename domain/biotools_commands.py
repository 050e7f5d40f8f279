"""Registry commands that record bio.tools sync results (called by the worker)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain import ids
from domain.biotools import MAX_ERROR_LENGTH, BioToolsRecord
from domain.registry_base import RegistryBase
from domain.results import SyncOutcome
from domain.submission import Submission


class BioToolsCommands(RegistryBase):
    """Record syncs and failures on the submission's separate BioToolsRecord aggregate."""

    def _biotools_record(self, submission_id: UUID) -> tuple[Submission, BioToolsRecord]:
        submission = self._submission(submission_id)
        record_id = ids.biotools_record_id(submission_id)
        try:
            record: Any = self.repository.get(record_id)
        except AggregateNotFoundError:
            record = BioToolsRecord(submission_id=str(submission_id))
        assert isinstance(record, BioToolsRecord)
        return submission, record

    def _skip(self, submission: Submission, record: BioToolsRecord) -> SyncOutcome:
        return SyncOutcome(submission.id, record.id, None, record.version, False)

    def record_biotools_sync(
        self,
        submission_id: UUID,
        biotools_id: str,
        record: Mapping[str, Any],
        *,
        actor: str = "worker:biotools",
    ) -> SyncOutcome:
        """Store a fetched entry; a stale id (link moved on) or an identical entry is a no-op."""
        submission, aggregate = self._biotools_record(submission_id)
        if submission.biotools_id != biotools_id:
            return self._skip(submission, aggregate)
        content = dict(record)
        if (
            aggregate.biotools_id == biotools_id
            and aggregate.record == content
            and not aggregate.sync_error
        ):
            return self._skip(submission, aggregate)
        aggregate.synced(
            submission_id=str(submission_id), biotools_id=biotools_id, record=content, actor=actor
        )
        position = self._save(aggregate)
        return SyncOutcome(submission.id, aggregate.id, position, aggregate.version, True)

    def record_biotools_failure(
        self,
        submission_id: UUID,
        biotools_id: str,
        error: str,
        *,
        actor: str = "worker:biotools",
    ) -> SyncOutcome:
        """Store a failed fetch (the last good entry is kept); the same error twice is a no-op."""
        submission, aggregate = self._biotools_record(submission_id)
        error = error[:MAX_ERROR_LENGTH]
        if submission.biotools_id != biotools_id or (
            aggregate.biotools_id == biotools_id and aggregate.sync_error == error
        ):
            return self._skip(submission, aggregate)
        aggregate.failed(
            submission_id=str(submission_id), biotools_id=biotools_id, error=error, actor=actor
        )
        position = self._save(aggregate)
        return SyncOutcome(submission.id, aggregate.id, position, aggregate.version, True)

    def get_biotools_record(self, submission_id: UUID) -> BioToolsRecord | None:
        """The submission's bio.tools record aggregate, if any sync was recorded."""
        try:
            record: Any = self.repository.get(ids.biotools_record_id(submission_id))
        except AggregateNotFoundError:
            return None
        return record if isinstance(record, BioToolsRecord) else None
