"""The public catalogue's queries (spec/ui.md §5.2, §5.5, §5.5.1) over the ``public_catalogue``
view.

Only the last approved version of a service is ever read (``entry``; see
``projections.projectors.public_catalogue``). A search is two statements: the narrow rows of every
service matching the text and the single-valued filters (a few hundred ids and arrays), from
which the facet counts, the facet filters, the order and the page are worked out here; then the
page's documents with the names of everything they and the facets refer to, resolved at read
time (a renamed centre shows its new name).

Search: each folded word must match the service's own folded text (name, description, SEO
keywords, host institute; as a word prefix) or the name of one of its categories, its centre,
its PIs, or the label or a synonym of one of its EDAM terms. Facets are OR within, AND across;
a facet's counts apply every other facet's selection but not its own, so ticking one category
still shows how many services each other category would add.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final
from uuid import UUID

from projections.queries.base import QueryBase
from projections.queries.shapes import pi_display
from schema.text_search import SQL_FOLD_FROM, SQL_FOLD_TO, search_words

PUBLIC_VISIBILITY: Final = ("listed", "in_review")
WITH_DEPRECATED: Final = ("listed", "in_review", "deprecated")
FACETS: Final = ("category", "center", "edam", "license")
SORTS: Final = (
    "relevance",
    "name_asc",
    "name_desc",
    "updated_desc",
    "updated_asc",
    "added_desc",
    "added_asc",
)
GROUPS: Final = ("category", "service_center", "pi")

#: The indexed expression (public_catalogue v1's GIN index is on exactly this).
_TSV = "to_tsvector('simple', c.search_text)"
_FOLD = f"translate(lower({{}}), '{SQL_FOLD_FROM}', '{SQL_FOLD_TO}')"

_WORD = f"""({_TSV} @@ to_tsquery('simple', %s)
    OR c.category_ids ?| ARRAY(SELECT g.category_id::text FROM categories g
                               WHERE {_FOLD.format("g.name")} LIKE %s)
    OR c.service_center_id = ANY (ARRAY(SELECT s.aggregate_id FROM service_centres s
        WHERE {_FOLD.format("s.short_name || ' ' || s.full_name")} LIKE %s))
    OR c.pi_ids ?| ARRAY(SELECT p.aggregate_id::text FROM pis p
        WHERE {_FOLD.format("p.first_name || ' ' || p.last_name")} LIKE %s)
    OR c.edam_ids ?| ARRAY(SELECT e.accession FROM edam_terms e
        WHERE lower(e.label || ' ' || e.synonyms::text) LIKE %s))"""

_MATCHES = """SELECT c.id, c.visibility, c.sort_name, c.updated_at, c.added_at,
    c.service_center_id::text AS centre, c.category_ids, c.edam_ids, c.licenses, c.pi_ids,
    {rank} AS rank
FROM public_catalogue c
WHERE c.visibility = ANY (%s::text[]){where}"""


def _ids(path: str, cast: str) -> str:
    return (
        f"SELECT x::{cast} FROM page p, jsonb_array_elements_text("
        f"coalesce(p.entry->'{path}', '[]'::jsonb)) AS x"
    )


_PAGE = f"""WITH page AS MATERIALIZED (
    SELECT c.id, c.visibility, c.entry FROM public_catalogue c WHERE c.id = ANY (%s::uuid[]))
