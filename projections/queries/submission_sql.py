"""SQL of the submission queries: reference resolution, list filters and orderings (spec §3.2).

The reference columns are one SELECT-list fragment over a document ``s.doc``; it serves the
stored rows of the ``submissions`` view and, unchanged, an as-of document passed as a parameter,
so both are resolved the same way. Every reference lookup is an indexed probe per stored id (a
hash join over a whole reference table looks cheaper to a planner that has no statistics of the
id arrays, and made EDAM resolution a scan of every term per document). The list filters are
the field catalogue's (``Field.filter``): a column of the table, or an expression over the
document that answers the field's default for documents written before it existed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from psycopg.types.json import Jsonb

from domain.field_types import Field
from domain.fields import list_filters
from projections.queries.edam_filters import submission_conditions

_TERMS = """(SELECT coalesce(jsonb_agg((SELECT jsonb_build_object('uri', e.uri,
                'accession', e.accession, 'branch', e.branch, 'label', e.label)
            FROM edam_terms e WHERE e.{column} = a.acc) ORDER BY a.ord), '[]'::jsonb)
     FROM jsonb_array_elements_text(coalesce({array}, '[]'::jsonb))
          WITH ORDINALITY AS a(acc, ord)) AS {alias}"""

RESOLVE: Final = ",\n".join(
    [
        """(SELECT jsonb_build_object('id', c.aggregate_id, 'short_name', c.short_name,
                'full_name', c.full_name, 'website', c.website)
     FROM service_centres c
     WHERE c.aggregate_id = (s.doc->>'service_center_id')::uuid) AS centre""",
        """(SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.category_id, 'name', c.name)
                ORDER BY c.name), '[]'::jsonb)
     FROM categories c
     WHERE c.category_id = ANY (ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(
         coalesce(s.doc->'service_category_ids', '[]'::jsonb)) AS x))) AS categories""",
        """(SELECT coalesce(jsonb_agg(jsonb_build_object('id', p.aggregate_id,
                'last_name', p.last_name, 'first_name', p.first_name, 'institute', p.institute,
                'orcid', p.orcid, 'is_associated_partner', p.is_associated_partner)
                ORDER BY p.last_name, p.first_name), '[]'::jsonb)
     FROM pis p
     WHERE p.aggregate_id = ANY (ARRAY(SELECT x::uuid FROM jsonb_array_elements_text(
         coalesce(s.doc->'responsible_pi_ids', '[]'::jsonb)) AS x))) AS pis""",
        _TERMS.format(array="s.doc->'edam_topic_ids'", column="accession", alias="topics"),
        _TERMS.format(array="s.doc->'edam_operation_ids'", column="accession", alias="operations"),
        # Related services resolve against the live submissions: an erased one is gone.
        """(SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id,
                'service_name', r.service_name) ORDER BY r.service_name, r.id), '[]'::jsonb)
     FROM submissions r
     WHERE r.id = ANY (ARRAY(SELECT x::uuid FROM jsonb_array_elements_text(
         coalesce(s.doc->'related_service_ids', '[]'::jsonb)) AS x))) AS related""",
    ]
)

RECORD_TOPICS: Final = _TERMS.format(
    array="s.doc->'biotoolsrecord'->'edam_topic_uris'", column="uri", alias="record_topics"
)

DETAIL: Final = f"""SELECT s.doc, {RESOLVE},
    {RECORD_TOPICS}
FROM submissions s WHERE s.id = %s"""

AS_OF: Final = f"""SELECT s.doc, {RESOLVE},
    {RECORD_TOPICS}
FROM (SELECT %s::jsonb AS doc) s"""

ORDERINGS: Final = {
    "submitted_at": "s.submitted_at",
    "updated_at": "s.updated_at",
    "service_name": "s.service_name",
    "primary_maturity_tag": "s.primary_maturity_tag",
}
DEFAULT_ORDERING: Final = "-submitted_at"
MAX_PAGE_SIZE: Final = 100

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def _like(text: str) -> str:
    """An ILIKE pattern matching ``text`` anywhere (its wildcards escaped)."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def document_expression(f: Field) -> str:
    """The SQL expression of a document field's value, its default where a document (written
    before the field existed) lacks it: what a list filter compares and its index indexes."""
    keys = [f.name, *(alias.name for alias in f.api.renamed_from)]
    parts = [f"s.doc->>'{key}'" for key in keys]
    default = f.empty
    if isinstance(default, bool):
        default = "true" if default else "false"
    if default is not None and not isinstance(default, list):
        parts.append("'" + str(default).replace("'", "''") + "'")
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


