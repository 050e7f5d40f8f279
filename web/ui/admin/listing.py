"""The admin submissions list's state (the query string), its labels and the export's rows
(spec/ui.md §5.7.3); the read side filters, counts, searches, sorts and pages
(``ReadPort.admin_submissions``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from domain.fields import DATA_ACCESS_TYPES, RENAMED_FIELDS, export_columns
from domain.lifecycle import PRIMARY_TAG_LABELS, SECONDARY_TAG_LABELS, STATUS_LABELS

PAGE_SIZES: Final = (30, 100)
SORTS: Final = {
    "-submitted_at": "Newest submitted first",
    "submitted_at": "Oldest submitted first",
    "-updated_at": "Recently updated first",
    "updated_at": "Least recently updated first",
    "service_name": "Service name A–Z",
    "-service_name": "Service name Z–A",
    "status": "Status",
}
SYNC_LABELS: Final = {"ok": "Synced", "error": "Sync failed", "none": "Not linked"}
FACET_LEGENDS: Final = {
    "status": "Status",
    "maturity": "Maturity",
    "elixir": "ELIXIR",
    "center": "Service centre",
    "category": "Category",
    "pi": "Responsible PI",
    "access": "Data access",
    "biotools_sync": "bio.tools sync",
}

#: The original's export columns, in its order (inventory §4.7); the catalogue's export fields
#: it did not have are appended (:func:`export_names`).
ORIGINAL_COLUMNS: Final = (
    "id", "status", "primary_maturity_tag", "secondary_maturity_tags", "date_of_entry",
    "service_name", "service_description", "year_established", "submitter_first_name",
    "submitter_last_name", "submitter_affiliation", "host_institute", "service_center",
    "public_contact_email", "internal_contact_name", "internal_contact_email",
    "service_categories", "responsible_pis", "edam_topics", "edam_operations", "is_toolbox",
    "toolbox_name", "user_knowledge_required", "publications_pmids", "website_url",
    "terms_of_use_url", "licenses", "license_note", "github_url", "biotools_url",
    "fairsharing_url", "other_registry_url", "kpi_monitoring", "kpi_start_year",
    "associated_partner_note", "keywords_uncited", "keywords_seo", "register_as_elixir",
    "survey_participation", "comments", "logo_url", "biotools_id", "biotools_name",
    "biotools_description", "biotools_homepage", "biotools_version", "biotools_license",
    "biotools_maturity", "biotools_cost", "biotools_tool_type", "biotools_operating_system",
    "biotools_edam_topic_uris", "biotools_edam_operation_uris", "biotools_functions",
    "biotools_publications", "biotools_documentation", "biotools_download", "biotools_links",
    "biotools_last_synced_at", "submitted_at", "updated_at",
)  # fmt: skip


def export_names() -> tuple[str, ...]:
    """The export's columns: the original's, then every catalogue export field it lacked (the
    new ones: ``data_access_type``, ``kpi_since``, ``related_services``, …)."""
    known = set(ORIGINAL_COLUMNS)
    added = [f.served_as for f in export_columns() if f.served_as not in known]
    return (*ORIGINAL_COLUMNS, *added)


_OLD_NAME: Final = {new: old for old, new in RENAMED_FIELDS.items()}


def _first(params: QueryParams, name: str, allowed: Iterable[str] | None = None) -> str:
    value = params.get(name, "").strip()
    if allowed is not None and value not in allowed:
        return ""
    return value[:200]


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _int(text: str, default: int) -> int:
    return int(text) if text.isdigit() and len(text) < 7 else default


@dataclass(frozen=True)
class ListParams:
    """One state of the admin list (the query string, normalised)."""

    status: tuple[str, ...] = ()
    maturity: str = ""
    elixir: str = ""
    center: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    pi: tuple[str, ...] = ()
    access: str = ""
    biotools_sync: str = ""
    submitted_from: str = ""
    submitted_to: str = ""
    changed_since_approval: bool = False
    q: str = ""
    sort: str = "-submitted_at"
    page: int = 1
    page_size: int = PAGE_SIZES[0]
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(cls, params: QueryParams) -> ListParams:
        """The state a query string asks for; an invalid date is reported by field name."""
        errors: dict[str, str] = {}
        dates = {}
        for name in ("submitted_from", "submitted_to"):
            text = params.get(name, "").strip()
            if text and _date(text) is None:
                errors[name] = f"{name}: enter a date as YYYY-MM-DD."
                text = ""
            dates[name] = text
        size = _int(params.get("page_size", ""), PAGE_SIZES[0])
        return cls(
            status=tuple(v for v in dict.fromkeys(params.getlist("status")) if v in STATUS_LABELS),
            maturity=_first(params, "maturity", [*PRIMARY_TAG_LABELS, "none"]),
            elixir=_first(params, "elixir", ["1", "0"]),
            center=tuple(dict.fromkeys(v[:64] for v in params.getlist("center") if v)),
            category=tuple(dict.fromkeys(v[:64] for v in params.getlist("category") if v)),
            pi=tuple(dict.fromkeys(v[:64] for v in params.getlist("pi") if v)),
            access=_first(params, "access", DATA_ACCESS_TYPES),
            biotools_sync=_first(params, "biotools_sync", SYNC_LABELS),
            submitted_from=dates["submitted_from"],
            submitted_to=dates["submitted_to"],
            changed_since_approval=params.get("changed_since_approval") == "1",
            q=" ".join(params.get("q", "").split())[:200],
            sort=_first(params, "sort", SORTS) or "-submitted_at",
            page=max(1, _int(params.get("page", ""), 1)),
            page_size=size if size in PAGE_SIZES else PAGE_SIZES[0],
            errors=errors,
        )

    def pairs(self, *, paging: bool = True) -> list[tuple[str, str]]:
        """The canonical query pairs (defaults left out)."""
        out: list[tuple[str, str]] = [("status", s) for s in self.status]
        for name in ("maturity", "elixir", "access", "biotools_sync"):
            if getattr(self, name):
                out.append((name, getattr(self, name)))
        for name in ("center", "category", "pi"):
            out.extend((name, v) for v in getattr(self, name))
        for name in ("submitted_from", "submitted_to", "q"):
            if getattr(self, name):
                out.append((name, getattr(self, name)))
        if self.changed_since_approval:
            out.append(("changed_since_approval", "1"))
        if self.sort != "-submitted_at":
            out.append(("sort", self.sort))
        if paging:
            if self.page_size != PAGE_SIZES[0]:
                out.append(("page_size", str(self.page_size)))
            if self.page > 1:
                out.append(("page", str(self.page)))
        return out

    def query(self, *, paging: bool = True) -> str:
        """``?…`` of :meth:`pairs` (empty without any)."""
        pairs = self.pairs(paging=paging)
        return "?" + urlencode(pairs) if pairs else ""

    def url(self, **changes: Any) -> str:
        """The list URL of this state with ``changes`` (page back to 1 unless given)."""
        changes.setdefault("page", 1)
        return "/admin/submissions/" + replace(self, **changes).query()

    def without(self, name: str, value: str = "") -> str:
        """The list URL with one filter value (or the whole filter) removed."""
        current = getattr(self, name)
        if isinstance(current, tuple):
            return self.url(**{name: tuple(v for v in current if v != value)})
        if isinstance(current, bool):
            return self.url(**{name: False})
        return self.url(**{name: ""})

    def criteria(self) -> dict[str, Any]:
        """What the read side filters and sorts by (``ReadPort.admin_submissions``)."""
        out = asdict(self)
        for name in ("page", "page_size", "errors"):
            del out[name]
        return out


def sync_state(doc: Mapping[str, Any]) -> str:
    """``ok``, ``error`` or ``none`` of a submission's bio.tools record."""
    record = doc.get("biotoolsrecord")
    if not record:
        return "none"
    return "error" if record.get("sync_error") else "ok"


