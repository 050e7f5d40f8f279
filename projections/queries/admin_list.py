"""The admin console's submissions list (spec/ui.md §5.7.3) as one statement per page.

The statement works out, once per submission, the values each filter compares (its status, its
centre, categories and PIs, its bio.tools sync state, whether its approved version has an edit
in review), then in the server: the rows every filter keeps, counted; per filter, how many rows
each value has among the rows the OTHER filters keep (ticking one status still shows how many
each other status would add); how many of the kept rows changed since their last approval; and
the documents of one page, with their references and key counts. Only the page's documents are
served; the columns and expressions the API's list filters compare are the field catalogue's
(``submission_sql.FILTERS``).

Search (``q``): every word (split at white space, folded) is a part of the folded service name,
submitter names and affiliation, host institute, licence note, licence ids or PI names; or one of
the submission's licences has an id or name containing the whole text.

Exports and "select all matching" read every kept document in the list's order; an export as of
an instant runs the same statement over each submission's document folded from its events up to
then (the timeline's fold), passed as a parameter instead of the table's rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from psycopg.types.json import Jsonb

from domain.lifecycle import STATUS_LABELS
from projections.queries import shapes
from projections.queries.page_refs import refs_of
from projections.queries.reference import _like
from projections.queries.submission_sql import FILTERS, PAGE_REFS
from projections.queries.timeline import TimelineQueries
from schema.text_search import SQL_FOLD_FROM, SQL_FOLD_TO, fold

FACETS: Final = (
    "status", "maturity", "elixir", "center", "category", "pi", "access", "biotools_sync"
)  # fmt: skip
DEFAULT_SORT: Final = "-submitted_at"

_COLUMN: Final = {param: column for param, _, column in FILTERS}


def _fold(sql: str) -> str:
    """``fold`` of a cheap expression (``translate`` over the accented letters is slow: ASCII
    text is only lower-cased)."""
    return f"""CASE WHEN octet_length({sql}) = length({sql}) THEN lower({sql})
        ELSE translate(lower({sql}), '{SQL_FOLD_FROM}', '{SQL_FOLD_TO}') END"""


# The document's values are read with one `jsonb_to_record` (each `->` decompresses the document
# again). A submission's references always exist (reference records are deactivated, never
# deleted), so their ids are taken from the document as they are: looking each one up, as the
# served document does, was most of the statement's time.
_RECORD: Final = """jsonb_to_record(s.doc)
    AS d(service_category_ids jsonb, responsible_pi_ids jsonb, biotoolsrecord jsonb)"""

#: Per filter, the value a submission ``s`` has, as its served document shows it (NULL: none).
_VALUE: Final = {
    "status": _COLUMN["status"],
    "maturity": f"coalesce(nullif({_COLUMN['primary_maturity_tag']}, ''), 'none')",
    "elixir": f"CASE WHEN {_COLUMN['register_as_elixir']} THEN '1' ELSE '0' END",
    "center": f"{_COLUMN['service_center']}::text",
    "access": _COLUMN["data_access_type"],
    "biotools_sync": """CASE
        WHEN coalesce(d.biotoolsrecord, 'null'::jsonb) IN ('null'::jsonb, '{}'::jsonb) THEN 'none'
        WHEN coalesce(d.biotoolsrecord->>'sync_error', '') <> '' THEN 'error'
        ELSE 'ok' END""",
}
#: Per filter of several values a submission may have, its values (a jsonb array).
_VALUES: Final = {
    "category": "coalesce(d.service_category_ids, '[]'::jsonb)",
    "pi": "coalesce(d.responsible_pi_ids, '[]'::jsonb)",
}

_SEARCHED: Final = """concat_ws(' ', s.doc->>'service_name', s.doc->>'submitter_first_name',
        s.doc->>'submitter_last_name', s.doc->>'submitter_affiliation', s.doc->>'host_institute',
        s.doc->>'license_note',
        (SELECT string_agg(x, ' ') FROM jsonb_array_elements_text(
            coalesce(s.doc->'licenses', '[]'::jsonb)) AS x),
        (SELECT string_agg(p.first_name || ' ' || p.last_name, ' ') FROM pis p
         WHERE p.aggregate_id = ANY (ARRAY(SELECT x::uuid FROM jsonb_array_elements_text(
             coalesce(s.doc->'responsible_pi_ids', '[]'::jsonb)) AS x))))"""

# The text is put together once per row (OFFSET 0 keeps the planner from copying its
# expression into each use); each word must be part of it.
_SEARCH: Final = f"""((SELECT {_fold("y.raw")} LIKE ALL (%(words)s::text[])
        FROM (SELECT {_SEARCHED} AS raw OFFSET 0) AS y)
    OR coalesce(s.doc->'licenses', '[]'::jsonb) ?| ARRAY(SELECT l.license_id FROM licenses l
        WHERE l.license_id ILIKE %(like)s OR l.name ILIKE %(like)s))"""

#: The as-of documents (a jsonb array parameter) with the table's columns.
_AS_OF_ROWS: Final = """(SELECT (d->>'id')::uuid AS id, d->>'status' AS status,
        nullif(d->>'service_center_id', '')::uuid AS service_center_id,
        coalesce((d->>'register_as_elixir')::boolean, false) AS register_as_elixir,
        d->>'primary_maturity_tag' AS primary_maturity_tag,
        (d->>'submitted_at')::timestamptz AS submitted_at,
        (d->>'updated_at')::timestamptz AS updated_at,
        coalesce(d->>'service_name', '') AS service_name, d AS doc
    FROM jsonb_array_elements(%(docs)s::jsonb) AS d)"""

#: ORDER BY of each sort over the kept rows ``r``; ties keep the list's default order.
ORDERS: Final = {
    "-submitted_at": "r.submitted_at DESC, r.id DESC",
    "submitted_at": "r.submitted_at, r.id",
    "-updated_at": "r.updated_at DESC, r.id DESC",
    "updated_at": "r.updated_at, r.id",
    "service_name": f'{_fold("r.service_name")} COLLATE "C", r.id',
    "-service_name": f'{_fold("r.service_name")} COLLATE "C" DESC, r.id DESC',
    "status": """coalesce(array_position(%(statuses)s::text[], r.status), 99), r.submitted_at,
        r.id DESC""",
}

_CHECKS: Final = (*FACETS, "changed")
_MISSES: Final = " + ".join(f"(NOT q.ok_{name})::int" for name in _CHECKS)
# A list filter keeps a row having any of its values (`{f}_json`: each as a one-element array).
_OK: Final = ",\n        ".join(
    [
        *(
            f"(cardinality(%({f})s::text[]) = 0 OR (r.v_{f} = ANY (%({f})s::text[])) IS TRUE)"
            f" AS ok_{f}"
            for f in _VALUE
        ),
        *(
            f"(cardinality(%({f})s::text[]) = 0 OR r.v_{f} @> ANY (%({f}_json)s::jsonb[]))"
            f" AS ok_{f}"
            for f in _VALUES
        ),
        "(NOT %(changed)s OR r.in_review) AS ok_changed",
    ]
)

# Per filter, the count of each value among the rows that miss no other filter.
_FACET_COUNTS: Final = (
    "f AS (\n"
    + "\nUNION ALL\n".join(
        [
            *(
                f"""    SELECT '{f}' AS facet, c.v_{f} AS value, count(*) AS n FROM c
    WHERE c.misses = (NOT c.ok_{f})::int AND c.v_{f} IS NOT NULL GROUP BY c.v_{f}"""
                for f in _VALUE
            ),
            *(
                f"""    SELECT '{f}', v.value, count(*)
    FROM c, jsonb_array_elements_text(c.v_{f}) AS v(value)
    WHERE c.misses = (NOT c.ok_{f})::int GROUP BY v.value"""
                for f in _VALUES
            ),
        ]
    )
    + "),"
)


def _named(facet: str) -> str:
    return f"ARRAY(SELECT f.value FROM f WHERE f.facet = '{facet}') || %({facet})s::text[]"


#: Names of the centres, categories and PIs counted or chosen (a chosen one may count none).
_LABELS: Final = f"""(SELECT jsonb_build_object(
    'center', (SELECT coalesce(jsonb_object_agg(c.aggregate_id,
            coalesce(nullif(c.short_name, ''), c.full_name)), '{{}}'::jsonb)
        FROM service_centres c WHERE c.aggregate_id::text = ANY ({_named("center")})),
    'category', (SELECT coalesce(jsonb_object_agg(c.category_id, c.name), '{{}}'::jsonb)
        FROM categories c WHERE c.category_id::text = ANY ({_named("category")})),
    'pi', (SELECT coalesce(jsonb_object_agg(p.aggregate_id, jsonb_build_object(
            'last_name', p.last_name, 'first_name', p.first_name,
            'is_associated_partner', p.is_associated_partner)), '{{}}'::jsonb)
        FROM pis p WHERE p.aggregate_id::text = ANY ({_named("pi")}))))"""

_KEYS: Final = """(SELECT jsonb_build_object('active',
        count(*) FILTER (WHERE k->'is_active' = 'true'::jsonb), 'total', count(*))
    FROM api_keys a, jsonb_array_elements(a.keys) AS k WHERE a.owner_id = k_.id)"""


def statement(sort: str, *, counts: bool, as_of: bool, search: bool) -> str:
    """The statement of one list state: ``counts`` adds the facet counts and their names (the
    page; exports need neither), ``as_of`` reads the ``docs`` parameter instead of the table,
    ``search`` applies ``q``.

    Each row is one document of the page, in order (``id``, ``in_review``, ``doc``, ``keys``),
    with ``total``, ``changed``, ``facets`` and ``labels``; the first row also has the page's
    references (``refs``: `PAGE_REFS`). An empty page still gives one row, with a null
    document."""
    source = _AS_OF_ROWS if as_of else "submissions"
    order = ORDERS.get(sort, ORDERS[DEFAULT_SORT])
    values = ",\n        ".join(f"{sql} AS v_{name}" for name, sql in {**_VALUE, **_VALUES}.items())
    return f"""WITH r AS MATERIALIZED (
    SELECT s.id, s.status, s.submitted_at, s.updated_at, s.service_name,
        {values},
        EXISTS (SELECT FROM public_catalogue p
                WHERE p.id = s.id AND p.visibility = 'in_review') AS in_review
    FROM {source} s, {_RECORD}
    WHERE (%(ids)s::text[] IS NULL OR s.id::text = ANY (%(ids)s::text[]))
      AND (%(from)s = '' OR left(s.doc->>'submitted_at', 10) >= %(from)s)
      AND (%(to)s = '' OR left(s.doc->>'submitted_at', 10) <= %(to)s)
      {"AND " + _SEARCH if search else ""}),