Term = tuple[str, Any]


def _term(f: Field, column: str, raw: str) -> Term | None:
    """The WHERE term and parameter of one filter value (None: ignored, as invalid or empty)."""
    assert f.filter is not None
    if f.filter.match == "reference_name":
        # The centre whose short name contains the text.
        centres = "SELECT c.aggregate_id FROM service_centres c WHERE c.short_name ILIKE %s"
        return f"{column} IN ({centres})", _like(raw)
    if f.filter.match == "contains_all":
        items = [t.strip() for t in raw.split(",") if t.strip()]
        # Containment of every item: AND semantics, exact elements ("unstable" never matches
        # "stable"), and served by the GIN index.
        return (f"{column} @> %s", Jsonb(items)) if items else None
    in_document = f.filter.column is None  # the expression is text: so is its parameter
    if f.kind == "int":
        if not (raw.isascii() and raw.isdigit()):
            return None
        return f"{column} = %s", str(int(raw)) if in_document else int(raw)
    if f.kind == "bool":
        flag = raw.lower()
        if flag not in _TRUE | _FALSE:
            return None
        if in_document:
            return f"{column} = %s", "true" if flag in _TRUE else "false"
        return f"{column} = %s", flag in _TRUE
    return f"{column} = %s", raw


#: The list filters of the catalogue: ``(query parameter, field, column or expression)``.
FILTERS: Final[tuple[tuple[str, Field, str], ...]] = tuple(
    (f.filter.param, f, f"s.{f.filter.column}" if f.filter.column else document_expression(f))
    for f in list_filters()
    if f.filter is not None
)


def conditions(filters: Mapping[str, str | None]) -> tuple[list[str], list[Any]]:
    """The WHERE terms and parameters for the list filters; invalid or empty values are ignored."""
    terms: list[str] = []
    params: list[Any] = []
    for param, f, column in FILTERS:
        raw = filters.get(param)
        value = raw.strip() if isinstance(raw, str) else ""
        term = _term(f, column, value) if value else None
        if term is not None:
            terms.append(term[0])
            params.append(term[1])
    owner = filters.get("id")
    if isinstance(owner, str) and owner.strip():
        terms.append("s.id = %s")
        params.append(owner.strip())
    edam_terms, edam_params = submission_conditions(filters)
    return terms + edam_terms, params + edam_params


def order_by(ordering: str | None, alias: str = "s") -> str:
    """The ORDER BY list for ``?ordering=`` (unknown values give the default), id last."""
    chosen = ordering if ordering and ordering.lstrip("-") in ORDERINGS else DEFAULT_ORDERING
    column = ORDERINGS[chosen.lstrip("-")].replace("s.", f"{alias}.", 1)
    direction = "DESC" if chosen.startswith("-") else "ASC"
    return f"{column} {direction}, {alias}.id {direction}"


def page_bounds(page: int, page_size: int) -> tuple[int, int]:
    """(limit, offset) with the page size clamped to 1..100 and the page to >= 1."""
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    return size, (max(page, 1) - 1) * size


Stamp = tuple[int, int, int, int]
"""``(version, position)`` of the live ``submissions`` and ``service_centres`` projections: what
a list's matching rows and their order depend on (the centre filter reads centres' names). Rows
commit together with their projection's position, and a promote or rollback changes the version,
so two snapshots with the same stamp select the same rows in the same order."""

NO_STAMP: Final[Stamp] = (-1, -1, -1, -1)

_STAMPED = """(SELECT v.version AS version, v.position AS position,
        c.version AS centres_version, c.position AS centres_position,
        (v.version = %s::integer AND v.position = %s::bigint
         AND c.version = %s::integer AND c.position = %s::bigint) IS TRUE AS known
     FROM (SELECT 1) AS one
     LEFT JOIN projection_versions v ON v.name = 'submissions' AND v.state = 'live'
     LEFT JOIN projection_versions c ON c.name = 'service_centres' AND c.state = 'live')"""

_PAGE_COLUMNS = """s.id, s.submitted_at, s.updated_at, s.service_name, s.primary_maturity_tag,
        s.doc"""


def _ids(field: str, cast: str) -> str:
    return (
        f"SELECT x::{cast} FROM page d, jsonb_array_elements_text("
        f"coalesce(d.doc->'{field}', '[]'::jsonb)) AS x"
    )