# -- export -----------------------------------------------------------------------------------


def _joined(values: Iterable[Any]) -> str:
    return "; ".join(str(v) for v in values)


def export_row(doc: Mapping[str, Any], base: str, *, nested: bool) -> dict[str, Any]:
    """One submission in the export's columns: CSV cells (``nested`` False: lists joined with
    "; ", labels for tags) or the JSON shape (submitter and biotools nested, raw tags)."""
    record = doc.get("biotoolsrecord") or {}
    centre = doc.get("service_center") or {}
    secondary = list(doc.get("secondary_maturity_tags") or [])
    primary = doc.get("primary_maturity_tag")
    topics = [
        {"label": t.get("label") or "", "uri": t.get("uri") or ""}
        for t in doc.get("edam_topics") or []
    ]
    operations = [
        {"label": t.get("label") or "", "uri": t.get("uri") or ""}
        for t in doc.get("edam_operations") or []
    ]
    logo = doc.get("logo_url") or ""
    if logo and not str(logo).startswith(("http://", "https://")):
        logo = f"{base.rstrip('/')}/media/{str(logo).lstrip('/')}"
    values: dict[str, Any] = {name: doc.get(name, "") for name in export_names()}
    values.update(
        {
            "id": str(doc["id"]),
            "primary_maturity_tag": primary
            if nested
            else PRIMARY_TAG_LABELS.get(primary or "", ""),
            "secondary_maturity_tags": secondary
            if nested
            else _joined(SECONDARY_TAG_LABELS.get(t, t) for t in secondary),
            "service_center": centre.get("short_name", ""),
            "service_categories": [c["name"] for c in doc.get("service_categories") or []],
            "responsible_pis": [
                f"{p.get('first_name', '')} {p.get('last_name', '')}".strip()
                for p in doc.get("responsible_pis") or []
            ],
            "edam_topics": topics,
            "edam_operations": operations,
            "licenses": list(doc.get("licenses") or []),
            "kpi_start_year": doc.get("kpi_since", doc.get(_OLD_NAME.get("kpi_since", ""), "")),
            "logo_url": logo,
            "related_services": [
                r.get("id", r) if isinstance(r, Mapping) else r
                for r in doc.get("related_services") or []
            ],
        }
    )
    biotools = {
        "biotools_id": record.get("biotools_id", ""),
        "biotools_name": record.get("name", ""),
        "biotools_description": record.get("description", ""),
        "biotools_homepage": record.get("homepage", ""),
        "biotools_version": record.get("version", ""),
        "biotools_license": record.get("license", ""),
        "biotools_maturity": record.get("maturity", ""),
        "biotools_cost": record.get("cost", ""),
        "biotools_tool_type": list(record.get("tool_type") or []),
        "biotools_operating_system": list(record.get("operating_system") or []),
        "biotools_edam_topic_uris": list(record.get("edam_topic_uris") or []),
        "biotools_edam_operation_uris": list(record.get("edam_operation_uris") or []),
        "biotools_functions": list(record.get("functions") or []),
        "biotools_publications": list(record.get("publications") or []),
        "biotools_documentation": list(record.get("documentation") or []),
        "biotools_download": list(record.get("download") or []),
        "biotools_links": list(record.get("links") or []),
        "biotools_last_synced_at": record.get("last_synced_at") or "",
    }
    if nested:
        out = {
            k: v for k, v in values.items() if not k.startswith("biotools_") or k == "biotools_url"
        }
        for name in ("submitter_first_name", "submitter_last_name", "submitter_affiliation"):
            out.pop(name, None)
        out["submitter"] = {
            "first_name": doc.get("submitter_first_name", ""),
            "last_name": doc.get("submitter_last_name", ""),
            "affiliation": doc.get("submitter_affiliation", ""),
        }
        out["biotools"] = biotools if record else None
        return out
    values.update(biotools)
    cells: dict[str, Any] = {}
    for name in export_names():
        value = values.get(name, "")
        if name in ("edam_topics", "edam_operations"):
            value = _joined(f"{t['label']} ({t['uri']})" for t in value)
        elif name in (
            "biotools_functions",
            "biotools_publications",
            "biotools_documentation",
            "biotools_download",
            "biotools_links",
        ):
            value = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, list):
            value = _joined(value)
        elif value is None:
            value = ""
        cells[name] = value
    return cells
