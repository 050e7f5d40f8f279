"""The EDAM list filters: the seed's ORM queries (submissions tagged with a topic or any topic of
its subtree; bio.tools records with an operation in any function; tools by maturity) as SQL terms.

A term is named by its accession (``topic_0121``) or its URL (``http://edamontology.org/…`` or
``https://…``); several, comma-separated, match any of them. With ``descendants`` a term stands
for itself and every term below it, following every EDAM parent edge the loader keeps (the
``edam_parents`` view; a quarter of the terms have more than one parent), in the statement's
own snapshot.

A list's count is cached under the ``submissions`` and ``service_centres`` positions
(``submission_sql.Stamp``); a reload of EDAM moves neither, so after one a cached
``descendants`` count is recomputed at the next event. EDAM releases come a few times a year.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schema.api.filters import SUBMISSION_EDAM_FILTERS, accessions, flag

_SUBTREE = """ARRAY(WITH RECURSIVE below(accession) AS (
        SELECT unnest(%s::text[])
        UNION
        SELECT e.accession FROM edam_parents e JOIN below b ON e.parent = b.accession)
    SELECT b.accession FROM below b)"""


def _value(filters: Mapping[str, str | None], name: str) -> str:
    raw = filters.get(name)
    return raw.strip() if isinstance(raw, str) else ""


def _terms(named: list[str], descendants: bool) -> tuple[str, list[Any]]:
    """The SQL array of accessions (the subtree when ``descendants``) and its parameter."""
    return (_SUBTREE if descendants else "%s::text[]"), [named]


def submission_conditions(filters: Mapping[str, str | None]) -> tuple[list[str], list[Any]]:
    """WHERE terms over ``submissions s``; values that name no term are ignored here (the web
    refuses them before)."""
    terms: list[str] = []
    params: list[Any] = []
    descendants = flag(filters.get("descendants")) is True
    for name, field in SUBMISSION_EDAM_FILTERS.items():
        named = accessions(_value(filters, name))
        if not named:
            continue
        array, values = _terms(named, descendants)
        terms.append(f"coalesce(s.doc->'{field}', '[]'::jsonb) ?| {array}")
        params += values
    return terms, params


def biotools_conditions(
    operation: str | None, maturity: str | None, descendants: bool = False
) -> tuple[list[str], list[Any]]:
    """WHERE terms over ``biotools_records r``: an operation of any function (bio.tools sends
    operation URIs; they are compared by accession), and the maturity in any case."""
    terms: list[str] = []
    params: list[Any] = []
    named = accessions(operation or "")
    if named:
        array, values = _terms(named, descendants)
        terms.append(
            "EXISTS (SELECT FROM jsonb_array_elements(coalesce(r.record->'functions', '[]'))"
            " AS f(fn), jsonb_array_elements(coalesce(f.fn->'operations', '[]')) AS o(op)"
            f" WHERE lower(regexp_replace(o.op->>'uri', '^.*/', '')) = ANY ({array}))"
        )
        params += values
    if maturity and maturity.strip():
        terms.append("lower(r.record->>'maturity') = lower(%s)")
        params.append(maturity.strip())
    return terms, params