PAGE_REFS: Final = f"""(SELECT jsonb_build_object(
    'centres', (SELECT coalesce(jsonb_object_agg(c.aggregate_id, jsonb_build_object(
            'id', c.aggregate_id, 'short_name', c.short_name, 'full_name', c.full_name,
            'website', c.website)), '{{}}'::jsonb)
        FROM service_centres c WHERE c.aggregate_id = ANY (ARRAY(
            SELECT (d.doc->>'service_center_id')::uuid FROM page d))),
    'categories', (SELECT coalesce(jsonb_object_agg(c.category_id, jsonb_build_object(
            'id', c.category_id, 'name', c.name, 'rank', c.rank)), '{{}}'::jsonb)
        FROM (SELECT c.*, row_number() OVER (ORDER BY c.name) AS rank FROM categories c
              WHERE c.category_id = ANY (ARRAY({_ids("service_category_ids", "bigint")}))) AS c),
    'pis', (SELECT coalesce(jsonb_object_agg(p.aggregate_id, jsonb_build_object(
            'id', p.aggregate_id, 'last_name', p.last_name, 'first_name', p.first_name,
            'institute', p.institute, 'orcid', p.orcid,
            'is_associated_partner', p.is_associated_partner, 'rank', p.rank)), '{{}}'::jsonb)
        FROM (SELECT p.*, row_number() OVER (ORDER BY p.last_name, p.first_name) AS rank
              FROM pis p
              WHERE p.aggregate_id = ANY (ARRAY({_ids("responsible_pi_ids", "uuid")}))) AS p),
    'edam', (SELECT coalesce(jsonb_object_agg(e.accession, jsonb_build_object(
            'uri', e.uri, 'accession', e.accession, 'branch', e.branch, 'label', e.label)),
            '{{}}'::jsonb)
        FROM edam_terms e WHERE e.accession = ANY (ARRAY(
            {_ids("edam_topic_ids", "text")} UNION {_ids("edam_operation_ids", "text")}))),
    'related', (SELECT coalesce(jsonb_object_agg(r.id, jsonb_build_object(
            'id', r.id, 'service_name', r.service_name, 'rank', r.rank)), '{{}}'::jsonb)
        FROM (SELECT r.id, r.service_name,
                     row_number() OVER (ORDER BY r.service_name, r.id) AS rank
              FROM submissions r
              WHERE r.id = ANY (ARRAY({_ids("related_service_ids", "uuid")}))) AS r)))"""
"""The references of every document of a list page, resolved once for the page (a page's
documents share most of them) instead of per document, each by index probes (``= ANY``: a
planner without statistics of the id lists hashed whole reference tables): objects keyed by id,
each with its
``rank`` in the order the detail's resolution sorts them (``projections.queries.page_refs``
assembles each document's references from them)."""


def list_query(
    filters: Mapping[str, str | None],
    ordering: str | None,
    page: int,
    page_size: int,
    known: Stamp = NO_STAMP,
) -> tuple[str, list[Any]]:
    """One statement giving the stamp, the total count and one page of documents with their
    references: ``version, position, centres_version, centres_position, total, refs`` and the
    page's columns in every row (``refs``: `PAGE_REFS`, on the first row only).

    ``known`` is the stamp under which the caller holds the count of these filters: while the
    tables still have it (checked in the statement's own snapshot), the count is not computed
    again and comes back null. The first row always comes back (a page past the end gives one
    row with a null document), so a single round trip answers all of it. The page's ids are
    found by an index-only scan of the ordering's covering index (``submissions`` v3), and rows
    are read for them only, not for those an offset skips. The page size is written into the
    text (an integer of 1..100): with a LIMIT parameter PostgreSQL found its generic plan
    dearer than a custom one and planned the statement again at every execution (about 1 ms).
    """
    terms, params = conditions(filters)
    where = " AND ".join(terms) if terms else "true"
    limit, offset = page_bounds(page, page_size)
    final = order_by(ordering, "p")
    query = f"""WITH t AS MATERIALIZED (
    SELECT t.*,
        CASE WHEN t.known THEN NULL
             ELSE (SELECT count(*) FROM submissions s WHERE {where}) END AS total
    FROM {_STAMPED} AS t),
page AS MATERIALIZED (
    SELECT {_PAGE_COLUMNS}
    FROM (SELECT s.id FROM submissions s WHERE {where}
          ORDER BY {order_by(ordering)} LIMIT {limit:d} OFFSET %s) AS k
    JOIN submissions s ON s.id = k.id)
SELECT t.version, t.position, t.centres_version, t.centres_position, t.total,
    CASE WHEN row_number() OVER (ORDER BY {final}) = 1 THEN {PAGE_REFS} END AS refs,
    p.*
FROM t LEFT JOIN page p ON true
ORDER BY {final}"""
    return query, [*params, *known, *params, offset]
