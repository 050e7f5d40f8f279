"""Reference data: service categories, service centres and principal investigators.

Each record is a small aggregate with ``Created``/``Updated``/``Deactivated``/``Reactivated``
events carrying raw ``values``; hard deletion is not offered, so a referenced record never
disappears. ``ReferenceIndex`` is a singleton saved in the same transaction as the record it
guards: it allocates category ids, keeps category names unique and allows at most one
associated-partner PI. Two racing creations therefore conflict on the index's version.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import register_topic

from domain import ids
from domain.changes import Change
from domain.text import similarity_key


class _RecordMixin:
    values: dict[str, Any]
    is_active: bool

    def display(self) -> str:
        """How the record is shown in change records."""
        raise NotImplementedError


class ServiceCategory(Aggregate, _RecordMixin):
    """A service category (integer id, unique name)."""

    TOPIC = "registry/ServiceCategory/v1"

    class Event(Aggregate.Event):
        """Base of category events."""

        TOPIC = "registry/ServiceCategory.Event/v1"

    class Created(Event, Aggregate.Created):
        """A category was created; ``values`` has ``category_id``, ``name``."""

        TOPIC = "registry/ServiceCategory.Created/v1"
        actor: str
        values: dict[str, Any]

    class Updated(Event):
        """Fields changed."""

        TOPIC = "registry/ServiceCategory.Updated/v1"
        actor: str
        values: dict[str, Any]
        changes: list[Change]

    class Deactivated(Event):
        """Soft-deleted: hidden from new selections, existing links stay."""

        TOPIC = "registry/ServiceCategory.Deactivated/v1"
        actor: str

    class Reactivated(Event):
        """Selectable again."""

        TOPIC = "registry/ServiceCategory.Reactivated/v1"
        actor: str

    @event(Created)
    def __init__(self, id: UUID, actor: str, values: dict[str, Any]) -> None:
        self.values = dict(values)
        self.is_active = True

    @event(Updated)
    def update(self, actor: str, values: dict[str, Any], changes: list[Change]) -> None:
        """Apply changed values."""
        self.values.update(values)

    @event(Deactivated)
    def deactivate(self, actor: str) -> None:
        """Soft-delete."""
        self.is_active = False

    @event(Reactivated)
    def reactivate(self, actor: str) -> None:
        """Undo a soft-delete."""
        self.is_active = True

    def display(self) -> str:
        """The name."""
        return str(self.values["name"])


class ServiceCentre(Aggregate, _RecordMixin):
    """A de.NBI service centre (uuid; short and full name, website, optional ROR id)."""

    TOPIC = "registry/ServiceCentre/v1"

    class Event(Aggregate.Event):
        """Base of centre events."""

        TOPIC = "registry/ServiceCentre.Event/v1"

    class Created(Event, Aggregate.Created):
        """A centre was created; ``values``: short_name, full_name, website, ror_id."""

        TOPIC = "registry/ServiceCentre.Created/v2"
        class_version = 2
        actor: str
        values: dict[str, Any]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Centres created before ROR ids were recorded have none."""
            state["values"].setdefault("ror_id", "")

    class Updated(Event):
        """Fields changed."""

        TOPIC = "registry/ServiceCentre.Updated/v1"
        actor: str
        values: dict[str, Any]
        changes: list[Change]

    class Deactivated(Event):
        """Soft-deleted."""

        TOPIC = "registry/ServiceCentre.Deactivated/v1"
        actor: str

    class Reactivated(Event):
        """Selectable again."""

        TOPIC = "registry/ServiceCentre.Reactivated/v1"
        actor: str

    @event(Created)
    def __init__(self, id: UUID, actor: str, values: dict[str, Any]) -> None:
        self.values = dict(values)
        self.is_active = True

    @event(Updated)
    def update(self, actor: str, values: dict[str, Any], changes: list[Change]) -> None:
        """Apply changed values."""
        self.values.update(values)

    @event(Deactivated)
    def deactivate(self, actor: str) -> None:
        """Soft-delete."""
        self.is_active = False

    @event(Reactivated)
    def reactivate(self, actor: str) -> None:
        """Undo a soft-delete."""
        self.is_active = True

    def display(self) -> str:
        """``"<short> — <full>"``."""
        return f"{self.values['short_name']} — {self.values['full_name']}"


