"""Reference lookups backed by the event-sourced reference aggregates and the catalogue.

Implements both ``validation.ReferenceLookup`` and ``changes.DisplayNames`` for one command;
results are cached for the command's duration, and reference records (categories, centres, PIs)
also in the application's `ReferenceCache` when one is given (see its module for the bound).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from domain import ids
from domain.catalog import ReferenceCatalog
from domain.reference import PrincipalInvestigator, ServiceCategory, ServiceCentre
from domain.reference_cache import ReferenceCache
from domain.submission import Submission
from domain.validation import RefInfo

_SHARED_KINDS = (ServiceCategory, ServiceCentre, PrincipalInvestigator)


class RepositoryReferences:
    """Looks reference records up by loading their aggregates."""

    def __init__(
        self,
        repository: Repository[UUID],
        catalog: ReferenceCatalog,
        shared: ReferenceCache | None = None,
    ) -> None:
        self._repository = repository
        self._catalog = catalog
        self._cache: dict[UUID, Any] = {}
        self._shared = shared

    def _load(self, aggregate_id: UUID) -> Any:
        if aggregate_id not in self._cache:
            shared = self._shared
            record = None if shared is None else shared.get(aggregate_id)
            if record is None:
                mark = None if shared is None else shared.now()
                try:
                    record = self._repository.get(aggregate_id)
                except AggregateNotFoundError:
                    record = None
                # Only reference records: they are never changed through this object.
                if shared is not None and mark is not None and isinstance(record, _SHARED_KINDS):
                    shared.put(aggregate_id, record, mark)
            self._cache[aggregate_id] = record
        return self._cache[aggregate_id]

    def _record(self, raw: str | int, kind: type[Any]) -> Any:
        if kind is ServiceCategory:
            record = self._load(ids.category_id(int(raw)))
        else:
            try:
                record = self._load(UUID(str(raw)))
            except ValueError:
                return None
        return record if isinstance(record, kind) else None

    def category(self, category_id: int) -> RefInfo | None:
        """Validation view of a category."""
        record = self._record(category_id, ServiceCategory)
        return None if record is None else RefInfo(is_active=record.is_active)

    def centre(self, centre_id: str) -> RefInfo | None:
        """Validation view of a centre."""
        record = self._record(centre_id, ServiceCentre)
        return None if record is None else RefInfo(is_active=record.is_active)

    def pi(self, pi_id: str) -> RefInfo | None:
        """Validation view of a PI."""
        record = self._record(pi_id, PrincipalInvestigator)
        if record is None:
            return None
        return RefInfo(
            is_active=record.is_active,
            is_associated_partner=bool(record.values.get("is_associated_partner")),
        )

    def submission(self, submission_id: str) -> Submission | None:
        """A live (not erased) submission, or None."""
        record = self._record(submission_id, Submission)
        return None if record is None or record.is_erased else record

    def display(self, raw: str | int, kind: type[Any]) -> str:
        """The change-log text of a reference (its id when unknown)."""
        record = self._record(raw, kind)
        return str(raw) if record is None else str(record.display())


class DisplayAdapter:
    """Adapts RepositoryReferences to the ``DisplayNames`` port."""

    def __init__(self, refs: RepositoryReferences, catalog: ReferenceCatalog) -> None:
        self._refs = refs
        self._catalog = catalog

    def centre(self, centre_id: str) -> str:
        """``"<short> — <full>"``."""
        return self._refs.display(centre_id, ServiceCentre)

    def category(self, category_id: int) -> str:
        """The category name."""
        return self._refs.display(category_id, ServiceCategory)

    def pi(self, pi_id: str) -> str:
        """``"Last, First"``."""
        return self._refs.display(pi_id, PrincipalInvestigator)

    def edam(self, accession: str) -> str:
        """``"<label> (<accession>)"``."""
        term = self._catalog.edam_term(accession)
        return accession if term is None else f"{term.label} ({accession})"

    def service(self, submission_id: str) -> str:
        """The other submission's service name (its id once erased or unknown)."""
        record = self._refs.submission(submission_id)
        return submission_id if record is None else str(record.values.get("service_name", ""))
