"""The symmetric ``related_service_ids`` relation between submissions.

A submission names the others it is related to; the relation is symmetric, so every change on
one side records a ``RelatedServicesChanged`` on each submission that gained or lost the
counterpart, saved in the same transaction as the change itself (a concurrent change of any of
them makes the whole command a ``ConcurrentModification``). Erasure removes the erased
submission from every other side.
"""

from __future__ import annotations

from uuid import UUID

from domain.changes import DisplayNames
from domain.fields import RELATED_FIELD
from domain.registry_base import RegistryBase
from domain.submission import Submission
from domain.validation import does_not_exist

SELF_RELATION = "A service cannot be related to itself."


class RelationCommands(RegistryBase):
    """Validation and counterpart bookkeeping of the related-services relation."""

    def _relation_errors(
        self, own_id: UUID | None, after: list[str], before: list[str]
    ) -> dict[str, list[str]]:
        """Errors for newly related ids: the submission itself, unknown or erased ones."""
        refs, _ = self._refs()
        messages: list[str] = []
        for other in after:
            if other in before:
                continue
            if own_id is not None and other == str(own_id):
                messages.append(SELF_RELATION)
            elif refs.submission(other) is None:
                messages.append(does_not_exist(other))
        return {RELATED_FIELD: messages} if messages else {}

    def _counterparts(
        self,
        submission: Submission,
        before: list[str],
        after: list[str],
        *,
        actor: str,
        names: DisplayNames,
    ) -> list[Submission]:
        """The other submissions, each with the event that adds or removes ``submission``."""
        own = str(submission.id)
        names = _KnowingOwn(names, own, str(submission.values.get("service_name", "")))
        changed: list[Submission] = []
        for other_id in sorted(set(before) ^ set(after)):
            other: Submission = self._load(UUID(other_id), Submission)
            if other.is_erased:
                continue
            current = list(other.values.get(RELATED_FIELD) or [])
            new = sorted({*current, own} if other_id in after else set(current) - {own})
            if other.change_related_services(actor, new, names):
                changed.append(other)
        return changed


class _KnowingOwn:
    """Display names that also know a submission not saved yet (a registration's own)."""

    def __init__(self, names: DisplayNames, own_id: str, own_name: str) -> None:
        self._names = names
        self._own = (own_id, own_name)

    def centre(self, centre_id: str) -> str:
        return self._names.centre(centre_id)

    def category(self, category_id: int) -> str:
        return self._names.category(category_id)

    def pi(self, pi_id: str) -> str:
        return self._names.pi(pi_id)

    def edam(self, accession: str) -> str:
        return self._names.edam(accession)

    def service(self, submission_id: str) -> str:
        own_id, own_name = self._own
        return own_name if submission_id == own_id else self._names.service(submission_id)
