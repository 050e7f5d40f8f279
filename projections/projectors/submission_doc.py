"""The one representation of a submission on the read side: a fold of its events.

``fold(doc, event)`` is pure. The ``submissions`` projector stores its result as a JSONB document;
``ReadModel.submission_as_of`` runs the same fold over the events up to an instant, so a live
document and an as-of document at the same version are equal by construction.

The document keeps raw values (reference ids, EDAM accessions, SPDX ids); the queries resolve
them against the reference views when they serve it, so a renamed centre shows its new name.
Fields that are never served (internal contact, consent, IP, user-agent hash) never enter it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from projections.projectors.events import attr, iso, kind, submission_id_of, values

Doc = dict[str, Any]

# Raw fields served in the wire shape (spec §3.3), with their defaults when a payload omits them.
PUBLIC_FIELDS: Final[dict[str, Any]] = {
    "date_of_entry": None,
    "submitter_first_name": "",
    "submitter_last_name": "",
    "submitter_affiliation": "",
    "register_as_elixir": False,
    "service_name": "",
    "service_description": "",
    "year_established": None,
    "service_category_ids": [],
    "is_toolbox": False,
    "toolbox_name": "",
    "user_knowledge_required": "",
    "publications_pmids": "",
    "edam_topic_ids": [],
    "edam_operation_ids": [],
    "responsible_pi_ids": [],
    "associated_partner_note": "",
    "host_institute": "",
    "service_center_id": None,
    "public_contact_email": "",
    "website_url": "",
    "terms_of_use_url": "",
    "licenses": [],
    "license_note": "",
    "github_url": "",
    "biotools_url": "",
    "fairsharing_url": "",
    "other_registry_url": "",
    "kpi_monitoring": "",
    "kpi_since": "",
    "logo": None,
    "keywords_uncited": "",
    "keywords_seo": "",
    "survey_participation": True,
    "comments": "",
    "data_access_type": "open",
    "related_service_ids": [],
}

#: The document shape of ``submissions`` v1 (before ``kpi_since``, ``data_access_type`` and
#: related services): v2's new keys, and v1's names of renamed keys.
V1_ABSENT: Final = ("data_access_type", "related_service_ids")
V1_NAMES: Final[dict[str, str]] = {"kpi_since": "kpi_start_year"}

SYNC_ERROR_MAX: Final = 2000

_TAG_FIELDS = ("primary_maturity_tag", "secondary_maturity_tags")


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
        if field in PUBLIC_FIELDS or field in _TAG_FIELDS or field == "status":
            doc[field] = _plain(value)
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


def as_v1(doc: Doc) -> Doc:
    """The document in the v1 shape (what ``submissions`` v1 stores)."""
    return {V1_NAMES.get(k, k): v for k, v in doc.items() if k not in V1_ABSENT}


def from_v1(doc: Doc) -> Doc:
    """A v1 document in today's shape (new fields at their defaults), to fold on."""
    renamed = {new: old for new, old in V1_NAMES.items()}
    out = {k: v for k, v in doc.items() if k not in renamed.values()}
    for new, old in renamed.items():
        out[new] = doc.get(old, PUBLIC_FIELDS[new])
    for name in V1_ABSENT:
        out.setdefault(name, _plain(PUBLIC_FIELDS[name]))
    return out


def concerns(event: object) -> str:
    """The submission id (as text) an event's document change belongs to."""
    return str(submission_id_of(event))
