"""An amendment planned without recording it: the validation and reset rule ``amend_submission``
applies, and ``preview_amendment`` (spec/ui.md §5.6, §9 item 1: the owner is told before saving
whether the edit keeps the approval or sends the service back to review)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from domain.catalog import canonical_licenses
from domain.changes import DisplayNames
from domain.editing import AmendmentImpact, AmendmentPlan, amendment_impact, plan_amendment
from domain.errors import ValidationFailed
from domain.fields import CONSENT_FIELD, RELATED_FIELD
from domain.parsing import parse_input
from domain.relations import RelationCommands
from domain.submission import Submission
from domain.text import SUBMISSION_NAMES, name_errors
from domain.validation import validate


class AmendmentPlanning(RelationCommands):
    """Plans amendments; ``SubmissionCommands.amend_submission`` records them."""

    def preview_amendment(
        self,
        submission_id: UUID,
        data: Mapping[str, object],
        *,
        by_admin: bool,
        expected_version: int | None = None,
    ) -> AmendmentImpact:
        """What ``amend_submission`` with the same arguments would do, recording nothing: the
        same validation (``ValidationFailed``, ``StaleVersion``), the same reset rule."""
        submission = self._submission(submission_id, expected_version)
        _, plan, _ = self._plan(submission, data, by_admin=by_admin)
        return amendment_impact(
            plan,
            version=submission.version,
            status=submission.status,
            exempt=self.exempt_fields,
            by_admin=by_admin,
        )

    def _plan(
        self, submission: Submission, data: Mapping[str, object], *, by_admin: bool
    ) -> tuple[dict[str, Any], AmendmentPlan | None, DisplayNames]:
        """The submission's values now, the validated amendment by ``data`` (None: nothing
        really changes; ``ValidationFailed`` with every failing field) and the display names."""
        updates, errors = parse_input(data)
        updates = canonical_licenses(updates, self.catalog)
        updates.pop(CONSENT_FIELD, None)  # consent is asked on create only
        refs, names = self._refs()
        previous = submission.current()
        merged = {**previous, **updates}
        changed = {k: v for k, v in updates.items() if previous.get(k) != v}
        found = [
            errors,
            name_errors(changed, SUBMISSION_NAMES),
            validate(
                merged, previous=previous, refs=refs, catalog=self.catalog, today=self._today()
            ),
        ]
        if RELATED_FIELD in updates:
            found.append(
                self._relation_errors(
                    submission.id, updates[RELATED_FIELD], previous.get(RELATED_FIELD) or []
                )
            )
        merged_errors: dict[str, list[str]] = {}
        for part in found:  # the first message set of a field wins: a type error explains it
            for name, messages in part.items():
                merged_errors.setdefault(name, list(messages))
        if merged_errors:
            raise ValidationFailed(merged_errors)
        plan = plan_amendment(
            previous, updates, by_admin=by_admin, exempt=self.exempt_fields, names=names
        )
        return previous, plan, names
