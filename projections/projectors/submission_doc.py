"""The one representation of a submission on the read side: a fold of its events.

``fold(doc, event)`` is pure. The ``submissions`` projector stores its result as a JSONB document;
``ReadModel.submission_as_of`` runs the same fold over the events up to an instant, so a live
document and an as-of document at the same version are equal by construction.

The document keeps raw values (reference ids, EDAM accessions, SPDX ids); the queries resolve
them against the reference views when they serve it, so a renamed centre shows its new name.
Fields that are never served (internal contact, consent, IP, user-agent hash) never enter it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from domain.field_types import Field
from domain.fields import FIELDS, RENAMED_FIELDS
from projections.projectors.events import attr, iso, kind, values

Doc = dict[str, Any]

#: The fields a document carries (the catalogue's served content and computed fields, in wire
#: order); a document written before one of them existed lacks it, and readers answer with its
#: default (``Field.empty``).
DOC_FIELDS: Final[tuple[Field, ...]] = tuple(
    f for f in FIELDS if f.role in ("content", "computed") and f.served and f.writable
)
#: Raw fields served in the wire shape (spec §3.3), with their defaults when a payload omits them.
PUBLIC_FIELDS: Final[dict[str, Any]] = {f.name: f.empty for f in DOC_FIELDS if f.role == "content"}
_COMPUTED: Final = tuple(f for f in DOC_FIELDS if f.computed is not None)

#: The document shape of ``submissions`` v1 (before ``kpi_since``, ``data_access_type`` and
#: related services): the keys later versions added, and v1's names of renamed keys.
V1_ABSENT: Final = tuple(f.name for f in DOC_FIELDS if f.stored_from > 1)
V1_NAMES: Final[dict[str, str]] = {"kpi_since": "kpi_start_year"}

SYNC_ERROR_MAX: Final = 2000

_TAG_FIELDS = ("primary_maturity_tag", "secondary_maturity_tags")
# Event value name -> document key: the document's fields, old names of renamed ones, lifecycle.
_DOC_KEYS: Final[dict[str, str]] = {
    **{name: name for name in PUBLIC_FIELDS},
    **{old: new for old, new in RENAMED_FIELDS.items() if new in PUBLIC_FIELDS},
    **{name: name for name in (*_TAG_FIELDS, "status")},
}


_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """JSON-able copy: UUIDs and dates become strings, tuples lists."""
    if type(value) in _SCALARS:  # most values: one set lookup instead of four isinstance calls
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# The defaults of a new document, made JSON-able once (not once per registration).
_DEFAULTS: Final[Doc] = {k: _plain(v) for k, v in PUBLIC_FIELDS.items()}
_LIST_DEFAULTS: Final = tuple(k for k, v in _DEFAULTS.items() if isinstance(v, list))


def _apply_values(doc: Doc, new: Mapping[str, Any]) -> None:
    for field, value in new.items():
        key = _DOC_KEYS.get(field)
        if key is not None:
            doc[key] = _plain(value)
    for computed in _COMPUTED:
        assert computed.computed is not None
        doc[computed.name] = _plain(computed.computed(doc))
    if doc.get("status") != "approved":
        # Leaving approved clears the tags (decisions.md item 1); the event may not repeat it.
        doc["primary_maturity_tag"] = None
        doc["secondary_maturity_tags"] = []


def _registered(event: object) -> Doc:
    at = iso(attr(event, "timestamp"))
    doc: Doc = {"id": str(attr(event, "originator_id")), "status": "submitted"}
    status = attr(event, "status")
    doc.update(_DEFAULTS)
    for field in _LIST_DEFAULTS:  # every document gets lists of its own
        doc[field] = list(_DEFAULTS[field])
    doc.update(
        {
            "submitted_at": at,
            "updated_at": at,
            "primary_maturity_tag": None,
            "secondary_maturity_tags": [],
            "biotoolsrecord": None,
        }
    )
    _apply_values(doc, {**values(event), "status": status or "submitted"})
    return doc


def _imported(event: object) -> Doc:
    """A submission imported from the existing system: its state and original times (the
    event's own timestamp is the import), tags kept only when approved."""
    doc = _registered(event)
    doc["submitted_at"] = iso(datetime.fromisoformat(str(attr(event, "submitted_at"))))
    doc["updated_at"] = iso(datetime.fromisoformat(str(attr(event, "updated_at"))))
    _apply_values(
        doc,
        {
            "primary_maturity_tag": attr(event, "primary_maturity_tag"),
            "secondary_maturity_tags": list(attr(event, "secondary_maturity_tags") or []),
        },
    )
    return doc


def _record(event: object, doc: Doc) -> Doc:
    """The embedded bio.tools record after a successful sync."""
    record = dict(_plain(attr(event, "record") or {}))
    record["id"] = str(attr(event, "originator_id"))
    record["biotools_id"] = str(attr(event, "biotools_id") or record.get("biotools_id", ""))
    # An imported record keeps the existing system's time; a worker's sync is the event's own.
    record["last_synced_at"] = record.get("last_synced_at") or iso(attr(event, "timestamp"))
    record["sync_error"] = ""
    return record


def _failed_record(event: object, doc: Doc) -> Doc:
    """The embedded record after a failed sync: earlier data kept, error recorded."""
    previous = doc.get("biotoolsrecord")
    biotools_id = str(attr(event, "biotools_id") or "")
    if isinstance(previous, dict) and previous.get("biotools_id") == biotools_id:
        record = dict(previous)
    else:
        record = empty_record(biotools_id)
        record["id"] = str(attr(event, "originator_id"))
    record["sync_error"] = str(attr(event, "error") or "")[:SYNC_ERROR_MAX]
    return record


def empty_record(biotools_id: str) -> Doc:
    """A bio.tools record with no synced content yet."""
    return {
        "id": None,
        "biotools_id": biotools_id,
        "name": "",
        "description": "",
        "homepage": "",
        "version": "",
        "license": "",
        "maturity": "",
        "cost": "",
        "tool_type": [],
        "operating_system": [],
        "publications": [],
        "documentation": [],
        "download": [],
        "links": [],
        "edam_topic_uris": [],
        "functions": [],
        "last_synced_at": None,
        "sync_error": "",
    }


def fold(doc: Doc | None, event: object) -> Doc | None:
    """The submission document after ``event``; ``None`` when it does not (or no longer) exist.

    Events of a submission's ``BioToolsRecord`` aggregate update the embedded record but not the
    submission's ``version`` (they belong to another aggregate).
    """
    name = kind(event)
    if name == "Submission.Registered":
        doc = _registered(event)
    elif name == "Submission.Imported":
        doc = _imported(event)
    elif doc is None or name.endswith(".Erased"):
        return None
    elif name.startswith("Submission."):
        doc = dict(doc)
        at = iso(attr(event, "timestamp"))
        if name in (
            "Submission.Amended",
            "Submission.StatusChanged",
            "Submission.RelatedServicesChanged",
        ):
            new = values(event)
            if name == "Submission.StatusChanged" and "status" not in new:
                new["status"] = attr(event, "new_status")
            _apply_values(doc, new)
            doc["updated_at"] = at
        elif name == "Submission.MaturityTagsAssigned":
            _apply_values(doc, values(event))
            doc["updated_at"] = at
        elif name == "Submission.BioToolsLinked":
            record = doc.get("biotoolsrecord")
            if isinstance(record, dict) and record.get("biotools_id") != attr(event, "biotools_id"):
                doc["biotoolsrecord"] = None
        elif name == "Submission.BioToolsUnlinked":
            doc["biotoolsrecord"] = None
    else:
        doc = dict(doc)
        if name.endswith("Synced"):
            doc["biotoolsrecord"] = _record(event, doc)
        elif name.endswith("SyncFailed"):
            doc["biotoolsrecord"] = _failed_record(event, doc)
        elif name.endswith("Unlinked"):
            doc["biotoolsrecord"] = None
        return doc
    doc["version"] = attr(event, "originator_version")
    return doc


def as_stored_by(version: int, doc: Doc) -> Doc:
    """The document as ``submissions`` ``version`` stores it: without the fields a later
    version introduced (``Field.stored_from``), so a rollback serves what that version served."""
    later = _introduced_after(version)
    return {k: v for k, v in doc.items() if k not in later} if later else doc


@functools.cache
def _introduced_after(version: int) -> frozenset[str]:
    return frozenset(f.name for f in DOC_FIELDS if f.stored_from > version)


def as_v1(doc: Doc) -> Doc:
    """The document in the v1 shape (what ``submissions`` v1 stores)."""
    return {V1_NAMES.get(k, k): v for k, v in as_stored_by(1, doc).items()}


def from_v1(doc: Doc) -> Doc:
    """A v1 document in today's shape (new fields at their defaults), to fold on."""
    renamed = {new: old for new, old in V1_NAMES.items()}
    out = {k: v for k, v in doc.items() if k not in renamed.values()}
    for new, old in renamed.items():
        out[new] = doc.get(old, PUBLIC_FIELDS[new])
    for name in V1_ABSENT:
        out.setdefault(name, _plain(PUBLIC_FIELDS[name]))
    return out