SELECT
    (SELECT coalesce(jsonb_agg(jsonb_build_object('id', p.id, 'visibility', p.visibility,
            'entry', p.entry)), '[]'::jsonb) FROM page p) AS items,
    (SELECT coalesce(jsonb_object_agg(g.category_id, g.name), '{{}}'::jsonb) FROM categories g
     WHERE g.category_id = ANY (ARRAY({_ids("service_category_ids", "bigint")})
                                || %s::bigint[])) AS categories,
    (SELECT coalesce(jsonb_object_agg(s.aggregate_id, jsonb_build_object(
            'id', s.aggregate_id, 'short_name', s.short_name, 'full_name', s.full_name,
            'website', s.website)), '{{}}'::jsonb) FROM service_centres s
     WHERE s.aggregate_id = ANY (ARRAY(SELECT (p.entry->>'service_center_id')::uuid
                                       FROM page p WHERE p.entry->>'service_center_id' <> '')
                                 || %s::uuid[])) AS centres,
    (SELECT coalesce(jsonb_object_agg(r.aggregate_id, jsonb_build_object(
            'id', r.aggregate_id, 'last_name', r.last_name, 'first_name', r.first_name,
            'institute', r.institute, 'orcid', r.orcid,
            'is_associated_partner', r.is_associated_partner)), '{{}}'::jsonb) FROM pis r
     WHERE r.aggregate_id = ANY (ARRAY({_ids("responsible_pi_ids", "uuid")})
                                 || %s::uuid[])) AS pis,
    (SELECT coalesce(jsonb_object_agg(e.accession, jsonb_build_object(
            'accession', e.accession, 'branch', e.branch, 'label', e.label,
            'definition', e.definition)), '{{}}'::jsonb) FROM edam_terms e
     WHERE e.accession = ANY (ARRAY({_ids("edam_topic_ids", "text")}
                                    UNION {_ids("edam_operation_ids", "text")})
                              || %s::text[])) AS edam,
    (SELECT coalesce(jsonb_object_agg(l.license_id, l.name), '{{}}'::jsonb) FROM licenses l
     WHERE l.license_id = ANY (ARRAY({_ids("licenses", "text")}) || %s::text[])) AS licenses,
    (SELECT coalesce(jsonb_object_agg(r.id, r.service_name), '{{}}'::jsonb) FROM public_catalogue r
     WHERE r.id = ANY (ARRAY({_ids("related_service_ids", "uuid")}))
       AND r.visibility IN ('listed', 'in_review', 'deprecated')) AS related"""

_RECENT = """SELECT
    (SELECT count(*) FROM public_catalogue c
     WHERE c.visibility IN ('listed', 'in_review')) AS total,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'service_name', r.service_name,
            'approved_at', r.approved_at, 'centre', s.short_name)
            ORDER BY r.approved_at DESC, r.id), '[]'::jsonb)
     FROM (SELECT c.id, c.service_name, c.approved_at, c.service_center_id FROM public_catalogue c
           WHERE c.visibility IN ('listed', 'in_review')
           ORDER BY c.approved_at DESC, c.id LIMIT %s) r
     LEFT JOIN service_centres s ON s.aggregate_id = r.service_center_id) AS recent"""


def _tsquery(word: str) -> str:
    return f"'{word}':*"


def matches_query(criteria: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """Statement 1: narrow rows matching the text and the single-valued filters."""
    visible = WITH_DEPRECATED if criteria.get("include_deprecated") else PUBLIC_VISIBILITY
    params: list[Any] = []
    words = search_words(str(criteria.get("q") or ""))
    if words:
        rank = f"ts_rank({_TSV}, to_tsquery('simple', %s))"
        params.append(" | ".join(_tsquery(w) for w in words))
    else:
        rank = "0::real"
    params.append(list(visible))
    terms: list[str] = []
    for word in words:
        terms.append(_WORD)
        like = f"%{word}%"
        params.extend([_tsquery(word), like, like, like, like])
    if criteria.get("maturity"):
        terms.append("c.primary_maturity_tag = %s")
        params.append(criteria["maturity"])
    if criteria.get("access"):
        terms.append("c.data_access_type = %s")
        params.append(criteria["access"])
    if criteria.get("elixir"):
        terms.append("c.register_as_elixir")
    where = "".join(f"\n  AND {t}" for t in terms)
    return _MATCHES.format(rank=rank, where=where), params


def _values(row: Mapping[str, Any], facet: str) -> list[str]:
    if facet == "center":
        return [row["centre"]] if row["centre"] else []
    column = {"category": "category_ids", "edam": "edam_ids", "license": "licenses"}[facet]
    return [str(v) for v in row[column] or ()]


def _passes(row: Mapping[str, Any], chosen: Mapping[str, set[str]], skip: str | None) -> bool:
    for facet, wanted in chosen.items():
        if facet != skip and wanted and wanted.isdisjoint(_values(row, facet)):
            return False
    return True


def facet_counts(
    rows: Sequence[Mapping[str, Any]], chosen: Mapping[str, set[str]]
) -> dict[str, Counter[str]]:
    """Per facet, how many rows each value has among the rows passing the OTHER facets."""
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    for row in rows:
        for facet in FACETS:
            if _passes(row, chosen, facet):
                counts[facet].update(set(_values(row, facet)))
    return counts


def _sort_key(sort: str) -> tuple[Callable[[Mapping[str, Any]], Any], bool]:
    if sort == "relevance":
        return (lambda r: (-float(r["rank"]), r["sort_name"], str(r["id"]))), False
    column = {"name": "sort_name", "updated": "updated_at", "added": "added_at"}[sort.split("_")[0]]
    return (lambda r: (r[column] is not None, r[column], r["sort_name"], str(r["id"]))), (
        sort.endswith("_desc")
    )


def order(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """``rows`` in the order of ``sort`` (one of `SORTS`)."""
    key, reverse = _sort_key(sort if sort in SORTS else "name_asc")
    return sorted(rows, key=key, reverse=reverse)


def _first(values: Iterable[Any]) -> Any:
    return next(iter(values), None)


class CatalogueQueries(QueryBase):
    """The public catalogue, service pages and the home page's recent services."""

    def catalogue_search(self, criteria: Mapping[str, Any]) -> dict[str, Any]:
        """One catalogue page (criteria: ``q``, ``category``/``center``/``edam``/``license``
        lists, ``maturity``, ``access``, ``elixir``, ``include_deprecated``, ``sort``,
        ``group_by``, ``page``, ``page_size``; already validated by the caller).

        Returns ``{total, page, pages, items, groups, facets, labels}``: ``items`` the page's
        services (all of them, in ``groups``, when grouped), ``facets`` per facet the
        ``(value, count)`` pairs, ``labels`` the names of every value shown.
        """
        query, params = matches_query(criteria)
        rows = self._all(query, params)
        chosen = {facet: set(map(str, criteria.get(facet) or ())) for facet in FACETS}
        counts = facet_counts(rows, chosen)
        kept = order([r for r in rows if _passes(r, chosen, None)], str(criteria.get("sort")))
        size = max(1, int(criteria.get("page_size") or 12))
        pages = max(1, -(-len(kept) // size))
        page = min(max(1, int(criteria.get("page") or 1)), pages)
        grouped = criteria.get("group_by") in GROUPS
        shown = kept if grouped else kept[(page - 1) * size : page * size]
        facet_values = {f: set(counts[f]) | chosen[f] for f in FACETS}
        resolved = self._page([r["id"] for r in shown], facet_values)
        by_id = {item["id"]: item for item in resolved["items"]}
        items = [by_id[str(r["id"])] for r in shown if str(r["id"]) in by_id]
        return {
            "total": len(kept),
            "page": page,
            "pages": pages,
            "items": items,
            "groups": _groups(items, str(criteria.get("group_by"))) if grouped else [],
            "facets": {f: sorted(counts[f].items()) for f in FACETS},
            "labels": resolved["labels"],
        }

    def catalogue_service(self, service_id: UUID) -> dict[str, Any] | None:
        """A service page: ``{visibility, ...the last approved entry with its references}``;
        ``{visibility: "hidden"|"erased"}`` without content; None for an unknown id."""
        resolved = self._page([service_id], {f: set() for f in FACETS})
        return resolved["items"][0] if resolved["items"] else None

    def catalogue_recent(self, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """How many services the public sees, and the ``limit`` approved most recently."""
        row = self._one(_RECENT, (limit,))
        assert row is not None
        return int(row["total"]), list(row["recent"])

    def _page(self, ids: Sequence[Any], facet_values: Mapping[str, set[str]]) -> dict[str, Any]:
        centres = [v for v in facet_values["center"] if _is_uuid(v)]
        categories = [int(v) for v in facet_values["category"] if v.isdigit()]
        row = self._one(
            _PAGE,
            (
                [str(i) for i in ids],
                categories,
                centres,
                [],
                sorted(facet_values["edam"]),
                sorted(facet_values["license"]),
            ),
        )
        assert row is not None
        labels = {
            "category": row["categories"],
            "center": row["centres"],
            "edam": row["edam"],
            "license": row["licenses"],
        }
        items = [_item(raw, row) for raw in row["items"]]
        return {"items": items, "labels": labels}


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _item(raw: Mapping[str, Any], refs: Mapping[str, Any]) -> dict[str, Any]:
    """One service with its references resolved (public fields only; PIs without e-mail)."""
    entry = raw.get("entry")
    item: dict[str, Any] = {"id": str(raw["id"]), "visibility": raw["visibility"]}
    if entry is None:
        return item
    item.update(entry)
    item["id"] = str(raw["id"])
    categories = [
        {"id": int(c), "name": refs["categories"][str(c)]}
        for c in entry.get("service_category_ids") or ()
        if str(c) in refs["categories"]
    ]
    item["categories"] = sorted(categories, key=lambda c: (c["name"].lower(), c["id"]))
    centre = entry.get("service_center_id")
    item["centre"] = refs["centres"].get(str(centre)) if centre else None
    pis = [
        refs["pis"][str(p)] for p in entry.get("responsible_pi_ids") or () if str(p) in refs["pis"]
    ]
    item["pis"] = [
        {**p, "display_name": pi_display(p)}
        for p in sorted(pis, key=lambda p: (p["last_name"].lower(), p["first_name"].lower()))
    ]
    edam = refs["edam"]
    for field, out in (("edam_topic_ids", "topics"), ("edam_operation_ids", "operations")):
        item[out] = [
            edam.get(a) or {"accession": a, "label": None, "definition": None, "branch": None}
            for a in entry.get(field) or ()
        ]
    item["licenses_resolved"] = [
        {"id": lic, "name": refs["licenses"].get(lic)} for lic in entry.get("licenses") or ()
    ]
    related = [
        {"id": str(r), "service_name": refs["related"][str(r)]}
        for r in entry.get("related_service_ids") or ()
        if str(r) in refs["related"]
    ]
    item["related"] = sorted(related, key=lambda r: (r["service_name"].lower(), r["id"]))
    return item


def _groups(items: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """Grouped items (original: first category name, centre short name, first PI), by label."""
    fallback = "Uncategorised" if by == "category" else "Unknown"
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        if by == "category":
            label = (_first(item["categories"]) or {}).get("name")
        elif by == "service_center":
            label = (item.get("centre") or {}).get("short_name")
        else:
            label = (_first(item["pis"]) or {}).get("display_name")
        groups.setdefault(label or fallback, []).append(item)
    return [
        {"label": label, "items": members}
        for label, members in sorted(groups.items(), key=lambda kv: kv[0].lower())
    ]
