"""The Submission aggregate: a registered service, its lifecycle, keys and bio.tools link.

The aggregate applies already normalised and validated values (``domain.editing`` and
``domain.validation`` decide them); its own rules are the lifecycle, the maturity tags and the
keys. Every event carries ``actor`` and (inherited) ``timestamp``; payloads are flat stdlib values.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import register_topic

from domain import keys as keylib
from domain.biotools import biotools_id_from_url
from domain.changes import Change, DisplayNames, build_changes
from domain.editing import AmendmentPlan
from domain.errors import NotFound, TagsNotAllowed
from domain.fields import DEFAULTS, RELATED_FIELD, RENAMED_FIELDS, current_names, with_defaults
from domain.lifecycle import check_transition

RENAMED_KEYS = frozenset(RENAMED_FIELDS)

ERASED = "[erased]"


def _rename_v1_values(values: dict[str, Any]) -> None:
    """v1 payloads named ``kpi_since`` ``kpi_start_year`` (renamed in v2)."""
    if "kpi_start_year" in values:
        values["kpi_since"] = values.pop("kpi_start_year")


def _complete_v1_values(values: dict[str, Any]) -> None:
    """A full v1 value set in the v2 shape: renamed, and the fields v2 added at their defaults
    (what every submission registered before them is: open access, no related services)."""
    _rename_v1_values(values)
    values.setdefault("data_access_type", "open")
    values.setdefault("related_service_ids", [])


def _rename_v1_changes(changes: list[Change]) -> None:
    for change in changes:
        if change.get("field") == "kpi_start_year":
            change["field"] = "kpi_since"
            change["label"] = "KPI Since"


class Submission(Aggregate):
    """A service submission (sections A–G of the registration form).

    ``class_version`` 2 (snapshots): ``values`` has ``kpi_since`` (was ``kpi_start_year``),
    ``data_access_type`` and ``related_service_ids``.
    """

    TOPIC = "registry/Submission/v2"
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A v1 snapshot's state in the v2 shape."""
        _complete_v1_values(state["values"])

    class Event(Aggregate.Event):
        """Base of every Submission event."""

        TOPIC = "registry/Submission.Event/v1"

    class Created(Event, Aggregate.Created):
        """Base of the creation event (never recorded itself)."""

        TOPIC = "registry/Submission.Created/v1"

    class Registered(Created):
        """A service was registered; ``values`` holds every content field raw (wire names)."""

        TOPIC = "registry/Submission.Registered/v2"
        class_version = 2
        actor: str
        values: dict[str, Any]
        status: str
        submission_ip: str | None
        user_agent_hash: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v1 had ``kpi_start_year``, no ``data_access_type`` and no related services."""
            _complete_v1_values(state["values"])

    class Amended(Event):
        """Content fields changed; ``values`` holds the raw new values of the changed fields.

        When ``status_reset`` is true the owner's edit moved an approved submission back to
        ``submitted``; ``values`` then also carries ``status`` and the cleared tags.
        """

        TOPIC = "registry/Submission.Amended/v2"
        class_version = 2
        actor: str
        by_admin: bool
        values: dict[str, Any]
        changes: list[Change]
        status_reset: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v1 named ``kpi_since`` ``kpi_start_year`` (values and change records)."""
            _rename_v1_values(state["values"])
            _rename_v1_changes(state["changes"])

    class RelatedServicesChanged(Event):
        """Another submission added or removed this one as related (the relation is symmetric);
        ``values`` holds the full new ``related_service_ids``."""

        TOPIC = "registry/Submission.RelatedServicesChanged/v1"
        actor: str
        values: dict[str, Any]
        changes: list[Change]

    class StatusChanged(Event):
        """The status changed by an explicit action; leaving approved clears the tags."""

        TOPIC = "registry/Submission.StatusChanged/v2"
        class_version = 2
        actor: str
        old_status: str
        new_status: str
        comment: str
        values: dict[str, Any]
        changes: list[Change]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v1 had no ``comment``."""
            state["comment"] = ""

    class MaturityTagsAssigned(Event):
        """An admin set the primary and secondary maturity tags of an approved submission."""

        TOPIC = "registry/Submission.MaturityTagsAssigned/v1"
        actor: str
        values: dict[str, Any]
        changes: list[Change]

    class KeyIssued(Event):
        """A submission API key was issued; only its SHA-256 hex is recorded."""

        TOPIC = "registry/Submission.KeyIssued/v1"
        actor: str
        key_id: str
        key_hash: str
        label: str
        scope: str
        created_by: str

    class KeyRevoked(Event):
        """A submission API key was revoked (for good)."""

        TOPIC = "registry/Submission.KeyRevoked/v1"
        actor: str
        key_id: str

    class BioToolsLinked(Event):
        """The submission now points at this bio.tools id (a sync should follow)."""

        TOPIC = "registry/Submission.BioToolsLinked/v1"
        actor: str
        biotools_id: str

    class BioToolsUnlinked(Event):
        """The submission no longer points at a bio.tools record."""

        TOPIC = "registry/Submission.BioToolsUnlinked/v1"
        actor: str
        biotools_id: str

    class Erased(Event):
        """The submission was erased: its personal data key is destroyed (in the same transaction
        where the event store supports it), reads answer gone; ``reason`` is the admin's note
        (the deletion audit, kept in clear)."""

        TOPIC = "registry/Submission.Erased/v2"
        class_version = 2
        actor: str
        reason: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v1 had no ``reason``."""
            state["reason"] = ""

    class Imported(Created):
        """A submission of the existing system was imported as it was (``domain.import_commands``).

        ``values`` holds every content field raw (as ``Registered``), recorded without today's
        validation; ``submitted_at``/``updated_at`` are the original ISO times (the event's own
        timestamp is the import); ``keys`` are the existing keys (``key_id``, ``key_hash``,
        ``label``, ``scope``, ``created_by``, ``created_at``, ``is_active``); ``biotools_id`` is
        the linked bio.tools id or None.
        """

        TOPIC = "registry/Submission.Imported/v1"
        class_version = 1
        actor: str
        values: dict[str, Any]
        status: str
        primary_maturity_tag: str | None
        secondary_maturity_tags: list[str]
        submission_ip: str | None
        user_agent_hash: str
        submitted_at: str
        updated_at: str
        keys: list[dict[str, Any]]
        biotools_id: str | None

        def apply(self, aggregate: Any) -> None:
            """The state ``__init__`` does not set from the shared fields."""
            aggregate.primary_maturity_tag = self.primary_maturity_tag
            aggregate.secondary_maturity_tags = list(self.secondary_maturity_tags)
            aggregate.keys = {str(k["key_id"]): dict(k) for k in self.keys}
            aggregate.biotools_id = self.biotools_id
            aggregate.registered_by = self.actor
            aggregate.original_submitted_at = self.submitted_at
            aggregate.original_updated_at = self.updated_at

    class HistoryImported(Event):
        """One change-log entry of the existing system, at its original time and actor.

        Recorded right after ``Imported`` (oldest first), so imported entries come before
        everything recorded after the import. ``changed_at`` is an ISO time; ``changes`` are the
        original ``[{field, label, old, new}]``.
        """

        TOPIC = "registry/Submission.HistoryImported/v1"
        class_version = 1
        actor: str
        changed_by: str
        changed_at: str
        changes: list[Change]

    @event(Registered)
    def __init__(
        self,
        actor: str,
        values: dict[str, Any],
        status: str,
        submission_ip: str | None,
        user_agent_hash: str,
    ) -> None:
        # A submission registered before a field existed reads it at its default, and one stored
        # under a field's old name under its current name (the catalogue says both).
        self.values: dict[str, Any] = with_defaults(current_names(values))
        self.status = status
        self.primary_maturity_tag: str | None = None
        self.secondary_maturity_tags: list[str] = []
        self.submission_ip = submission_ip
        self.user_agent_hash = user_agent_hash
        self.keys: dict[str, dict[str, Any]] = {}
        self.biotools_id: str | None = None
        self.is_erased = False
        self.registered_by = actor

    # -- commands: each decides from the aggregate's state, then triggers its events; the
    # -- application services call these, never the appliers below ----------------------------

    def issue_key(self, actor: str, label: str, scope: str, created_by: str) -> tuple[UUID, str]:
        """Mint a key; its id and its plaintext (shown once: only its hash is recorded)."""
        plaintext = keylib.generate_key()
        key_id = uuid4()
        self._key_issued(
            actor=actor,
            key_id=str(key_id),
            key_hash=keylib.hash_key(plaintext),
            label=label,
            scope=scope,
            created_by=created_by,
        )
        return key_id, plaintext

    def revoke_key(self, actor: str, key_id: str) -> bool:
        """Revoke an active key; False (nothing recorded) when it is revoked already."""
        key = self.keys.get(key_id)
        if key is None:
            raise NotFound(f"Key {key_id} not found.")
        if not key["is_active"]:
            return False
        self._key_revoked(actor=actor, key_id=key_id)
        return True

    def revoke_all_keys(self, actor: str) -> None:
        """Revoke every active key."""
        for key in self.active_keys():
            self._key_revoked(actor=actor, key_id=key["key_id"])

    def follow_biotools_url(self, actor: str, old_url: str = "") -> None:
        """Link the bio.tools record the current ``biotools_url`` names, unlinking the one
        ``old_url`` named; nothing when both name the same record."""
        old_id = biotools_id_from_url(old_url)
        new_id = biotools_id_from_url(self.values.get("biotools_url") or "")
        if old_id == new_id:
            return
        if old_id:
            self._biotools_unlinked(actor=actor, biotools_id=old_id)
        if new_id:
            self._biotools_linked(actor=actor, biotools_id=new_id)

    def amend(self, actor: str, plan: AmendmentPlan, *, by_admin: bool) -> None:
        """Record a planned amendment (``domain.editing.plan_amendment``) and follow a changed
        bio.tools URL."""
        old_url = self.values.get("biotools_url") or ""
        self._amended(
            actor=actor,
            by_admin=by_admin,
            values=plan.values,
            changes=plan.changes,
            status_reset=plan.status_reset,
        )
        if "biotools_url" in plan.values:
            self.follow_biotools_url(actor, old_url)

    def change_status(
        self, actor: str, target: str, *, by_admin: bool, comment: str, names: DisplayNames
    ) -> list[Change] | None:
        """Move along the transition table (leaving ``approved`` clears the maturity tags); None
        (nothing recorded) for the same status."""
        if target == self.status:
            return None
        check_transition(self.status, target, by_admin=by_admin)
        values: dict[str, Any] = {"status": target}
        if self.status == "approved":
            values.update(primary_maturity_tag=None, secondary_maturity_tags=[])
        changes = build_changes(self.current(), values, names)
        self._status_changed(
            actor=actor,
            old_status=self.status,
            new_status=target,
            comment=comment,
            values=values,
            changes=changes,
        )
        return changes

    def assign_tags(
        self, actor: str, primary: str | None, secondary: list[str], names: DisplayNames
    ) -> list[Change]:
        """Set the maturity tags (only an approved submission has any); the changes recorded,
        none for identical tags."""
        if self.status != "approved" and (primary or secondary):
            raise TagsNotAllowed("⚠ Maturity tags can only be assigned to approved services.")
        values = {
            "primary_maturity_tag": primary or None,
            "secondary_maturity_tags": sorted(set(secondary)),
        }
        changes = build_changes(self.current(), values, names)
        if changes:
            self._tags_assigned(actor=actor, values=values, changes=changes)
        return changes

    def change_related_services(self, actor: str, related: list[str], names: DisplayNames) -> bool:
        """Set the related services (the other side of a relation); False when unchanged."""
        current = list(self.values.get(RELATED_FIELD) or [])
        if sorted(related) == sorted(current):
            return False
        changes = build_changes({RELATED_FIELD: current}, {RELATED_FIELD: related}, names)
        self._related_services_changed(
            actor=actor, values={RELATED_FIELD: related}, changes=changes
        )
        return True

    def erase(self, actor: str, reason: str) -> None:
        """Record the erasure (the personal-data key is destroyed by the application)."""
        self._erased(actor=actor, reason=reason)

    def import_history(
        self, actor: str, changed_by: str, changed_at: str, changes: list[Change]
    ) -> None:
        """Record one entry of the existing system's history (values already imported)."""
        self._history_imported(
            actor=actor, changed_by=changed_by, changed_at=changed_at, changes=changes
        )

    # -- appliers: each runs on the command and again on replay --------------------------------

    @event(Amended)
    def _amended(
        self,
        actor: str,
        by_admin: bool,
        values: dict[str, Any],
        changes: list[Change],
        status_reset: bool,
    ) -> None:
        self._apply_values(values)

    @event(StatusChanged)
    def _status_changed(
        self,
        actor: str,
        old_status: str,
        new_status: str,
        comment: str,
        values: dict[str, Any],
        changes: list[Change],
    ) -> None:
        self._apply_values(values)

    @event(RelatedServicesChanged)
    def _related_services_changed(
        self, actor: str, values: dict[str, Any], changes: list[Change]
    ) -> None:
        self._apply_values(values)

    @event(MaturityTagsAssigned)
    def _tags_assigned(self, actor: str, values: dict[str, Any], changes: list[Change]) -> None:
        self._apply_values(values)

    @event(KeyIssued)
    def _key_issued(
        self, actor: str, key_id: str, key_hash: str, label: str, scope: str, created_by: str
    ) -> None:
        self.keys[key_id] = {
            "key_id": key_id,
            "key_hash": key_hash,
            "label": label,
            "scope": scope,
            "created_by": created_by,
            "created_at": self.modified_on.isoformat(),
            "is_active": True,
        }

    @event(KeyRevoked)
    def _key_revoked(self, actor: str, key_id: str) -> None:
        self.keys[key_id]["is_active"] = False

    @event(BioToolsLinked)
    def _biotools_linked(self, actor: str, biotools_id: str) -> None:
        self.biotools_id = biotools_id

    @event(BioToolsUnlinked)
    def _biotools_unlinked(self, actor: str, biotools_id: str) -> None:
        self.biotools_id = None

    @event(Erased)
    def _erased(self, actor: str, reason: str) -> None:
        self.is_erased = True

    @event(HistoryImported)
    def _history_imported(
        self, actor: str, changed_by: str, changed_at: str, changes: list[Change]
    ) -> None:
        """History only: the entry's values are already in the imported state."""

    def _apply_values(self, values: dict[str, Any]) -> None:
        self.edited_since_import = True
        for name, value in current_names(values).items():
            if name == "status":
                self.status = value
            elif name == "primary_maturity_tag":
                self.primary_maturity_tag = value
            elif name == "secondary_maturity_tags":
                self.secondary_maturity_tags = list(value)
            else:
                self.values[name] = value

    def adopt_catalogue(self) -> None:
        """Read state restored from a snapshot taken before a field was added or renamed as
        events are read: new fields at their defaults, old names under the current ones."""
        values = self.values
        if not DEFAULTS.keys() <= values.keys() or not RENAMED_KEYS.isdisjoint(values):
            self.values = with_defaults(current_names(values))

    # -- read helpers ---------------------------------------------------------------------------

    def current(self) -> dict[str, Any]:
        """Content values plus status and tags, keyed by wire name."""
        state = dict(self.values)
        state["status"] = self.status
        state["primary_maturity_tag"] = self.primary_maturity_tag
        state["secondary_maturity_tags"] = list(self.secondary_maturity_tags)
        return state

    def original_times(self) -> tuple[str, str] | None:
        """An imported submission's original ``(submitted_at, updated_at)`` (ISO), else None.

        Read from ``__dict__``: aggregates and snapshots from before imports lack them.
        """
        submitted = self.__dict__.get("original_submitted_at")
        updated = self.__dict__.get("original_updated_at")
        if not isinstance(submitted, str) or not isinstance(updated, str):
            return None
        return submitted, updated

    def edited_after_import(self) -> bool:
        """Whether a content, status or tag change was recorded after the import."""
        return bool(self.__dict__.get("edited_since_import"))

    def active_keys(self) -> list[dict[str, Any]]:
        """The keys that still authenticate."""
        return [k for k in self.keys.values() if k["is_active"]]


# Topics of earlier class versions keep resolving to today's classes (their upcasters adapt them).
register_topic("registry/Submission/v1", Submission)
register_topic("registry/Submission.StatusChanged/v1", Submission.StatusChanged)
register_topic("registry/Submission.Registered/v1", Submission.Registered)
register_topic("registry/Submission.Amended/v1", Submission.Amended)
register_topic("registry/Submission.Erased/v1", Submission.Erased)
