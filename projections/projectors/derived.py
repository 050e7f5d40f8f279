"""Projections derived from the submission document: ``catalogue`` and ``biotools_records``.

Both fold the same events with ``submission_doc.fold`` and keep only the part of the document
they serve, so they cannot disagree with the ``submissions`` projection about a submission.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Final
from uuid import UUID

from domain.fields import FIELDS
from projections.projector import Pending, Projector, Row, RowKey, Rows, Table
from projections.projectors.events import submission_id_of
from projections.projectors.submission_doc import Doc, fold
from projections.projectors.submissions import handles

# Never shown in the public catalogue: what the field catalogue serves to owners only (personal
# data and internal remarks).
NOT_PUBLIC: Final = frozenset(f.name for f in FIELDS if f.visibility == "owner")

CATALOGUE = Table(
    name="catalogue",
    key=("id",),
    columns=(
        "id",
        "listed",
        "service_name",
        "service_center_id",
        "primary_maturity_tag",
        "updated_at",
        "entry",
    ),
    jsonb=frozenset({"entry"}),
)

BIOTOOLS = Table(
    name="biotools_records",
    key=("submission_id",),
    columns=(
        "submission_id",
        "submission_status",
        "biotools_id",
        "record",
        "state",
    ),
    jsonb=frozenset({"record", "state"}),
)

_BIOTOOLS_STATE = ("id", "status", "biotools_url", "biotoolsrecord", "version", "updated_at")


def catalogue_row(doc: Doc) -> Row:
    """The catalogue row of a submission document (listed only when approved)."""
    entry = {k: v for k, v in doc.items() if k not in NOT_PUBLIC}
    centre = doc.get("service_center_id")
    return {
        "id": UUID(doc["id"]),
        "listed": doc.get("status") == "approved",
        "service_name": doc.get("service_name") or "",
        "service_center_id": UUID(str(centre)) if centre else None,
        "primary_maturity_tag": doc.get("primary_maturity_tag"),
        "updated_at": datetime.fromisoformat(doc["updated_at"]),
        "entry": entry,
    }


def biotools_row(doc: Doc) -> Row:
    """The bio.tools row of a submission document (``record`` null until a sync)."""
    record: dict[str, Any] | None = doc.get("biotoolsrecord")
    return {
        "submission_id": UUID(doc["id"]),
        "submission_status": doc.get("status"),
        "biotools_id": record.get("biotools_id") if record else None,
        "record": record,
        "state": {k: doc.get(k) for k in _BIOTOOLS_STATE},
    }


class _DerivedProjector(Projector):
    column: ClassVar[str]

    def _key(self, event: Any) -> RowKey:
        return (self.tables[0].name, (submission_id_of(event),))

    def keys(self, event: Any) -> list[RowKey]:
        """The submission's row."""
        return [self._key(event)] if handles(event) else []

    def _row(self, doc: Doc) -> Row:
        raise NotImplementedError

    def apply(self, rows: Rows, event: Any, position: int) -> None:
        """Fold the event into the kept part of the document."""
        if not handles(event):
            return
        key = self._key(event)
        current = rows.get(key)
        if isinstance(current, Pending):
            doc = fold(current.value, event)
        else:
            doc = fold(current[self.column] if current else None, event)
        rows[key] = Pending(doc, position) if doc is not None else None

    def complete(self, key: RowKey, value: Any) -> Row:
        """The row of the batch's last document."""
        return self._row(value)


class CatalogueProjector(_DerivedProjector):
    """The public catalogue: public fields of every live submission, listed when approved."""

    name: ClassVar[str] = "catalogue"
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[Table, ...]] = (CATALOGUE,)
    column: ClassVar[str] = "entry"

    def _row(self, doc: Doc) -> Row:
        return catalogue_row(doc)


class BioToolsRecordsProjector(_DerivedProjector):
    """bio.tools records (with their function blocks) of live submissions."""

    name: ClassVar[str] = "biotools_records"
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[Table, ...]] = (BIOTOOLS,)
    column: ClassVar[str] = "state"

    def _row(self, doc: Doc) -> Row:
        return biotools_row(doc)
