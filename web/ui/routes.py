"""The public pages: home, catalogue (with its htmx fragments) and the service page
(spec/ui.md §5.2, §5.5, §5.5.1, §5.5.2).

They read through the same ``ReadPort`` as the API, in-process; the catalogue and the service
page see only the last approved version of each service (``catalogue_search`` /
``catalogue_service``), so an owner's edit waiting for review never reaches the public.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from domain.fields import DATA_ACCESS_TYPES
from domain.lifecycle import PRIMARY_TAG_LABELS, SECONDARY_TAG_LABELS
from schema.text_search import search_words
from web.context import Context, in_read_thread
from web.ui.catalogue import (
    FACET_LABELS,
    GROUP_LABELS,
    SORT_LABELS,
    CatalogueParams,
    filter_chips,
)
from web.ui.render import Renderer

RECENT: Final = 6
EXPORT_CAP: Final = 5000
FACET_TOP: Final = 8
SPDX_URL: Final = "https://spdx.org/licenses/"
EDAM_URL: Final = "https://edamontology.org/"

_TOKEN = re.compile(r"[^\s,;]+")


class PublicPages:
    """The public pages of one app, over its :class:`web.context.Context`."""

    def __init__(self, ctx: Context, renderer: Renderer) -> None:
        self.ctx = ctx
        self.renderer = renderer

    def routes(self) -> list[BaseRoute]:
        """Home, catalogue, its fragments and the service pages."""
        routes: list[BaseRoute] = [
            Route("/", self.home, methods=["GET", "HEAD"]),
            Route("/accessibility/", self.accessibility, methods=["GET", "HEAD"]),
        ]
        if self.ctx.settings.feature_catalogue:
            routes += [
                Route("/catalogue/", self.catalogue, methods=["GET", "HEAD"]),
                Route("/catalogue/grid/", self.grid, methods=["GET", "HEAD"]),
                Route("/catalogue/filters/", self.filters, methods=["GET", "HEAD"]),
                Route("/catalogue.json", self.catalogue_json, methods=["GET", "HEAD"]),
                Route("/catalogue.csv", self.catalogue_csv, methods=["GET", "HEAD"]),
                Route("/catalogue/{service_id}.json", self.service_json, methods=["GET", "HEAD"]),
                Route("/catalogue/{service_id}/", self.service, methods=["GET", "HEAD"]),
            ]
        return routes

    async def home(self, request: Request) -> Response:
        """The site name, what the registry is, the three tasks and the recent services."""
        total, recent = await in_read_thread(lambda: self.ctx.read.catalogue_recent(RECENT))
        return self.renderer.page(
            request, "home.html", {"total": total, "recent": recent, "section": "home"}
        )

    async def accessibility(self, request: Request) -> Response:
        """The accessibility statement (spec/ui.md §4), linked from every page's footer."""
        return self.renderer.page(request, "accessibility.html", {})

    async def catalogue(self, request: Request) -> Response:
        """The catalogue page; with ``HX-Request`` (not a history restore) its results
        fragment, as the original answered."""
        return await self._catalogue(request, fragment=_htmx(request))

    async def grid(self, request: Request) -> Response:
        """The results fragment with ``HX-Push-Url`` (the full page for a history restore)."""
        return await self._catalogue(request, fragment=not _restoring(request))

    async def filters(self, request: Request) -> Response:
        """The facet sidebar fragment (parity with the original's ``/catalogue/filters/``)."""
        params = CatalogueParams.parse(request.query_params)
        result = await self._search(params)
        context = self._catalogue_context(request, params, result)
        return self.renderer.page(request, "catalogue/_filters.html", context)

    async def _search(self, params: CatalogueParams) -> dict[str, Any]:
        criteria = params.criteria()
        return await in_read_thread(lambda: self.ctx.read.catalogue_search(criteria))

    async def _catalogue(self, request: Request, *, fragment: bool) -> Response:
        params = CatalogueParams.parse(request.query_params)
        result = await self._search(params)
        if result["page"] != params.page:  # past the end: the last page
            params = replace(params, page=result["page"])
        context = self._catalogue_context(request, params, result)
        headers = {"Vary": "HX-Request, HX-History-Restore-Request"}
        if fragment:
            headers["HX-Push-Url"] = params.url(page=params.page)
            return self.renderer.page(request, "catalogue/_results.html", context, headers=headers)
        return self.renderer.page(request, "catalogue/page.html", context, headers=headers)

    def _catalogue_context(
        self, request: Request, params: CatalogueParams, result: dict[str, Any]
    ) -> dict[str, Any]:
        labels = result["labels"]
        return {
            "section": "catalogue",
            "params": params,
            "result": result,
            "facets": _facets(params, result),
            "chips": _chips(params, labels),
            "sort_labels": SORT_LABELS,
            "group_labels": GROUP_LABELS,
            "maturity_labels": PRIMARY_TAG_LABELS,
            "access_labels": DATA_ACCESS_TYPES,
            "canonical": self.ctx.base_url(request).rstrip("/") + params.url(page=params.page),
            "meta_description": self.ctx.settings.catalogue_meta_description,
            "words": search_words(params.q),
            "page_url": lambda n: params.url(page=n),
            "grid_page_url": lambda n: grid_url(params.url(page=n)),
            "grid_url": grid_url,
        }

    async def _export(self, request: Request) -> list[dict[str, Any]]:
        params = replace(CatalogueParams.parse(request.query_params), group_by="", page=1)
        criteria = {**params.criteria(), "page_size": EXPORT_CAP}
        result = await in_read_thread(lambda: self.ctx.read.catalogue_search(criteria))
        base = self.ctx.base_url(request).rstrip("/")
        return [public_record(item, base) for item in result["items"]]

    async def catalogue_json(self, request: Request) -> Response:
        """Every service matching the page's parameters (not paginated, at most 5,000), as
        JSON with public fields only (spec/ui.md §5.5 "Alternate formats")."""
        rows = await self._export(request)
        return Response(
            json.dumps(rows, ensure_ascii=False),
            media_type="application/json",
            headers={"Cache-Control": "public, max-age=60"},
        )

    async def catalogue_csv(self, request: Request) -> Response:
        """The rows of ``/catalogue.json`` as CSV (lists joined with "; ")."""
        rows = await self._export(request)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_FIELDS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row[k]) for k in EXPORT_FIELDS})
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Cache-Control": "public, max-age=60",
                "Content-Disposition": 'attachment; filename="catalogue.csv"',
            },
        )

    async def service_json(self, request: Request) -> Response:
        """One service's public fields as JSON (404 and 410 as its page)."""
        item = await self._shown(request)
        base = self.ctx.base_url(request).rstrip("/")
        return Response(
            json.dumps(public_record(item, base), ensure_ascii=False),
            media_type="application/json",
            headers={"Cache-Control": "public, max-age=60"},
        )

    async def _shown(self, request: Request) -> dict[str, Any]:
        try:
            service_id = uuid.UUID(request.path_params["service_id"])
        except ValueError:
            raise HTTPException(404) from None
        item = await in_read_thread(lambda: self.ctx.read.catalogue_service(service_id))
        if item is None or item["visibility"] == "hidden":
            raise HTTPException(404)
        if item["visibility"] == "erased":
            raise HTTPException(410, "This service has been removed from the registry.")
        return item

    async def service(self, request: Request) -> Response:
        """A service's public page: its last approved version; 404 when it was never
        approved (or is rejected now), 410 once erased."""
        item = await self._shown(request)
        base = self.ctx.base_url(request).rstrip("/")
        url = f"{base}/catalogue/{item['id']}/"
        return self.renderer.page(
            request,
            "service.html",
            {
                "section": "catalogue",
                "item": item,
                "canonical": url,
                "meta_description": " ".join(str(item.get("service_description", "")).split())[
                    :160
                ],
                "jsonld": json_ld(item, url),
                "publications": publications(item.get("publications_pmids")),
                "glance": at_a_glance(item),
                "maturity_labels": PRIMARY_TAG_LABELS,
                "secondary_labels": SECONDARY_TAG_LABELS,
                "access_labels": DATA_ACCESS_TYPES,
                "contact_is_email": "@" in str(item.get("public_contact_email", ""))
                and not str(item.get("public_contact_email", "")).startswith("http"),
            },
        )


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and not _restoring(request)


