"""The wire shapes of spec §3.3, assembled from a stored document and its resolved references.

Pure functions: the SQL fetches a document plus the reference objects it points at (one round
trip), these put them in the served order and shape. The web adds only ``links``. Which fields a
submission has, in which order, and their defaults come from the field catalogue
(``domain.fields``); only the shapes of resolved references are written here, per kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from domain.field_types import Field
from domain.fields import FIELDS

EDAM_BASE: Final = "http://edamontology.org/"
EDAM_URL: Final = "https://edamontology.org/"
BIOTOOLS_URL: Final = "https://bio.tools/"

_RECORD_SCALARS: Final = (
    "id",
    "biotools_id",
    "biotools_url",
    "name",
    "description",
    "homepage",
    "version",
    "license",
    "maturity",
    "cost",
    "tool_type",
    "operating_system",
    "edam_topic_uris",
)


def edam_compact(accession: str, term: Mapping[str, Any] | None) -> dict[str, Any]:
    """``{uri, accession, branch, label, url}``; a term EDAM no longer has keeps a null label."""
    if term is None:
        branch = accession.split("_", 1)[0] if "_" in accession else None
        return {
            "uri": f"{EDAM_BASE}{accession}",
            "accession": accession,
            "branch": branch,
            "label": None,
            "url": f"{EDAM_URL}{accession}",
        }
    return {
        "uri": term["uri"],
        "accession": term["accession"],
        "branch": term["branch"],
        "label": term["label"],
        "url": f"{EDAM_URL}{term['accession']}",
    }


def edam_from_uri(uri: str, term: Mapping[str, Any] | None) -> dict[str, Any]:
    """A bio.tools topic URI resolved to a compact term, or the stub of spec §3.3."""
    if term is None:
        return {
            "uri": uri,
            "accession": uri.rstrip("/").rsplit("/", 1)[-1],
            "branch": None,
            "label": None,
            "url": uri,
        }
    return edam_compact(str(term["accession"]), term)


def pi_display(pi: Mapping[str, Any]) -> str:
    """``"Last, First"``, or the associated-partner text."""
    if pi.get("is_associated_partner"):
        return "Associated partner [please state below]"
    return f"{pi.get('last_name', '')}, {pi.get('first_name', '')}"


def pi_public(pi: Mapping[str, Any]) -> dict[str, Any]:
    """A PI as embedded in a submission: no email."""
    return {
        "id": str(pi["id"]),
        "last_name": pi["last_name"],
        "first_name": pi["first_name"],
        "display_name": pi_display(pi),
        "institute": pi["institute"],
        "orcid": pi["orcid"],
    }


def record_full(
    record: Mapping[str, Any], topics: Sequence[Mapping[str, Any] | None]
) -> dict[str, Any]:
    """The full bio.tools record (``topics``: the local term of each URI, or None)."""
    out = _record_scalars(record)
    uris = list(record.get("edam_topic_uris") or [])
    out["edam_topics_resolved"] = [
        edam_from_uri(uri, topics[i] if i < len(topics) else None) for i, uri in enumerate(uris)
    ]
    out["functions"] = [
        {
            "position": fn.get("position", i),
            "operations": fn.get("operations", []),
            "inputs": fn.get("inputs", []),
            "outputs": fn.get("outputs", []),
            "cmd": fn.get("cmd", ""),
            "note": fn.get("note", ""),
        }
        for i, fn in enumerate(record.get("functions") or [])
    ]
    for name in ("publications", "documentation", "download", "links"):
        out[name] = list(record.get(name) or [])
    out["last_synced_at"] = record.get("last_synced_at")
    out["sync_error"] = record.get("sync_error") or ""
    return out


def record_summary(record: Mapping[str, Any]) -> dict[str, Any]:
    """The compact bio.tools record embedded in list items."""
    out = _record_scalars(record)
    out["edam_topic_count"] = len(record.get("edam_topic_uris") or [])
    out["function_count"] = len(record.get("functions") or [])
    out["last_synced_at"] = record.get("last_synced_at")
    out["sync_error"] = record.get("sync_error") or ""
    return out


def _record_scalars(record: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _RECORD_SCALARS:
        if name == "biotools_url":
            out[name] = f"{BIOTOOLS_URL}{record.get('biotools_id', '')}"
        elif name in ("tool_type", "operating_system", "edam_topic_uris"):
            out[name] = list(record.get(name) or [])
        else:
            out[name] = record.get(name, "") if name != "id" else record.get("id")
    return out


def _centre(doc: Mapping[str, Any], refs: Mapping[str, Any]) -> dict[str, Any] | None:
    centre = refs.get("centre")
    if not centre:
        return None
    return {
        "id": str(centre["id"]),
        "short_name": centre["short_name"],
        "full_name": centre["full_name"],
        "website": centre["website"],
    }


Serve = Callable[[Mapping[str, Any], Mapping[str, Any]], Any]

# How each kind of reference is served, resolved by the SQL into ``refs`` (hand-written per kind,
# chosen by the field's ``refers_to``).
_REFERENCES: Final[dict[str, Callable[[Field], Serve]]] = {
    "centre": lambda f: _centre,
    "category": lambda f: (
        lambda doc, refs: [{"id": c["id"], "name": c["name"]} for c in refs["categories"]]
    ),
    "pi": lambda f: lambda doc, refs: [pi_public(p) for p in refs["pis"]],
    "edam_topic": lambda f: lambda doc, refs: _terms(doc.get(f.name), refs.get("topics") or ()),
    "edam_operation": lambda f: (
        lambda doc, refs: _terms(doc.get(f.name), refs.get("operations") or ())
    ),
    "submission": lambda f: (
        lambda doc, refs: [
            {"id": str(r["id"]), "service_name": r["service_name"]}
            for r in refs.get("related") or []
        ]
    ),
}


def _stored(f: Field) -> Serve | None:
    """How a stored field is served when not as the document holds it (None: as it is)."""
    if not f.writable:
        return lambda doc, refs: None  # being removed: served as null until its API version ends
    compute = f.computed
    if compute is not None:
        # Documents of read-table versions before the field hold no value: computed here.
        name = f.name
        return lambda doc, refs: doc[name] if name in doc else compute(doc)
    if f.refers_to in _REFERENCES:
        return _REFERENCES[f.refers_to](f)
    if f.kind == "file":
        return lambda doc, refs: doc.get(f.name) or None  # the logo's stored path
    if f.is_list:
        return lambda doc, refs: list(doc.get(f.name) or [])
    if f.api.renamed_from:
        # Documents of read-table versions before the rename hold the old name.
        return _renamed(f.name, tuple(a.name for a in f.api.renamed_from), f.empty)
    return None


def _renamed(name: str, olds: tuple[str, ...], empty: Any) -> Serve:
    def serve(doc: Mapping[str, Any], refs: Mapping[str, Any]) -> Any:
        if name in doc:
            return doc[name]
        for old in olds:
            if old in doc:
                return doc[old]
        return empty

    return serve


def _wire(major: int) -> tuple[tuple[tuple[str, str, Any], ...], tuple[tuple[str, Serve], ...]]:
    """API version ``major``'s served fields, in wire order: ``(name, document key, default)`` of
    every one (copied as stored), and ``(name, serve)`` of those served otherwise."""
    slots: list[tuple[str, str, Any]] = []
    special: list[tuple[str, Serve]] = []
    for f in FIELDS:
        if f.role not in ("content", "computed") or not f.served or not f.api.served_in(major):
            continue
        serve = _stored(f)
        names = [f.served_as]
        names += [
            a.name for a in f.api.renamed_from if a.removed_in is None or major < a.removed_in
        ]
        for name in names:  # a deprecated alias serves the same value under its old name
            slots.append((name, f.name, f.empty))
            if serve is not None:
                special.append((name, serve))
    return tuple(slots), tuple(special)


# The read side serves /api/v1/'s shape (every field, deprecated aliases included); later API
# versions leave out what they no longer have (``web.endpoints.submissions.for_api``).
_SLOTS, _SPECIAL = _wire(1)


def submission(
    doc: Mapping[str, Any],
    refs: Mapping[str, Any],
    *,
    full_record: bool,
) -> dict[str, Any]:
    """The submission in the wire order of spec §3.3 (minus ``links``), plus ``version``.

    ``refs`` holds what the SQL resolved: ``centre`` (object or None), ``categories``, ``pis``,
    ``topics`` and ``operations`` (term rows or None per stored accession, in stored order),
    ``record_topics`` (per bio.tools topic URI), ``related``.
    """
    get = doc.get
    out: dict[str, Any] = {
        "id": doc["id"],
        "status": doc["status"],
        "submitted_at": doc["submitted_at"],
        "updated_at": doc["updated_at"],
    }
    # Every field where the wire puts it, as the document holds it (a document written before
    # a field existed answers its default); then the few served otherwise, in their places.
    out.update({name: get(key, default) for name, key, default in _SLOTS})
    for name, serve in _SPECIAL:
        out[name] = serve(doc, refs)
    record = doc.get("biotoolsrecord")
    embedded: dict[str, Any] | None = None
    if record:
        embedded = (
            record_full(record, list(refs.get("record_topics") or []))
            if full_record
            else record_summary(record)
        )
    secondary = doc.get("secondary_maturity_tags")
    out["biotoolsrecord"] = embedded
    out["primary_maturity_tag"] = doc.get("primary_maturity_tag")
    out["secondary_maturity_tags"] = list(secondary) if secondary is not None else None
    out["version"] = doc.get("version")
    return out


def _terms(stored: Any, resolved: Sequence[Mapping[str, Any] | None]) -> list[dict[str, Any]]:
    """The compact terms of stored accessions (``resolved``: each one's term row or None)."""
    out = []
    for i, accession in enumerate(stored or []):
        term = resolved[i] if i < len(resolved) else None
        out.append(edam_compact(str(accession), term))
    return out
