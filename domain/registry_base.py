"""Infrastructure shared by the Registry's command groups: ports, saving, loading."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import MutableOrImmutableAggregate
from eventsourcing.persistence import IntegrityError, Mapper, PersistenceError, Recording
from eventsourcing.utils import EnvType

from domain.catalog import ReferenceCatalog, sample_catalog
from domain.errors import ConcurrentModification, Gone, NotFound, StaleVersion, ValidationFailed
from domain.fields import DEFAULT_EXEMPT_FIELDS, valid_exempt_fields
from domain.lookups import DisplayAdapter, RepositoryReferences
from domain.personal import InMemoryKeyVault, KeyVault, PersonalDataMapper
from domain.reference_cache import DEFAULT_MAX_AGE, ReferenceCache
from domain.submission import Submission
from domain.text import unstorable_fields

Clock = Callable[[], datetime]

log = logging.getLogger(__name__)


class Saver(Protocol):
    """Port: something that saves aggregates like ``Application.save`` (e.g. a group committer)."""

    def save(self, *aggregates: Any) -> list[Recording[Any]]:
        """Save the aggregates' pending events; IntegrityError when they conflict."""
        ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RegistryBase(Application[UUID]):
    """Infrastructure shared by the command groups: ports, saving, loading."""

    name = "registry"
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        Submission: 50
    }

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        reference_catalog: ReferenceCatalog | None = None,
        key_vault: KeyVault | None = None,
        exempt_fields: Iterable[str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.catalog: ReferenceCatalog = reference_catalog or sample_catalog()
        self.key_vault: KeyVault = key_vault or InMemoryKeyVault()
        self.exempt_fields = valid_exempt_fields(
            DEFAULT_EXEMPT_FIELDS if exempt_fields is None else set(exempt_fields)
        )
        self.clock: Clock = clock or _utcnow
        # The composition root may route saves through a group committer (projections.group_commit).
        self.group_committer: Saver | None = None
        super().__init__(env)
        # An event store that can remove what older releases stored in clear when a
        # submission is erased (in the erasure's transaction) is given the mapper's redaction.
        redact_with = getattr(self.recorder, "redact_with", None)
        if callable(redact_with) and isinstance(self.mapper, PersonalDataMapper):
            redact_with(self.mapper.redacted)
        max_age = self.env.get("REFERENCE_CACHE_MAX_AGE")
        self.reference_cache = ReferenceCache(
            DEFAULT_MAX_AGE if max_age is None else float(max_age)
        )

    def construct_mapper(self) -> Mapper[UUID]:
        """A mapper that encrypts personal fields with per-submission keys."""
        base = super().construct_mapper()
        return PersonalDataMapper(
            transcoder=base.transcoder,
            vault=self.key_vault,
            compressor=base.compressor,
            cipher=base.cipher,
            # A vault may mint a new submission's key without a round trip (and store it with
            # the events); one that cannot has no such method and every key comes from key_for.
            mint_fresh=getattr(self.key_vault, "mint_fresh", None),
        )

    def _save(self, *aggregates: Any) -> int | None:
        """Save in one transaction; a concurrent writer's win becomes ConcurrentModification.

        Every pending event's payload is checked first: a string PostgreSQL cannot store (NUL,
        a lone surrogate) is refused here, naming its field, whichever command produced it, so
        no event can ever stop the projections that read it (``domain.text``).
        """
        try:
            _check_storable(aggregates)
            saver = self.group_committer
            recordings = saver.save(*aggregates) if saver else self.save(*aggregates)
        except IntegrityError as exc:
            msg = "The resource was changed by another request; reload and retry."
            raise ConcurrentModification(msg) from exc
        finally:
            # After the save: a load that raced it cannot leave the old record cached.
            self.reference_cache.forget(a.id for a in aggregates)
        return recordings[-1].notification.id if recordings else None

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Take the due snapshots; a failure is logged, not raised. It happens after the events
        committed, and a command that raised then would be reported as not recorded; a missed
        snapshot only makes loading that aggregate read more events until the next one."""
        try:
            super()._take_snapshots(processing_event)
        except PersistenceError:
            log.warning("a snapshot could not be saved", exc_info=True)

    def _load(self, aggregate_id: UUID, kind: type[Any], version: int | None = None) -> Any:
        try:
            aggregate: Any = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFound(f"{kind.__name__} {aggregate_id} not found.") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"{kind.__name__} {aggregate_id} not found.")
        if isinstance(aggregate, Submission):
            aggregate.adopt_catalogue()  # a snapshot may predate a field or a rename
        return aggregate

    def _submission(self, submission_id: UUID, expected_version: int | None = None) -> Submission:
        submission: Submission = self._load(submission_id, Submission)
        if submission.is_erased:
            raise Gone(f"Submission {submission_id} was erased.")
        if expected_version is not None and expected_version != submission.version:
            raise StaleVersion(expected_version, submission.version)
        return submission

    def display_names(self) -> DisplayAdapter:
        """How references are shown to people (change records, mails): by name, not id."""
        return self._refs()[1]

    def _refs(self) -> tuple[RepositoryReferences, DisplayAdapter]:
        refs = RepositoryReferences(self.repository, self.catalog, self.reference_cache)
        return refs, DisplayAdapter(refs, self.catalog)

    def _today(self) -> date:
        return self.clock().date()


def _check_storable(aggregates: Iterable[Any]) -> None:
    errors: dict[str, list[str]] = {}
    for aggregate in aggregates:
        for pending in aggregate.pending_events:
            for field, messages in unstorable_fields(vars(pending)).items():
                errors.setdefault(field, messages)
    if errors:
        raise ValidationFailed(errors)