def _restoring(request: Request) -> bool:
    return request.headers.get("hx-history-restore-request") == "true"


def grid_url(url: str) -> str:
    """The fragment URL of a catalogue page URL (``/catalogue/?…`` -> ``/catalogue/grid/?…``)."""
    return "/catalogue/grid/" + url.removeprefix("/catalogue/")


def _label(facet: str, value: str, labels: dict[str, Any]) -> str:
    found = labels.get(facet, {}).get(value)
    if facet == "center":
        return str(found["short_name"]) if found else value
    if facet == "edam":
        return f"{found['label']} ({value})" if found and found.get("label") else value
    if facet == "license":
        return f"{found} ({value})" if found else value
    return str(found) if found else value


def _facets(params: CatalogueParams, result: dict[str, Any]) -> list[dict[str, Any]]:
    labels = result["labels"]
    out = []
    groups: list[tuple[str, str, str, str, Callable[[str], bool]]] = [
        ("category", "category", "Categories", "cat", lambda v: True),
        ("center", "center", "Service centres", "ctr", lambda v: True),
        ("edam", "edam", "EDAM topics", "edam", lambda v: v.startswith("topic_")),
        ("edam-op", "edam", "EDAM operations", "edam", lambda v: not v.startswith("topic_")),
        ("license", "license", "Licences", "lic", lambda v: True),
    ]
    for key, facet, legend, prefix, wanted in groups:
        chosen = set(getattr(params, facet))
        counts = {v: c for v, c in result["facets"][facet] if wanted(v)}
        for value in chosen:
            if wanted(value):
                counts.setdefault(value, 0)
        options = [
            {
                "value": value,
                "label": _label(facet, value, labels),
                "count": count,
                "checked": value in chosen,
                "id": f"{prefix}-{value}",
            }
            for value, count in counts.items()
            if count or value in chosen
        ]
        options.sort(key=lambda o: (not o["checked"], -o["count"], o["label"].lower()))
        if options:
            out.append(
                {
                    "key": key,
                    "name": facet,
                    "legend": legend,
                    "top": options[:FACET_TOP],
                    "rest": options[FACET_TOP:],
                    "open": bool(chosen & set(counts)) or key in ("category", "center"),
                }
            )
    return out


