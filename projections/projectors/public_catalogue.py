"""The ``public_catalogue`` projection: what the public sees (spec/ui.md §5.5.2, §9 item 7).

Per submission it keeps the current document (public fields only, to fold the next event on) and
the **last approved** one: the document after the last event at which the submission was
approved. The public pages serve only the latter, so while an owner's edit of an approved
service waits for review the catalogue keeps showing the version an admin approved, read from
the event log as of that approval. Visibility:

- ``listed``: approved now (entry = current document);
- ``in_review``: approved before, now submitted or under review (entry = last approved);
- ``deprecated``: approved before, now deprecated (entry = last approved; listed on request);
- ``hidden``: never approved, or approved before and now rejected (no entry: 404);
- ``erased``: erased (no entry, no document: 410).

Nothing personal is kept: the document is cut to the public fields of Appendix C before it is
stored, and an erasure drops both documents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Final
from uuid import UUID

from projections.projector import Pending, Projector, Row, RowKey, Rows, Table
from projections.projectors.events import attr, iso, kind, submission_id_of
from projections.projectors.submission_doc import Doc, fold
from projections.projectors.submissions import handles
from schema.text_search import fold as fold_text

#: The document members the public may see (spec/ui.md Appendix C, wire names), plus ids and
#: times; everything else (submitter, internal contact, comments, KPI, survey) is dropped.
PUBLIC: Final = frozenset(
    {
        "id",
        "version",
        "status",
        "submitted_at",
        "updated_at",
        "service_name",
        "service_description",
        "year_established",
        "service_category_ids",
        "is_toolbox",
        "toolbox_name",
        "user_knowledge_required",
        "edam_topic_ids",
        "edam_operation_ids",
        "publications_pmids",
        "logo",
        "responsible_pi_ids",
        "host_institute",
        "service_center_id",
        "public_contact_email",
        "website_url",
        "terms_of_use_url",
        "licenses",
        "license_note",
        "github_url",
        "biotools_url",
        "fairsharing_url",
        "other_registry_url",
        "keywords_seo",
        "register_as_elixir",
        "data_access_type",
        "related_service_ids",
        "primary_maturity_tag",
        "secondary_maturity_tags",
        "biotoolsrecord",
    }
)

#: Statuses in which a once-approved service shows its last approved version with a note.
IN_REVIEW: Final = frozenset({"submitted", "under_review", "draft"})

TABLE = Table(
    name="public_catalogue",
    key=("id",),
    columns=(
        "id",
        "visibility",
        "status",
        "service_name",
        "sort_name",
        "service_center_id",
        "category_ids",
        "edam_ids",
        "licenses",
        "pi_ids",
        "primary_maturity_tag",
        "data_access_type",
        "register_as_elixir",
        "added_at",
        "updated_at",
        "approved_at",
        "approved_version",
        "search_text",
        "entry",
        "state",
    ),
    jsonb=frozenset({"category_ids", "edam_ids", "licenses", "pi_ids", "entry", "state"}),
)


def public(doc: Doc) -> Doc:
    """The public members of a submission document (a bio.tools sync error is internal)."""
    out = {k: v for k, v in doc.items() if k in PUBLIC}
    record = out.get("biotoolsrecord")
    if isinstance(record, dict) and record.get("sync_error"):
        out["biotoolsrecord"] = {**record, "sync_error": ""}
    return out


def visibility(state: Doc) -> str:
    """``listed``, ``in_review``, ``deprecated``, ``hidden`` or ``erased`` (module docstring)."""
    if state.get("erased"):
        return "erased"
    doc, entry = state.get("doc"), state.get("entry")
    status = doc.get("status") if doc else None
    if status == "approved":
        return "listed"
    if entry is None:
        return "hidden"
    if status in IN_REVIEW:
        return "in_review"
    if status == "deprecated":
        return "deprecated"
    return "hidden"


def _strings(values: Any) -> list[str]:
    return [str(v) for v in values or ()]


def row_of(sid: UUID, state: Doc) -> Row:
    """The table row of a submission's state ``{doc, entry, approved_at, erased}``."""
    shown = visibility(state)
    entry: Doc | None = state.get("entry") if shown not in ("hidden", "erased") else None
    doc: Doc | None = state.get("doc")
    source: Doc = entry or {}
    centre = source.get("service_center_id")
    name = str(source.get("service_name") or "")
    searchable = " ".join(
        str(source[k])
        for k in ("service_name", "service_description", "keywords_seo", "host_institute")
        if source.get(k)
    )
    approved_at = state.get("approved_at")
    return {
        "id": sid,
        "visibility": shown,
        "status": (doc or {}).get("status") or ("erased" if state.get("erased") else ""),
        "service_name": name,
        "sort_name": fold_text(name),
        "service_center_id": UUID(str(centre)) if centre else None,
        "category_ids": _strings(source.get("service_category_ids")),
        "edam_ids": _strings(source.get("edam_topic_ids"))
        + _strings(source.get("edam_operation_ids")),
        "licenses": _strings(source.get("licenses")),
        "pi_ids": _strings(source.get("responsible_pi_ids")),
        "primary_maturity_tag": None
        if shown == "deprecated"
        else source.get("primary_maturity_tag"),
        "data_access_type": str(source.get("data_access_type") or "open"),
        "register_as_elixir": bool(source.get("register_as_elixir")),
        "added_at": _time(source.get("submitted_at")),
        "updated_at": _time(source.get("updated_at")),
        "approved_at": _time(approved_at) if entry is not None else None,
        "approved_version": source.get("version") if entry is not None else None,
        "search_text": fold_text(searchable),
        "entry": entry,
        "state": doc,
    }


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


