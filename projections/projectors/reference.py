"""The reference-data projections: ``categories``, ``service_centres`` and ``pis``.

Three projections with one table each (instead of one projection with three tables), so each
has its own stable view that readers query and its own version to rebuild independently.
Rows are keyed by the aggregate id; categories also carry their integer id, the API's id.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from projections.projector import Projector, Row, RowKey, Rows, Table
from projections.projectors.events import attr, kind, values


def fold_record(
    row: Row | None, event: object, aggregate: str, fields: dict[str, Any]
) -> Row | None:
    """A reference record's row after ``event``; ``fields`` maps columns to their defaults."""
    name = kind(event)
    if not name.startswith(f"{aggregate}."):
        return row
    event_name = name.partition(".")[2]
    if event_name == "Created":
        row = {"aggregate_id": attr(event, "originator_id"), **fields, "is_active": True}
    elif row is None:
        return None
    else:
        row = dict(row)
    if event_name in ("Created", "Updated"):
        for column, value in values(event).items():
            if column in fields:
                row[column] = value if value is not None else fields[column]
    elif event_name == "Deactivated":
        row["is_active"] = False
    elif event_name == "Reactivated":
        row["is_active"] = True
    return row


class _ReferenceProjector(Projector):
    aggregate: ClassVar[str]
    fields: ClassVar[dict[str, Any]]

    def _key(self, event: Any) -> RowKey:
        aggregate_id: UUID = event.originator_id
        return (self.tables[0].name, (aggregate_id,))

    def keys(self, event: Any) -> list[RowKey]:
        """The record's row."""
        return [self._key(event)] if kind(event).startswith(f"{self.aggregate}.") else []

    def apply(self, rows: Rows, event: Any, position: int) -> None:
        """Fold the event into the record's row."""
        if kind(event).startswith(f"{self.aggregate}."):
            key = self._key(event)
            rows[key] = fold_record(rows.get(key), event, self.aggregate, self.fields)


def _table(name: str, fields: dict[str, Any]) -> Table:
    return Table(name=name, key=("aggregate_id",), columns=("aggregate_id", *fields, "is_active"))


class CategoriesProjector(_ReferenceProjector):
    """Service categories (integer id, unique name)."""

    name: ClassVar[str] = "categories"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "ServiceCategory"
    fields: ClassVar[dict[str, Any]] = {"category_id": None, "name": ""}
    tables: ClassVar[tuple[Table, ...]] = (_table("categories", fields),)


class ServiceCentresProjector(_ReferenceProjector):
    """de.NBI service centres."""

    name: ClassVar[str] = "service_centres"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "ServiceCentre"
    fields: ClassVar[dict[str, Any]] = {
        "short_name": "",
        "full_name": "",
        "website": "",
        "ror_id": "",
    }
    tables: ClassVar[tuple[Table, ...]] = (_table("service_centres", fields),)


class PisProjector(_ReferenceProjector):
    """Principal investigators (the email is internal: never served with a submission)."""

    name: ClassVar[str] = "pis"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "PrincipalInvestigator"
    fields: ClassVar[dict[str, Any]] = {
        "last_name": "",
        "first_name": "",
        "email": "",
        "institute": "",
        "orcid": "",
        "is_associated_partner": False,
    }
    tables: ClassVar[tuple[Table, ...]] = (_table("pis", fields),)