def _chips(params: CatalogueParams, labels: dict[str, Any]) -> list[dict[str, str]]:
    chips = filter_chips(
        params,
        ("category", "center", "edam", "license"),
        FACET_LABELS,
        lambda facet, value: _label(facet, value, labels),
    )
    if params.maturity:
        chips.append(
            {
                "facet": "Maturity",
                "value": PRIMARY_TAG_LABELS[params.maturity],
                "href": params.without("maturity"),
            }
        )
    if params.access:
        chips.append(
            {
                "facet": "Data access",
                "value": DATA_ACCESS_TYPES[params.access],
                "href": params.without("access"),
            }
        )
    if params.elixir:
        chips.append(
            {"facet": "ELIXIR", "value": "ELIXIR-DE services", "href": params.without("elixir")}
        )
    if params.include_deprecated:
        chips.append(
            {
                "facet": "Status",
                "value": "Including deprecated",
                "href": params.without("include_deprecated"),
            }
        )
    return chips


def public_record(item: dict[str, Any], base: str) -> dict[str, Any]:
    """A service's public fields (spec/ui.md Appendix C) in the alternate formats' shape."""
    centre = item.get("centre") or {}
    return {
        "id": item["id"],
        "url": f"{base}/catalogue/{item['id']}/",
        "service_name": item.get("service_name", ""),
        "service_description": item.get("service_description", ""),
        "status": "deprecated" if item["visibility"] == "deprecated" else "approved",
        "update_in_review": item["visibility"] == "in_review",
        "version": item.get("version"),
        "service_center": centre.get("short_name", ""),
        "host_institute": item.get("host_institute", ""),
        "service_categories": [c["name"] for c in item.get("categories", [])],
        "responsible_pis": [p["display_name"] for p in item.get("pis", [])],
        "edam_topics": [t["accession"] for t in item.get("topics", [])],
        "edam_operations": [t["accession"] for t in item.get("operations", [])],
        "licenses": list(item.get("licenses") or []),
        "license_note": item.get("license_note", ""),
        "website_url": item.get("website_url", ""),
        "terms_of_use_url": item.get("terms_of_use_url", ""),
        "github_url": item.get("github_url", ""),
        "biotools_url": item.get("biotools_url", ""),
        "fairsharing_url": item.get("fairsharing_url", ""),
        "other_registry_url": item.get("other_registry_url", ""),
        "public_contact_email": item.get("public_contact_email", ""),
        "publications_pmids": item.get("publications_pmids", ""),
        "year_established": item.get("year_established"),
        "data_access_type": item.get("data_access_type") or "open",
        "register_as_elixir": bool(item.get("register_as_elixir")),
        "primary_maturity_tag": item.get("primary_maturity_tag"),
        "added": item.get("submitted_at"),
        "updated_at": item.get("updated_at"),
    }


