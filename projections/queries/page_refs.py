"""One document's references picked from a list page's resolved references (`PAGE_REFS`).

The detail statement resolves a document's references with one subquery each; a list page
resolves those of all its documents once, keyed by id, and this puts each document's together
exactly as the detail's subqueries would: the centre or None, categories and PIs once each in
the server's sort order (``rank``), EDAM terms per stored accession in stored order (None for an
unknown one), related services once each by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

Refs = Mapping[str, Mapping[str, Any]]


def _uuid_key(value: Any) -> str:
    return str(value if isinstance(value, UUID) else UUID(str(value)))


def _ranked(table: Mapping[str, Any], keys: Iterable[str]) -> list[Any]:
    found = {key: table[key] for key in keys if key in table}
    return sorted(found.values(), key=lambda row: row["rank"])


def _by_uuid(table: Mapping[str, Any], value: Any) -> Any:
    """``table``'s entry for the id ``value``: the stored text as it is when it is already the
    server's spelling of the uuid (the usual case: no UUID parsed), else its canonical form."""
    found = table.get(value) if isinstance(value, str) else None
    return found if found is not None else table.get(_uuid_key(value))


def _ranked_uuids(table: Mapping[str, Any], values: Iterable[Any]) -> list[Any]:
    found: dict[str, Any] = {}
    for value in values:
        row = _by_uuid(table, value)
        if row is not None:
            found[str(row["id"])] = row
    return sorted(found.values(), key=lambda row: row["rank"])


def refs_of(doc: Mapping[str, Any], page: Refs) -> dict[str, Any]:
    """The ``refs`` argument of `shapes.submission` for ``doc``, from the page's references."""
    centre_id = doc.get("service_center_id")
    edam = page["edam"]
    return {
        "centre": _by_uuid(page["centres"], centre_id) if centre_id else None,
        "categories": _ranked(
            page["categories"], (str(int(c)) for c in doc.get("service_category_ids") or ())
        ),
        "pis": _ranked_uuids(page["pis"], doc.get("responsible_pi_ids") or ()),
        "topics": [edam.get(str(a)) for a in doc.get("edam_topic_ids") or ()],
        "operations": [edam.get(str(a)) for a in doc.get("edam_operation_ids") or ()],
        "related": _ranked_uuids(page["related"], doc.get("related_service_ids") or ()),
    }
