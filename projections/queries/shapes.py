"""The wire shapes of spec §3.3, assembled from a stored document and its resolved references.

Pure functions: the SQL fetches a document plus the reference objects it points at (one round
trip), these put them in the served order and shape. The web adds only ``links``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

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


def submission(
    doc: Mapping[str, Any],
    refs: Mapping[str, Any],
    *,
    full_record: bool,
) -> dict[str, Any]:
    """The submission in the wire order of spec §3.3 (minus ``links``), plus ``version``.

    ``refs`` holds what the SQL resolved: ``centre`` (object or None), ``categories``, ``pis``,
    ``topics`` and ``operations`` (term rows or None per stored accession, in stored order),
    ``record_topics`` (per bio.tools topic URI).
    """
    centre = refs.get("centre")
    record = doc.get("biotoolsrecord")
    topics = list(refs.get("topics") or [])
    operations = list(refs.get("operations") or [])
    embedded: dict[str, Any] | None = None
    if record:
        embedded = (
            record_full(record, list(refs.get("record_topics") or []))
            if full_record
            else record_summary(record)
        )
    secondary = doc.get("secondary_maturity_tags")
    return {
        "id": doc["id"],
        "status": doc["status"],
        "submitted_at": doc["submitted_at"],
        "updated_at": doc["updated_at"],
        "date_of_entry": doc.get("date_of_entry"),
        "submitter_first_name": doc.get("submitter_first_name", ""),
        "submitter_last_name": doc.get("submitter_last_name", ""),
        "submitter_affiliation": doc.get("submitter_affiliation", ""),
        "register_as_elixir": bool(doc.get("register_as_elixir")),
        "service_name": doc.get("service_name", ""),
        "service_description": doc.get("service_description", ""),
        "year_established": doc.get("year_established"),
        "service_categories": [{"id": c["id"], "name": c["name"]} for c in refs["categories"]],
        "is_toolbox": bool(doc.get("is_toolbox")),
        "toolbox_name": doc.get("toolbox_name", ""),
        "user_knowledge_required": doc.get("user_knowledge_required", ""),
        "publications_pmids": doc.get("publications_pmids", ""),
        "edam_topics": _terms(doc.get("edam_topic_ids"), topics),
        "edam_operations": _terms(doc.get("edam_operation_ids"), operations),
        "responsible_pis": [pi_public(p) for p in refs["pis"]],
        "associated_partner_note": doc.get("associated_partner_note", ""),
        "host_institute": doc.get("host_institute", ""),
        "service_center": (
            {
                "id": str(centre["id"]),
                "short_name": centre["short_name"],
                "full_name": centre["full_name"],
                "website": centre["website"],
            }
            if centre
            else None
        ),
        "public_contact_email": doc.get("public_contact_email", ""),
        "website_url": doc.get("website_url", ""),
        "terms_of_use_url": doc.get("terms_of_use_url", ""),
        "licenses": list(doc.get("licenses") or []),
        "license_note": doc.get("license_note", ""),
        "github_url": doc.get("github_url", ""),
        "biotools_url": doc.get("biotools_url", ""),
        "fairsharing_url": doc.get("fairsharing_url", ""),
        "other_registry_url": doc.get("other_registry_url", ""),
        "kpi_monitoring": doc.get("kpi_monitoring", ""),
        "kpi_since": _kpi_since(doc),
        "kpi_start_year": _kpi_since(doc),  # deprecated alias of kpi_since (API v1 promise)
        "logo_url": doc.get("logo") or None,
        "keywords_uncited": doc.get("keywords_uncited", ""),
        "keywords_seo": doc.get("keywords_seo", ""),
        "survey_participation": bool(doc.get("survey_participation")),
        "comments": doc.get("comments", ""),
        "data_access_type": doc.get("data_access_type") or "open",
        "related_services": [
            {"id": str(r["id"]), "service_name": r["service_name"]}
            for r in refs.get("related") or []
        ],
        "biotoolsrecord": embedded,
        "primary_maturity_tag": doc.get("primary_maturity_tag"),
        "secondary_maturity_tags": list(secondary) if secondary is not None else None,
        "version": doc.get("version"),
    }


def _kpi_since(doc: Mapping[str, Any]) -> Any:
    """``kpi_since``; documents of ``submissions`` v1 still call it ``kpi_start_year``."""
    if "kpi_since" in doc:
        return doc["kpi_since"]
    return doc.get("kpi_start_year", "")


def _terms(stored: Any, resolved: Sequence[Mapping[str, Any] | None]) -> list[dict[str, Any]]:
    out = []
    for i, accession in enumerate(stored or []):
        term = resolved[i] if i < len(resolved) else None
        out.append(edam_compact(str(accession), term))
    return out
