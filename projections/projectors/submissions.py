"""The ``submissions`` projection: one row per live (not erased) submission.

Each row is the document of ``submission_doc.fold`` (everything the detail and list endpoints
serve, with raw reference ids) plus the indexed columns the list filters and orders by.

Versions: v1 stores documents in their first shape (``kpi_start_year``; no
``data_access_type``, no ``related_service_ids``) and stays listed, so a rollback serves exactly
what the code before them served. v2 stores today's shape; every submission registered before
those fields gets their defaults from the replay (no backfill), and its DDL adds the index of
the ``data_access_type`` filter. v3 has v2's rows with a covering index per list ordering (the
list pages' ids by index-only scans). Later versions are declared by the field catalogue
(``domain.fields.table_version``): a field whose rows must change (a computed value, an indexed
document filter, phase 2 of a removal) names the version that brings it, and only its DDL file
``schema/ddl/submissions/v<N>.sql`` is written by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.fields import table_version
from projections.projector import Pending, Projector, Row, RowKey, Rows, Table
from projections.projectors.events import kind, submission_id_of
from projections.projectors.submission_doc import Doc, as_stored_by, as_v1, fold, from_v1

TABLE = Table(
    name="submissions",
    key=("id",),
    columns=(
        "id",
        "status",
        "service_center_id",
        "year_established",
        "register_as_elixir",
        "primary_maturity_tag",
        "secondary_maturity_tags",
        "submitted_at",
        "updated_at",
        "service_name",
        "version",
        "doc",
    ),
    jsonb=frozenset({"secondary_maturity_tags", "doc"}),
)


def handles(event: object) -> bool:
    """Whether ``event`` can change a submission document."""
    name = kind(event)
    return name.startswith(("Submission.", "BioToolsRecord."))


def row_of(doc: Doc) -> Row:
    """The table row of a submission document."""
    centre = doc.get("service_center_id")
    year = doc.get("year_established")
    return {
        "id": UUID(doc["id"]),
        "status": doc["status"],
        "service_center_id": UUID(str(centre)) if centre else None,
        "year_established": int(year) if year is not None else None,
        "register_as_elixir": bool(doc.get("register_as_elixir")),
        "primary_maturity_tag": doc.get("primary_maturity_tag"),
        "secondary_maturity_tags": list(doc.get("secondary_maturity_tags") or []),
        "submitted_at": datetime.fromisoformat(doc["submitted_at"]),
        "updated_at": datetime.fromisoformat(doc["updated_at"]),
        "service_name": doc.get("service_name") or "",
        "version": int(doc["version"]),
        "doc": doc,
    }


class SubmissionsProjector(Projector):
    """Submission documents for the detail and list endpoints, in the first (v1) shape."""

    name: ClassVar[str] = "submissions"
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[Table, ...]] = (TABLE,)

    def stored(self, doc: Doc) -> Doc:
        """The document as this version stores it."""
        return as_v1(doc)

    def loaded(self, doc: Doc) -> Doc:
        """A stored document in today's shape, to fold the next event on."""
        return from_v1(doc)

    def keys(self, event: Any) -> list[RowKey]:
        """The submission's row."""
        if not handles(event):
            return []
        return [("submissions", (submission_id_of(event),))]

    def apply(self, rows: Rows, event: Any, position: int) -> None:
        """Fold the event into the submission's document (the row is built once per batch)."""
        if not handles(event):
            return
        key: RowKey = ("submissions", (submission_id_of(event),))
        current = rows.get(key)
        if isinstance(current, Pending):
            doc = fold(current.value, event)
        else:
            doc = fold(self.loaded(current["doc"]) if current else None, event)
        rows[key] = Pending(doc, position) if doc is not None else None

    def complete(self, key: RowKey, value: Any) -> Row:
        """The row of the batch's last document."""
        return row_of(self.stored(value))


class SubmissionsProjectorV2(SubmissionsProjector):
    """Submission documents in today's shape (``kpi_since``, ``data_access_type``, related
    services)."""

    version: ClassVar[int] = 2

    def stored(self, doc: Doc) -> Doc:
        """Today's shape, without fields a later version introduced."""
        return as_stored_by(self.version, doc)

    def loaded(self, doc: Doc) -> Doc:
        """Already today's shape."""
        return doc


def _later(version: int) -> type[SubmissionsProjector]:
    """``submissions`` v``version`` (3 and later): today's shape, built by replay, declared
    because ``table_version`` needs it; its DDL is ``schema/ddl/submissions/v<version>.sql``."""
    doc = f"Submission documents of ``submissions`` v{version} (see ``table_version``)."
    return type(
        f"SubmissionsProjectorV{version}",
        (SubmissionsProjectorV2,),
        {"version": version, "__doc__": doc},
    )


#: Every declared version: v1, v2 and those ``table_version`` needs (v3 on).
VERSIONS: tuple[type[SubmissionsProjector], ...] = (
    SubmissionsProjector,
    SubmissionsProjectorV2,
    *(_later(v) for v in range(3, table_version() + 1)),
)
