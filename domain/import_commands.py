"""Import commands: record the existing system's data as it was, keeping its ids and times.

The import records what the old system held: every string verbatim (no HTML removal, no NFC,
no stripping: escaping is the renderer's job), and today's field rules (names of at least 2
characters, at most 6 EDAM terms per branch, no newly selected deprecated licence, no invisible
characters in names, unique-looking category names, …) are NOT applied to imported values. They
apply on the next edit, like every write path. Only what cannot be recorded at all is refused
(``ValidationFailed``/``NotFound``): values of the wrong type, a string PostgreSQL cannot store
(NUL, a lone surrogate: ``domain.text``), an unknown status, a reference to a record that does
not exist, a malformed key hash.

Every command is idempotent: it addresses the aggregate by the old id (categories by
``ids.category_id``, everything else by its UUID) and returns ``False``, recording nothing, when
that aggregate exists already. A partial import can therefore simply be run again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain import ids
from domain import keys as keylib
from domain.adminkey import AdminKey
from domain.biotools import BioToolsRecord, biotools_id_from_url
from domain.biotools_commands import BioToolsCommands
from domain.errors import NotFound, ValidationFailed
from domain.fields import CONSENT_FIELD, CONTENT_FIELDS, DEFAULTS
from domain.legacy import LegacySubmission, iso_utc, legacy_changes
from domain.lifecycle import STATUS_LABELS, validate_tags
from domain.lookups import RepositoryReferences
from domain.parsing import parse_input
from domain.reference import PrincipalInvestigator, ServiceCategory, ServiceCentre
from domain.reference_commands import ReferenceCommands
from domain.reference_rules import DEFAULTS as REFERENCE_DEFAULTS
from domain.reference_rules import parse_reference
from domain.submission import Submission

IMPORT_ACTOR = "import"
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class ImportCommands(ReferenceCommands, BioToolsCommands):
    """Record reference data, submissions, keys and bio.tools records of the existing system."""

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether the aggregate is recorded already (an import of it would record nothing)."""
        try:
            self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    # -- reference data -----------------------------------------------------------------------

    def _reference_values(self, kind: str, data: Mapping[str, object]) -> dict[str, Any]:
        values, errors = parse_reference(kind, data, verbatim=True)
        if errors:
            raise ValidationFailed(errors)
        return {**REFERENCE_DEFAULTS[kind], **values}

    def import_category(self, category_id: int, name: str, *, is_active: bool) -> bool:
        """Record category ``category_id`` (its old integer id); False if it exists.

        A name that looks like another category's (the old system compared exact strings) is
        recorded all the same; the first holds the name in the index, so new look-alikes of
        either are refused.
        """
        record_id = ids.category_id(category_id)
        if self.exists(record_id):
            return False
        values = self._reference_values("category", {"name": name})
        if not values.get("name"):
            raise ValidationFailed({"name": ["This field is required."]})
        index = self._index()
        values["category_id"] = category_id
        record = ServiceCategory(id=record_id, actor=IMPORT_ACTOR, values=values)
        index.name_category(category_id=category_id, name=values["name"], old_name="")
        if not is_active:
            record.deactivate(actor=IMPORT_ACTOR)
        self._save(record, index)
        return True

    def import_centre(
        self, centre_id: UUID, data: Mapping[str, object], *, is_active: bool
    ) -> bool:
        """Record a service centre under its old UUID; False if it exists."""
        if self.exists(centre_id):
            return False
        values = self._reference_values("centre", data)
        record = ServiceCentre(id=centre_id, actor=IMPORT_ACTOR, values=values)
        if not is_active:
            record.deactivate(actor=IMPORT_ACTOR)
        self._save(record)
        return True

    def import_pi(self, pi_id: UUID, data: Mapping[str, object], *, is_active: bool) -> bool:
        """Record a PI under its old UUID; False if it exists.

        The old system did not enforce a single associated partner: every PI keeps its flag,
        and the first one imported holds the index's partner slot.
        """
        if self.exists(pi_id):
            return False
        values = self._reference_values("pi", data)
        record = PrincipalInvestigator(id=pi_id, actor=IMPORT_ACTOR, values=values)
        to_save: list[Any] = [record]
        if values["is_associated_partner"]:
            index = self._index()
            if not index.partner_pi_id:
                index.assign_partner(pi_id=str(pi_id))
                to_save.append(index)
        if not is_active:
            record.deactivate(actor=IMPORT_ACTOR)
        self._save(*to_save)
        return True

    # -- admin keys ---------------------------------------------------------------------------

    def import_admin_key(
        self,
        key_id: UUID,
        *,
        label: str,
        scope: str,
        key_hash: str,
        created_by: str,
        created_at: datetime,
        is_active: bool,
    ) -> bool:
        """Record an admin key (its hash only) under its old UUID; False if it exists."""
        if self.exists(key_id):
            return False
        errors: dict[str, list[str]] = {}
        if scope not in keylib.ADMIN_SCOPES:
            errors["scope"] = [f'"{scope}" is not a valid choice.']
        if not _SHA256_HEX.match(key_hash):
            errors["key_hash"] = ["Not a SHA-256 hex digest."]
        if errors:
            raise ValidationFailed(errors)
        key = AdminKey._create(
            AdminKey.Imported,
            id=key_id,
            label=label or "Imported key",
            scope=scope,
            key_hash=key_hash,
            created_by=created_by,
            created_at=iso_utc(created_at),
            is_active=is_active,
        )
        self._save(key)
        return True

    # -- submissions --------------------------------------------------------------------------

    def _submission_values(self, legacy: LegacySubmission) -> dict[str, Any]:
        values, errors = parse_input(legacy.data)
        values.pop(CONSENT_FIELD, None)
        for name, kind in CONTENT_FIELDS.items():
            raw = legacy.data.get(name)
            if kind in ("text", "plain") and isinstance(raw, str) and name not in errors:
                values[name] = raw  # verbatim: parsing checked it is storable
        if legacy.status not in STATUS_LABELS:
            errors["status"] = [f'"{legacy.status}" is not a valid choice.']
        secondary = list(legacy.secondary_maturity_tags)
        for name, messages in validate_tags(legacy.primary_maturity_tag, secondary).items():
            errors.setdefault(name, messages)
        for key in legacy.keys:
            if key.scope not in keylib.SUBMISSION_SCOPES or not _SHA256_HEX.match(key.key_hash):
                errors.setdefault("keys", []).append(f"Key {key.key_id} is malformed.")
        if errors:
            raise ValidationFailed(errors)
        merged = {**DEFAULTS, **values}
        self._check_references(merged)
        return merged

    def _check_references(self, values: Mapping[str, Any]) -> None:
        """Referenced records must exist (inactive ones are fine: existing links stay)."""
        refs = RepositoryReferences(self.repository, self.catalog, self.reference_cache)
        missing: dict[str, list[str]] = {}
        centre = values.get("service_center_id")
        if centre and refs.centre(str(centre)) is None:
            missing["service_center_id"] = [f"Service centre {centre} was not imported."]
        for number in values.get("service_category_ids") or []:
            if refs.category(int(number)) is None:
                missing.setdefault("service_category_ids", []).append(
                    f"Category {number} was not imported."
                )
        for pi in values.get("responsible_pi_ids") or []:
            if refs.pi(str(pi)) is None:
                missing.setdefault("responsible_pi_ids", []).append(f"PI {pi} was not imported.")
        if missing:
            raise NotFound("; ".join(m for ms in missing.values() for m in ms))

    def import_submission(self, legacy: LegacySubmission) -> bool:
        """Record a submission with its keys and change log; False if it exists.

        One ``Imported`` event carries the state (original times as data), then one
        ``HistoryImported`` event per change-log entry, oldest first: imported entries come
        before everything recorded after the import. Saved in one transaction.
        """
        if self.exists(legacy.submission_id):
            return False
        values = self._submission_values(legacy)
        approved = legacy.status == "approved"
        keys = [
            {
                "key_id": str(k.key_id),
                "key_hash": k.key_hash,
                "label": k.label,
                "scope": k.scope,
                "created_by": k.created_by,
                "created_at": iso_utc(k.created_at),
                "is_active": k.is_active,
            }
            for k in sorted(legacy.keys, key=lambda k: (k.created_at, str(k.key_id)))
        ]
        submission = Submission._create(
            Submission.Imported,
            id=legacy.submission_id,
            actor=IMPORT_ACTOR,
            values=values,
            status=legacy.status,
            # Tags exist only on approved submissions (as the old model's clean() had it).
            primary_maturity_tag=legacy.primary_maturity_tag if approved else None,
            secondary_maturity_tags=sorted(set(legacy.secondary_maturity_tags)) if approved else [],
            submission_ip=legacy.submission_ip,
            user_agent_hash=legacy.user_agent_hash,
            submitted_at=iso_utc(legacy.submitted_at),
            updated_at=iso_utc(legacy.updated_at),
            keys=keys,
            biotools_id=biotools_id_from_url(str(values.get("biotools_url") or "")),
        )
        for entry in sorted(legacy.history, key=lambda e: e.changed_at):
            submission.import_history(
                actor=IMPORT_ACTOR,
                changed_by=entry.changed_by,
                changed_at=iso_utc(entry.changed_at),
                changes=legacy_changes(entry.changes),
            )
        self._save(submission)
        return True

    def import_biotools_record(
        self,
        submission_id: UUID,
        biotools_id: str,
        record: Mapping[str, Any],
        *,
        last_synced_at: datetime,
    ) -> bool:
        """Record the old system's last synced bio.tools content as a sync by ``import``, with
        its original ``last_synced_at``; False when the submission's record exists already.

        A record of another id than the submission links now (the old system never re-synced
        after a URL change) is **stale**: it is recorded all the same, then marked by a failure
        whose message says so, which keeps its content; the next sync of the submission replaces
        it (a fetch of the linked id) or removes it (that id's failure empties the record).
        """
        try:
            submission = self._submission(submission_id)
        except NotFound:
            raise NotFound(f"Submission {submission_id} was not imported.") from None
        if self.exists(ids.biotools_record_id(submission_id)):
            return False
        aggregate = BioToolsRecord(submission_id=str(submission_id))
        synced = iso_utc(last_synced_at)
        content = {**record, "last_synced_at": synced}
        aggregate.synced(
            submission_id=str(submission_id),
            biotools_id=biotools_id,
            record=content,
            actor=IMPORT_ACTOR,
        )
        if submission.biotools_id != biotools_id:
            aggregate.failed(
                submission_id=str(submission_id),
                biotools_id=biotools_id,
                error=stale_message(biotools_id, submission.biotools_id, synced),
                actor=IMPORT_ACTOR,
            )
        self._save(aggregate)
        return True


def stale_message(biotools_id: str, linked: str | None, synced: str) -> str:
    """The mark of a stale imported bio.tools record (shown as its ``sync_error``)."""
    now = f"links {linked}" if linked else "links no bio.tools entry"
    return (
        f"Stale: imported from the existing system, which last synced {biotools_id} at "
        f"{synced}; the submission now {now}. The next sync replaces or removes this record."
    )