c AS NOT MATERIALIZED (
    SELECT q.*, {_MISSES} AS misses
    FROM (SELECT r.*, {_OK} FROM r) AS q),
{_FACET_COUNTS if counts else ""}
t AS (
    SELECT count(*) FILTER (WHERE c.misses = 0) AS total,
        count(*) FILTER (WHERE c.misses = 0 AND c.in_review) AS changed
    FROM c),
k_ AS MATERIALIZED (
    SELECT r.id, r.in_review, row_number() OVER (ORDER BY {order}) AS n
    FROM c AS r WHERE r.misses = 0
    ORDER BY {order}
    LIMIT %(limit)s
    OFFSET (SELECT (least(%(page)s, greatest(1, ceil(t.total / %(size)s::numeric))) - 1)
                   * %(size)s FROM t)),
page AS MATERIALIZED (
    SELECT k_.n, k_.id, k_.in_review, s.doc, {_KEYS} AS keys
    FROM k_ JOIN {source} s ON s.id = k_.id)
SELECT t.total, t.changed,
    {
        "(SELECT jsonb_agg(jsonb_build_array(f.facet, f.value, f.n)) FROM f)"
        if counts
        else "NULL::jsonb"
    } AS facets,
    {_LABELS if counts else "NULL::jsonb"} AS labels,
    CASE WHEN row_number() OVER (ORDER BY p.n) = 1 THEN {PAGE_REFS} END AS refs,
    p.id, p.in_review, p.doc, p.keys
