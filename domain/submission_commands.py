"""Submission commands: register, amend, lifecycle, tags, keys, erasure and reads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from domain import keys as keylib
from domain.catalog import canonical_licenses
from domain.errors import NotFound, ValidationFailed
from domain.fields import CONSENT_FIELD, RELATED_FIELD, with_defaults
from domain.lifecycle import validate_tags
from domain.normalise import normalise_text
from domain.parsed_registration import CheckedRegistration
from domain.parsing import parse_input
from domain.results import Erasure, Outcome, Registration, SubmissionView, key_view
from domain.submission import Submission
from domain.submission_preview import AmendmentPlanning
from domain.text import SUBMISSION_NAMES, name_errors
from domain.validation import validate

#: The longest erasure reason kept (as a status comment).
MAX_REASON_LENGTH = 2000


class SubmissionCommands(AmendmentPlanning):
    """Commands and event-sourced reads of submissions."""

    # -- registration and editing -------------------------------------------------------------

    def register_submission(
        self,
        data: Mapping[str, object],
        *,
        ip: str | None,
        user_agent_hash: str,
        actor: str = "submitter",
    ) -> Registration:
        """Validate and record a new submission with its initial write key."""
        checked = self._registration(data)
        merged, errors, names = checked.values, checked.errors, checked.names
        if errors:
            raise ValidationFailed(errors)
        merged.pop(CONSENT_FIELD, None)
        submission = Submission(
            actor=actor,
            values=merged,
            status="submitted",
            submission_ip=ip,
            user_agent_hash=user_agent_hash,
        )
        key_id, plaintext = submission.issue_key(
            actor, keylib.INITIAL_KEY_LABEL, "write", created_by="submitter"
        )
        submission.follow_biotools_url(actor)
        others = self._counterparts(submission, [], merged[RELATED_FIELD], actor=actor, names=names)
        position = self._save(submission, *others)
        return Registration(submission.id, key_id, plaintext, position, submission.version)

    def check_registration(self, data: Mapping[str, object]) -> dict[str, list[str]]:
        """Every error :meth:`register_submission` would refuse ``data`` with, recording
        nothing (the web form's inline validation and preview)."""
        return self._registration(data).errors

    def _registration(self, data: Mapping[str, object]) -> CheckedRegistration:
        """The merged values of a registration, its errors, and the display names."""
        values, errors = parse_input(data)
        errors = _merge(errors, name_errors(values, SUBMISSION_NAMES))
        values = canonical_licenses(values, self.catalog)
        refs, names = self._refs()
        merged = with_defaults(values)
        errors = _merge(
            errors,
            validate(
                merged,
                previous=None,
                refs=refs,
                catalog=self.catalog,
                today=self._today(),
            ),
        )
        errors = _merge(errors, self._relation_errors(None, merged[RELATED_FIELD], []))
        return CheckedRegistration(merged, errors, names)

    def amend_submission(
        self,
        submission_id: UUID,
        data: Mapping[str, object],
        *,
        actor: str,
        by_admin: bool,
        expected_version: int | None = None,
    ) -> Outcome:
        """Apply a partial update; validates the merged state; records only real changes."""
        submission = self._submission(submission_id, expected_version)
        previous, plan, names = self._plan(submission, data, by_admin=by_admin)
        if plan is None:
            return Outcome(submission.id, None, submission.version, False, submission.status)
        submission.amend(actor, plan, by_admin=by_admin)
        others = []
        if RELATED_FIELD in plan.values:
            before = previous.get(RELATED_FIELD) or []
            after = plan.values[RELATED_FIELD]
            others = self._counterparts(submission, before, after, actor=actor, names=names)
        position = self._save(submission, *others)
        return Outcome(
            submission.id, position, submission.version, True, submission.status, plan.changes
        )

    # -- lifecycle ----------------------------------------------------------------------------

    def change_status(
        self,
        submission_id: UUID,
        target: str,
        *,
        actor: str,
        by_admin: bool,
        comment: str = "",
        expected_version: int | None = None,
    ) -> Outcome:
        """Move along the transition table; the same status records nothing."""
        submission = self._submission(submission_id, expected_version)
        _, names = self._refs()
        changes = submission.change_status(
            actor, target, by_admin=by_admin, comment=comment or "", names=names
        )
        if changes is None:
            return Outcome(submission.id, None, submission.version, False, submission.status)
        position = self._save(submission)
        return Outcome(submission.id, position, submission.version, True, target, changes)

    def assign_maturity_tags(
        self,
        submission_id: UUID,
        primary: str | None,
        secondary: list[str],
        *,
        actor: str,
        expected_version: int | None = None,
    ) -> Outcome:
        """Set the tags of an approved submission; identical tags record nothing."""
        submission = self._submission(submission_id, expected_version)
        errors = validate_tags(primary, secondary)
        if errors:
            raise ValidationFailed(errors)
        _, names = self._refs()
        changes = submission.assign_tags(actor, primary, secondary, names)
        if not changes:
            return Outcome(submission.id, None, submission.version, False, submission.status)
        position = self._save(submission)
        return Outcome(
            submission.id, position, submission.version, True, submission.status, changes
        )

    # -- erasure ------------------------------------------------------------------------------

    def erase_submission(self, submission_id: UUID, *, actor: str, reason: str = "") -> Erasure:
        """Record the erasure (and its removal from every related submission) and destroy the
        personal-data key; ``Gone`` when already erased (nothing is recorded again).

        An event store that destroys the key in the transaction of the ``Erased`` event
        (``projections.eventstore.OneTripRecorder``) makes the erasure atomic; the
        ``destroy`` after the save covers stores that cannot, and updates this process's vault.
        """
        try:
            note = normalise_text(reason or "")
        except ValueError as exc:  # text PostgreSQL cannot store
            raise ValidationFailed({"reason": [str(exc)]}) from None
        if len(note) > MAX_REASON_LENGTH:
            limit = f"Ensure this field has no more than {MAX_REASON_LENGTH} characters."
            raise ValidationFailed({"reason": [limit]})
        submission = self._submission(submission_id)
        _, names = self._refs()
        related = list(submission.values.get(RELATED_FIELD) or [])
        others = self._counterparts(submission, related, [], actor=actor, names=names)
        submission.erase(actor, note)
        position = self._save(submission, *others)
        self.key_vault.destroy(submission.id)
        return Erasure(
            submission.id, position, submission.version, actor, note, submission.modified_on
        )

    # -- reads --------------------------------------------------------------------------------

    def get_submission(self, submission_id: UUID, version: int | None = None) -> SubmissionView:
        """The submission now, or as of ``version``; NotFound when erased or unknown."""
        current = self._submission(submission_id)
        if version is None or version >= current.version:
            return _view(current)
        if version < 1:
            raise NotFound(f"Submission {submission_id} has no version {version}.")
        return _view(self._load(submission_id, Submission, version=version))


def _merge(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = {k: list(v) for k, v in a.items()}
    for field, messages in b.items():
        if field in a:
            continue  # a type error already explains the field; rule messages would mislead
        merged[field] = list(messages)
    return merged


def _view(submission: Submission) -> SubmissionView:
    submitted_at, updated_at = submission.created_on, submission.modified_on
    original = submission.original_times()
    if original is not None:
        # An imported submission keeps the existing system's times until it is edited here.
        submitted_at = datetime.fromisoformat(original[0])
        if not submission.edited_after_import():
            updated_at = datetime.fromisoformat(original[1])
    return SubmissionView(
        id=submission.id,
        version=submission.version,
        status=submission.status,
        primary_maturity_tag=submission.primary_maturity_tag,
        secondary_maturity_tags=list(submission.secondary_maturity_tags),
        values=dict(submission.values),
        keys=[key_view(k) for k in submission.keys.values()],
        biotools_id=submission.biotools_id,
        submitted_at=submitted_at,
        updated_at=updated_at,
        submission_ip=submission.submission_ip,
        user_agent_hash=submission.user_agent_hash,
    )
