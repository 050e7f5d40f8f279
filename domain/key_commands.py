"""Submission key commands: issue, revoke, reset and find (constant-time)."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from domain import keys as keylib
from domain.errors import NotFound, ValidationFailed
from domain.registry_base import RegistryBase
from domain.results import IssuedKey, KeyView, Outcome, key_view
from domain.submission import Submission
from domain.text import name_problem, unstorable


class KeyCommands(RegistryBase):
    """Issue, revoke and reset submission keys; the plaintext is returned once."""

    # -- keys ---------------------------------------------------------------------------------

    def issue_key(self, submission_id: UUID, label: str, scope: str, *, actor: str) -> IssuedKey:
        """Issue a key; the plaintext is in the result only."""
        submission = self._submission(submission_id)
        issued = self._issue(submission, label, scope, actor)
        position = self._save(submission)
        return replace(issued, position=position, version=submission.version)

    def _issue(self, submission: Submission, label: str, scope: str, actor: str) -> IssuedKey:
        errors: dict[str, list[str]] = {}
        label = (label or "").strip()
        if not label:
            errors["label"] = ["This field is required."]
        elif problem := unstorable(label) or name_problem(label):
            errors["label"] = [problem]
        elif len(label) > 100:
            errors["label"] = ["Ensure this field has no more than 100 characters."]
        if scope not in keylib.SUBMISSION_SCOPES:
            errors["scope"] = [f'"{scope}" is not a valid choice.']
        if errors:
            raise ValidationFailed(errors)
        created_by = keylib.actor_label(actor) if actor.startswith("admin:") else actor
        key_id, plaintext = submission.issue_key(actor, label, scope, created_by)
        return IssuedKey(
            submission.id,
            key_id,
            plaintext,
            label,
            scope,
            created_by,
            submission.modified_on,
            None,
            submission.version,
        )

    def revoke_key(self, submission_id: UUID, key_id: UUID, *, actor: str) -> Outcome:
        """Revoke one key; revoking a revoked key records nothing."""
        submission = self._submission(submission_id)
        if not submission.revoke_key(actor, str(key_id)):
            return Outcome(submission.id, None, submission.version, False, submission.status)
        position = self._save(submission)
        return Outcome(submission.id, position, submission.version, True, submission.status)

    def reset_keys(self, submission_id: UUID, *, actor: str) -> IssuedKey:
        """Revoke every active key and issue one write key labelled ``Admin reset …``."""
        submission = self._submission(submission_id)
        submission.revoke_all_keys(actor)
        label = keylib.reset_label(keylib.actor_label(actor), self._today())
        issued = self._issue(submission, label, "write", actor)
        position = self._save(submission)
        return replace(issued, position=position, version=submission.version)

    def find_key(self, submission_id: UUID, plaintext: str) -> KeyView | None:
        """The active key of this submission matching ``plaintext`` (constant-time), or None."""
        try:
            submission = self._submission(submission_id)
        except NotFound:
            keylib.verify(plaintext, None)
            return None
        wanted = keylib.hash_key(plaintext)
        match = next((k for k in submission.active_keys() if k["key_hash"] == wanted), None)
        if not keylib.verify(plaintext, match["key_hash"] if match else None):
            return None
        return key_view(match) if match else None