FROM t LEFT JOIN page p ON true
ORDER BY p.n"""


def _chosen(criteria: Mapping[str, Any], name: str) -> list[str]:
    value = criteria.get(name) or ()
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _elements(values: list[str], number: bool) -> list[Jsonb]:
    """``[value]`` of each chosen value, as the document stores it (the ids of categories are
    numbers, written as ``str(int)`` here and on the page)."""
    if number:
        return [Jsonb([int(v)]) for v in values if v.isascii() and v.isdigit() and str(int(v)) == v]
    return [Jsonb([v]) for v in values]


def parameters(criteria: Mapping[str, Any]) -> dict[str, Any]:
    """The statement's parameters for the admin list's criteria: ``status``, ``maturity``,
    ``elixir``, ``center``, ``category``, ``pi``, ``access``, ``biotools_sync`` (each a value
    or a list of values, any of which keeps a row), ``submitted_from`` and ``submitted_to``
    (``YYYY-MM-DD``), ``changed_since_approval``, ``q`` and ``ids`` (only these submissions)."""
    q = " ".join(str(criteria.get("q") or "").split())
    ids = criteria.get("ids")
    chosen = {facet: _chosen(criteria, facet) for facet in FACETS}
    return {
        **chosen,
        "category_json": _elements(chosen["category"], number=True),
        "pi_json": _elements(chosen["pi"], number=False),
        "changed": bool(criteria.get("changed_since_approval")),
        "from": str(criteria.get("submitted_from") or ""),
        "to": str(criteria.get("submitted_to") or ""),
        "q": q,
        "words": [_like(word) for word in fold(q).split()],
        "like": _like(q),
        "ids": None if ids is None else [str(i) for i in ids],
        "statuses": list(STATUS_LABELS),
    }


def _served(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    refs = rows[0]["refs"]
    return [
        shapes.submission(r["doc"], refs_of(r["doc"], refs), full_record=False)
        for r in rows
        if r["doc"] is not None
    ]


class AdminListQueries(TimelineQueries):
    """The admin console's submissions list, its exports and selections."""

    def admin_submissions(
        self, criteria: Mapping[str, Any], page: int = 1, page_size: int = 30
    ) -> dict[str, Any]:
        """One page of the admin list (``criteria``: see :func:`parameters`, with ``sort`` one
        of `ORDERS`; a page past the end is the last page; ``page_size`` 0 counts only):
        ``{total, page, pages, items, keys, in_review, facets, changed, labels}``. ``items``
        are the served documents (compact bio.tools record), ``keys`` their key counts
        ``{active, total}`` by id, ``in_review`` the ids of theirs whose approved version has
        an edit in review, ``facets`` per filter the count of each value among the rows the
        other filters keep, ``changed`` how many kept rows are in review, ``labels`` the names
        of the centres, categories and PIs counted or chosen, by id."""
        size = max(page_size, 0)
        params = {**parameters(criteria), "page": max(page, 1), "size": max(size, 1)}
        query = statement(
            str(criteria.get("sort") or DEFAULT_SORT),
            counts=True,
            as_of=False,
            search=bool(params["q"]),
        )
        rows = self._all(query, {**params, "limit": size})
        first = rows[0]
        total = int(first["total"])
        pages = max(1, -(-total // max(size, 1)))
        facets: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        for facet, value, n in first["facets"] or ():
            facets[facet][value] = int(n)
        labels = first["labels"]
        labels["pi"] = {k: shapes.pi_display(v) for k, v in labels["pi"].items()}
        listed = [r for r in rows if r["doc"] is not None]
        return {
            "total": total,
            "page": min(max(page, 1), pages),
            "pages": pages,
            "items": _served(rows),
            "keys": {str(r["id"]): r["keys"] for r in listed},
            "in_review": {str(r["id"]) for r in listed if r["in_review"]},
            "facets": facets,
            "changed": int(first["changed"]),
            "labels": labels,
        }

    def admin_documents(
        self, criteria: Mapping[str, Any], at: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Every submission the admin list's ``criteria`` keep, served, in the list's order.
        With ``at``: each submission as it was then (those that did not exist yet left out),
        filtered as it was then; "changed since last approval" is today's and not applied."""
        params = {**parameters(criteria), "page": 1, "size": 1, "limit": None}
        if at is not None:
            live = self._all("SELECT s.id FROM submissions s")
            docs = [d for r in live if (d := self.raw_as_of(r["id"], at)) is not None]
            params.update(docs=Jsonb(docs), changed=False)
        query = statement(
            str(criteria.get("sort") or DEFAULT_SORT),
            counts=False,
            as_of=at is not None,
            search=bool(params["q"]),
        )
        return _served(self._all(query, params))