class PrincipalInvestigator(Aggregate, _RecordMixin):
    """A responsible PI (uuid; names, internal email, institute, ORCID, associated partner)."""

    TOPIC = "registry/PrincipalInvestigator/v1"

    class Event(Aggregate.Event):
        """Base of PI events."""

        TOPIC = "registry/PrincipalInvestigator.Event/v1"

    class Created(Event, Aggregate.Created):
        """A PI was created."""

        TOPIC = "registry/PrincipalInvestigator.Created/v1"
        actor: str
        values: dict[str, Any]

    class Updated(Event):
        """Fields changed."""

        TOPIC = "registry/PrincipalInvestigator.Updated/v1"
        actor: str
        values: dict[str, Any]
        changes: list[Change]

    class Deactivated(Event):
        """Soft-deleted."""

        TOPIC = "registry/PrincipalInvestigator.Deactivated/v1"
        actor: str

    class Reactivated(Event):
        """Selectable again."""

        TOPIC = "registry/PrincipalInvestigator.Reactivated/v1"
        actor: str

    @event(Created)
    def __init__(self, id: UUID, actor: str, values: dict[str, Any]) -> None:
        self.values = dict(values)
        self.is_active = True

    @event(Updated)
    def update(self, actor: str, values: dict[str, Any], changes: list[Change]) -> None:
        """Apply changed values."""
        self.values.update(values)

    @event(Deactivated)
    def deactivate(self, actor: str) -> None:
        """Soft-delete."""
        self.is_active = False

    @event(Reactivated)
    def reactivate(self, actor: str) -> None:
        """Undo a soft-delete."""
        self.is_active = True

    def display(self) -> str:
        """``"Last, First"`` or the associated-partner text."""
        if self.values.get("is_associated_partner"):
            return "Associated partner [please state below]"
        return f"{self.values['last_name']}, {self.values['first_name']}"


class ReferenceIndex(Aggregate):
    """Singleton guarding uniqueness across reference records (saved with the record)."""

    TOPIC = "registry/ReferenceIndex/v1"

    class Event(Aggregate.Event):
        """Base of index events."""

        TOPIC = "registry/ReferenceIndex.Event/v1"

    class Created(Event, Aggregate.Created):
        """The index was started."""

        TOPIC = "registry/ReferenceIndex.Created/v1"

    class CategoryNamed(Event):
        """A category id now owns a name (``old_name`` released, empty when new)."""

        TOPIC = "registry/ReferenceIndex.CategoryNamed/v1"
        category_id: int
        name: str
        old_name: str

    class PartnerAssigned(Event):
        """The associated-partner flag is held by ``pi_id`` (empty string: nobody)."""

        TOPIC = "registry/ReferenceIndex.PartnerAssigned/v1"
        pi_id: str

    @staticmethod
    def create_id() -> UUID:
        """The singleton's deterministic id."""
        return ids.reference_index_id()

    @event(Created)
    def __init__(self) -> None:
        self.category_names: dict[str, int] = {}
        self.max_category_id = 0
        self.partner_pi_id = ""

    @staticmethod
    def name_key(name: str) -> str:
        """Names are unique by what they look like (``domain.text.similarity_key``: case,
        width, confusable letters, zero-width characters and whitespace runs ignored)."""
        return similarity_key(name)

    def category_owner(self, name: str) -> int | None:
        """The category id that holds this name, if any."""
        return self.category_names.get(self.name_key(name))

    @event(CategoryNamed)
    def name_category(self, category_id: int, name: str, old_name: str) -> None:
        """Record that ``category_id`` is called ``name``."""
        if old_name and self.category_names.get(self.name_key(old_name)) == category_id:
            # Only its own entry: an imported look-alike may share the key with another id.
            self.category_names.pop(self.name_key(old_name))
        # The first holder keeps a key: an imported look-alike of it does not take it over.
        self.category_names.setdefault(self.name_key(name), category_id)
        self.max_category_id = max(self.max_category_id, category_id)

    @event(PartnerAssigned)
    def assign_partner(self, pi_id: str) -> None:
        """Record which PI is the associated partner."""
        self.partner_pi_id = pi_id


# Centres created before ``ror_id`` was part of every creation keep resolving (and get "").
register_topic("registry/ServiceCentre.Created/v1", ServiceCentre.Created)