class PublicCatalogueProjector(Projector):
    """The public catalogue: the last approved version of every once-approved submission.

    A projection of its own, not a version of ``catalogue`` (whose rows list the current
    document of approved submissions): the first version of a new projection is live as soon
    as ``migrate`` creates it, so the pages never wait for a manual promote."""

    name: ClassVar[str] = "public_catalogue"
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[Table, ...]] = (TABLE,)

    def keys(self, event: Any) -> list[RowKey]:
        """The submission's row."""
        return [("public_catalogue", (submission_id_of(event),))] if handles(event) else []

    def apply(self, rows: Rows, event: Any, position: int) -> None:
        """Fold the event into the current document; keep it as the entry while approved."""
        if not handles(event):
            return
        key: RowKey = ("public_catalogue", (submission_id_of(event),))
        current = rows.get(key)
        if isinstance(current, Pending):
            state: Doc = current.value
        elif current is not None:
            approved = current.get("approved_at")
            state = {
                "doc": current["state"],
                "entry": current["entry"],
                "approved_at": iso(approved) if isinstance(approved, datetime) else approved,
                "erased": current["visibility"] == "erased",
            }
        else:
            state = {"doc": None, "entry": None, "approved_at": None, "erased": False}
        before = state["doc"]
        after = fold(before, event)
        if after is None:
            if before is None and not state["erased"]:
                return  # an event of a submission this projection never saw created
            state = {"doc": None, "entry": None, "approved_at": None, "erased": True}
        else:
            doc = public(after)
            state = {**state, "doc": doc}
            if doc.get("status") == "approved":
                if (before or {}).get("status") != "approved" or state["approved_at"] is None:
                    created = kind(event) == "Submission.Imported"
                    state["approved_at"] = (
                        doc.get("updated_at") if created else iso(attr(event, "timestamp"))
                    )
                state["entry"] = doc
        rows[key] = Pending(state, position)

    def complete(self, key: RowKey, value: Any) -> Row:
        """The row of the batch's last state."""
        return row_of(UUID(str(key[1][0])), value)