EXPORT_FIELDS: Final = tuple(public_record({"id": "", "visibility": ""}, "").keys())


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def publications(raw: Any) -> list[dict[str, str]]:
    """PMIDs link to PubMed, DOIs to doi.org (tokens separated by commas or spaces)."""
    out = []
    for token in _TOKEN.findall(str(raw or "")):
        if token.lower().startswith("doi:"):
            token = token[4:]
        if token.startswith("10."):
            out.append({"kind": "DOI", "id": token, "url": f"https://doi.org/{token}"})
        elif token.isdigit():
            out.append(
                {"kind": "PMID", "id": token, "url": f"https://pubmed.ncbi.nlm.nih.gov/{token}/"}
            )
    return out


def at_a_glance(item: dict[str, Any]) -> list[str]:
    """The service's "at a glance" tags, as text."""
    tags = []
    status = {"listed": "Approved", "in_review": "Approved", "deprecated": "Deprecated"}
    tags.append(status.get(item["visibility"], "Approved"))
    if item.get("primary_maturity_tag") in PRIMARY_TAG_LABELS:
        tags.append(PRIMARY_TAG_LABELS[item["primary_maturity_tag"]])
    tags.append(DATA_ACCESS_TYPES.get(item.get("data_access_type") or "open", "Open access"))
    if item.get("register_as_elixir"):
        tags.append("ELIXIR-DE service")
    if item.get("biotools_url"):
        tags.append("Listed on bio.tools")
    if item.get("github_url"):
        tags.append("Source code on GitHub")
    if publications(item.get("publications_pmids")):
        tags.append("Has publications")
    return tags


def json_ld(item: dict[str, Any], url: str) -> Markup:
    """The Bioschemas ComputationalTool data block (a ``<script type="application/ld+json">``
    body: ``<``, ``>`` and ``&`` escaped so no text can close the element)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "SoftwareApplication",
        "@id": url,
        "http://purl.org/dc/terms/conformsTo": {
            "@id": "https://bioschemas.org/profiles/ComputationalTool/1.0-RELEASE"
        },
        "name": item.get("service_name", ""),
        "description": item.get("service_description", ""),
        "url": item.get("website_url") or url,
        "license": [SPDX_URL + lic["id"] for lic in item.get("licenses_resolved", [])],
        "applicationSubCategory": [_term(t) for t in item.get("topics", [])],
        "featureList": [_term(t) for t in item.get("operations", [])],
        "citation": [p["url"] for p in publications(item.get("publications_pmids"))],
        "dateModified": item.get("updated_at"),
        "isAccessibleForFree": (item.get("data_access_type") or "open") == "open",
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(safe)  # noqa: S704 (JSON with every markup character escaped)


def _term(term: dict[str, Any]) -> dict[str, Any]:
    return {
        "@type": "DefinedTerm",
        "@id": f"http://edamontology.org/{term['accession']}",
        "name": term.get("label") or term["accession"],
        "inDefinedTermSet": "http://edamontology.org",
    }
