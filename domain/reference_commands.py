"""Registry commands for reference data (categories, centres, PIs) and admin keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from domain import ids
from domain import keys as keylib
from domain.adminkey import AdminKey
from domain.changes import RawDisplayNames, build_changes
from domain.errors import ValidationFailed
from domain.reference import PrincipalInvestigator, ReferenceIndex, ServiceCategory, ServiceCentre
from domain.reference_rules import (
    DEFAULTS,
    DUPLICATE_CATEGORY,
    PARTNER_TAKEN,
    parse_reference,
    validate_reference,
)
from domain.registry_base import RegistryBase
from domain.results import AdminKeyIssued, ReferenceOutcome
from domain.text import name_problem, unstorable

_KINDS: dict[str, type[Any]] = {
    "category": ServiceCategory,
    "centre": ServiceCentre,
    "pi": PrincipalInvestigator,
}


class ReferenceCommands(RegistryBase):
    """Create, update, deactivate and reactivate reference records; manage admin keys."""

    def _index(self) -> ReferenceIndex:
        try:
            index: Any = self.repository.get(ids.reference_index_id())
        except AggregateNotFoundError:
            return ReferenceIndex()
        assert isinstance(index, ReferenceIndex)
        return index

    def _checked(
        self, kind: str, merged: dict[str, Any], errors: dict[str, list[str]]
    ) -> dict[str, Any]:
        for field, messages in validate_reference(kind, merged).items():
            errors.setdefault(field, messages)
        if errors:
            raise ValidationFailed(errors)
        return merged

    # -- create -------------------------------------------------------------------------------

    def create_category(
        self, data: Mapping[str, object], *, actor: str, category_id: int | None = None
    ) -> ReferenceOutcome:
        """A new category with a unique name; the id is allocated unless given (imports)."""
        parsed, errors = parse_reference("category", data)
        values = self._checked("category", parsed, errors)
        index = self._index()
        if index.category_owner(values["name"]) is not None:
            raise ValidationFailed({"name": [DUPLICATE_CATEGORY]})
        number = category_id if category_id is not None else index.max_category_id + 1
        if index.category_names and number in index.category_names.values():
            raise ValidationFailed({"id": [f"Category {number} already exists."]})
        values["category_id"] = number
        record = ServiceCategory(id=ids.category_id(number), actor=actor, values=values)
        index.name_category(category_id=number, name=values["name"], old_name="")
        position = self._save(record, index)
        return ReferenceOutcome(number, record.id, position, record.version, True)

    def create_centre(
        self, data: Mapping[str, object], *, actor: str, centre_id: UUID | None = None
    ) -> ReferenceOutcome:
        """A new service centre."""
        parsed, errors = parse_reference("centre", data)
        values = self._checked("centre", {**DEFAULTS["centre"], **parsed}, errors)
        record = ServiceCentre(id=centre_id or uuid4(), actor=actor, values=values)
        position = self._save(record)
        return ReferenceOutcome(record.id, record.id, position, record.version, True)

    def create_pi(
        self, data: Mapping[str, object], *, actor: str, pi_id: UUID | None = None
    ) -> ReferenceOutcome:
        """A new principal investigator; at most one may be the associated partner."""
        parsed, errors = parse_reference("pi", data)
        values = self._checked("pi", {**DEFAULTS["pi"], **parsed}, errors)
        record = PrincipalInvestigator(id=pi_id or uuid4(), actor=actor, values=values)
        to_save: list[Any] = [record]
        if values["is_associated_partner"]:
            index = self._index()
            if index.partner_pi_id:
                raise ValidationFailed({"is_associated_partner": [PARTNER_TAKEN]})
            index.assign_partner(pi_id=str(record.id))
            to_save.append(index)
        position = self._save(*to_save)
        return ReferenceOutcome(record.id, record.id, position, record.version, True)

    # -- update / (de)activate ----------------------------------------------------------------

    def _reference_record(self, kind: str, ref_id: UUID | int) -> Any:
        aggregate_id = ids.category_id(int(ref_id)) if kind == "category" else UUID(str(ref_id))
        return self._load(aggregate_id, _KINDS[kind])

    def update_reference(
        self, kind: str, ref_id: UUID | int, data: Mapping[str, object], *, actor: str
    ) -> ReferenceOutcome:
        """Change fields of a category/centre/PI (``kind``); identical values record nothing."""
        record = self._reference_record(kind, ref_id)
        parsed, errors = parse_reference(kind, data)
        merged = self._checked(kind, {**record.values, **parsed}, errors)
        updates = {k: v for k, v in parsed.items() if record.values.get(k) != v}
        if not updates:
            return ReferenceOutcome(ref_id, record.id, None, record.version, False)
        to_save: list[Any] = [record]
        index = None
        if kind == "category" and "name" in updates:
            index = self._index()
            owner = index.category_owner(merged["name"])
            if owner is not None and owner != record.values["category_id"]:
                raise ValidationFailed({"name": [DUPLICATE_CATEGORY]})
            index.name_category(
                category_id=record.values["category_id"],
                name=merged["name"],
                old_name=record.values["name"],
            )
        if kind == "pi" and "is_associated_partner" in updates:
            index = self._index()
            if updates["is_associated_partner"]:
                if index.partner_pi_id and index.partner_pi_id != str(record.id):
                    raise ValidationFailed({"is_associated_partner": [PARTNER_TAKEN]})
                index.assign_partner(pi_id=str(record.id))
            elif index.partner_pi_id == str(record.id):
                index.assign_partner(pi_id="")
        changes = build_changes(record.values, updates, RawDisplayNames())
        record.update(actor=actor, values=updates, changes=changes)
        if index is not None:
            to_save.append(index)
        position = self._save(*to_save)
        return ReferenceOutcome(ref_id, record.id, position, record.version, True)

    def set_reference_active(
        self, kind: str, ref_id: UUID | int, active: bool, *, actor: str
    ) -> ReferenceOutcome:
        """Deactivate (soft-delete) or reactivate; no change records nothing."""
        record = self._reference_record(kind, ref_id)
        if record.is_active == active:
            return ReferenceOutcome(ref_id, record.id, None, record.version, False)
        if active:
            record.reactivate(actor=actor)
        else:
            record.deactivate(actor=actor)
        position = self._save(record)
        return ReferenceOutcome(ref_id, record.id, position, record.version, True)

    def get_reference(self, kind: str, ref_id: UUID | int) -> dict[str, Any]:
        """The record's values plus ``is_active`` (for tests and the import)."""
        record = self._reference_record(kind, ref_id)
        return {**record.values, "is_active": record.is_active, "version": record.version}

    # -- admin keys ---------------------------------------------------------------------------

    def create_admin_key(self, label: str, scope: str, *, created_by: str) -> AdminKeyIssued:
        """A new admin key; the plaintext is in the result only."""
        errors: dict[str, list[str]] = {}
        label = (label or "").strip()
        if not label:
            errors["label"] = ["This field is required."]
        elif problem := unstorable(label) or name_problem(label):
            errors["label"] = [problem]
        if scope not in keylib.ADMIN_SCOPES:
            errors["scope"] = [f'"{scope}" is not a valid choice.']
        if errors:
            raise ValidationFailed(errors)
        plaintext = keylib.generate_key()
        key = AdminKey(
            label=label, scope=scope, key_hash=keylib.hash_key(plaintext), created_by=created_by
        )
        position = self._save(key)
        return AdminKeyIssued(
            key.id, plaintext, label, scope, key.created_on, position, key.version
        )

    def revoke_admin_key(self, key_id: UUID, *, actor: str) -> ReferenceOutcome:
        """Revoke an admin key for good; revoking twice records nothing."""
        key: AdminKey = self._load(key_id, AdminKey)
        if not key.is_active:
            return ReferenceOutcome(key.id, key.id, None, key.version, False)
        key.revoke(actor=actor)
        position = self._save(key)
        return ReferenceOutcome(key.id, key.id, position, key.version, True)

    def get_admin_key(self, key_id: UUID) -> AdminKey:
        """The admin key aggregate (hash, scope, label, is_active)."""
        key: AdminKey = self._load(key_id, AdminKey)
        return key
