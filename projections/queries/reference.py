"""Reference-data, EDAM, licence and bio.tools queries (plain JSON arrays or objects)."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from projections.queries import shapes
from projections.queries.base import QueryBase
from projections.queries.edam_filters import biotools_conditions
from projections.queries.submission_sql import RECORD_TOPICS, page_bounds

_CATEGORY = "SELECT category_id AS id, name, is_active FROM categories"
_CENTRE = (
    "SELECT aggregate_id AS id, short_name, full_name, website, ror_id, is_active"
    " FROM service_centres"
)
_PI = (
    "SELECT aggregate_id AS id, last_name, first_name, email, institute, orcid, is_active,"
    " is_associated_partner FROM pis"
)
_EDAM_COLUMNS = "e.id, e.uri, e.accession, e.branch, e.label"
_EDAM_DETAIL = f"""SELECT {_EDAM_COLUMNS}, e.definition, e.synonyms, e.edam_version, e.is_obsolete,
    (SELECT jsonb_build_object('id', p.id, 'uri', p.uri, 'accession', p.accession,
            'branch', p.branch, 'label', p.label)
     FROM edam_terms p WHERE p.accession = e.parent) AS parent
FROM edam_terms e"""

_EDAM_URL = re.compile(r"^https?://(?:www\.)?edamontology\.org/(\w+)/?$", re.IGNORECASE)

# What a registration may reference: the active records only, in the admin lists' orders, PIs
# with their public names and institute (never their email or ORCID), in one statement.
_OPTIONS = """SELECT
    (SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.category_id, 'name', c.name)
            ORDER BY c.name, c.category_id), '[]'::jsonb)
     FROM categories c WHERE c.is_active) AS categories,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.aggregate_id,
            'short_name', c.short_name, 'full_name', c.full_name, 'website', c.website,
            'ror_id', c.ror_id) ORDER BY c.full_name, c.aggregate_id), '[]'::jsonb)
     FROM service_centres c WHERE c.is_active) AS centres,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('id', p.aggregate_id,
            'last_name', p.last_name, 'first_name', p.first_name, 'institute', p.institute,
            'is_associated_partner', p.is_associated_partner)
            ORDER BY p.last_name, p.first_name, p.aggregate_id), '[]'::jsonb)
     FROM pis p WHERE p.is_active) AS pis"""

_BIOTOOLS = f"""SELECT s.record, {RECORD_TOPICS}
FROM (SELECT r.record, jsonb_build_object('biotoolsrecord', r.record) AS doc,
             r.submission_status, r.biotools_id
      FROM biotools_records r) s"""


def _like(text: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def _accession_of(q: str) -> str:
    """The accession a search names as a term URL (``https://edamontology.org/topic_0121``,
    the ``url`` the API shows, whose scheme differs from the stored ``http`` URI); else ``q``."""
    match = _EDAM_URL.match(q.strip())
    return match.group(1) if match else q.strip()


def _active_clause(is_active: bool | None) -> tuple[str, list[Any]]:
    if is_active is None:
        return "", []
    return " WHERE is_active = %s", [is_active]


def _pi(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "last_name": row["last_name"],
        "first_name": row["first_name"],
        "display_name": shapes.pi_display(row),
        "email": row["email"],
        "institute": row["institute"],
        "orcid": row["orcid"],
        "is_active": row["is_active"],
        "is_associated_partner": row["is_associated_partner"],
    }


def _centre(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "id": str(row["id"])}


def _edam(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], **shapes.edam_compact(row["accession"], row)}


def _uuid(value: UUID | str) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        return None


class ReferenceQueries(QueryBase):
    """Categories, centres, PIs, EDAM terms, licences and bio.tools records."""

    def categories(self, is_active: bool | None = None) -> list[dict[str, Any]]:
        """``[{id, name, is_active}]`` ordered by name; ``is_active`` None means all."""
        clause, params = _active_clause(is_active)
        return self._all(f"{_CATEGORY}{clause} ORDER BY name, category_id", params)

    def category(self, category_id: int) -> dict[str, Any] | None:
        """One category by its integer id."""
        return self._one(f"{_CATEGORY} WHERE category_id = %s", (category_id,))

    def service_centres(self, is_active: bool | None = None) -> list[dict[str, Any]]:
        """``[{id, short_name, full_name, website, ror_id, is_active}]`` by full name."""
        clause, params = _active_clause(is_active)
        rows = self._all(f"{_CENTRE}{clause} ORDER BY full_name, aggregate_id", params)
        return [_centre(r) for r in rows]

    def service_centre(self, centre_id: UUID | str) -> dict[str, Any] | None:
        """One centre by id."""
        cid = _uuid(centre_id)
        row = self._one(f"{_CENTRE} WHERE aggregate_id = %s", (cid,)) if cid else None
        return _centre(row) if row else None

    def pis(self, is_active: bool | None = None) -> list[dict[str, Any]]:
        """``[{id, last_name, first_name, display_name, email, institute, orcid, is_active,
        is_associated_partner}]`` ordered by last name, first name."""
        clause, params = _active_clause(is_active)
        order = " ORDER BY last_name, first_name, aggregate_id"
        return [_pi(r) for r in self._all(f"{_PI}{clause}{order}", params)]

    def pi(self, pi_id: UUID | str) -> dict[str, Any] | None:
        """One PI by id."""
        pid = _uuid(pi_id)
        row = self._one(f"{_PI} WHERE aggregate_id = %s", (pid,)) if pid else None
        return _pi(row) if row else None

    def registration_options(self) -> dict[str, list[dict[str, Any]]]:
        """The active records a registration may name: ``categories`` ``[{id, name}]``,
        ``centres`` ``[{id, short_name, full_name, website, ror_id}]`` and ``pis``
        ``[{id, display_name, institute, is_associated_partner}]``."""
        row = self._one(_OPTIONS) or {}
        pis = [
            {
                "id": pi["id"],
                "display_name": shapes.pi_display(pi),
                "institute": pi["institute"],
                "is_associated_partner": pi["is_associated_partner"],
            }
            for pi in row.get("pis") or []
        ]
        return {
            "categories": row.get("categories") or [],
            "centres": row.get("centres") or [],
            "pis": pis,
        }

    def edam_terms(
        self, branch: str | None = None, q: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Non-obsolete terms ``[{id, uri, accession, branch, label, url}]`` by (branch, order);
        ``branch`` exact, ``q`` icontains over label, definition, synonyms, accession or URI
        (a term's URL, ``http`` or ``https``, finds the term); at most ``limit`` (None: all)."""
        terms: list[str] = ["NOT e.is_obsolete"]
        params: list[Any] = []
        if branch:
            terms.append("e.branch = %s")
            params.append(branch)
        if q:
            pattern, accession = _like(q), _accession_of(q)
            terms.append(
                "(e.label ILIKE %s OR e.definition ILIKE %s OR e.synonyms::text ILIKE %s"
                " OR e.accession ILIKE %s OR e.uri ILIKE %s OR e.accession = %s)"
            )
            params += [pattern] * 5 + [accession]
        where = " AND ".join(terms)
        query = f"SELECT {_EDAM_COLUMNS} FROM edam_terms e WHERE {where}"
        query += " ORDER BY e.branch, e.sort_order"
        if limit is not None:
            query += " LIMIT %s"
            params.append(limit)
        return [_edam(r) for r in self._all(query, params)]

    def edam_term(self, accession_or_id: str) -> dict[str, Any] | None:
        """A term by accession (obsolete ones included), else by integer id among non-obsolete
        terms: compact fields + ``definition, synonyms, parent, edam_version``."""
        row = self._one(f"{_EDAM_DETAIL} WHERE e.accession = %s", (accession_or_id,))
        if row is None and accession_or_id.isascii() and accession_or_id.isdigit():
            query = f"{_EDAM_DETAIL} WHERE e.id = %s AND NOT e.is_obsolete"
            row = self._one(query, (int(accession_or_id),))
        if row is None:
            return None
        parent = row["parent"]
        return {
            **_edam(row),
            "definition": row["definition"],
            "synonyms": row["synonyms"],
            "parent": _edam(parent) if parent else None,
            "edam_version": row["edam_version"],
        }

    def licenses(self, q: str | None = None) -> list[dict[str, Any]]:
        """``[{license_id, name, is_osi_approved, is_deprecated}]`` by name; ``q`` icontains on
        the id or the name."""
        query = "SELECT license_id, name, is_osi_approved, is_deprecated FROM licenses"
        if q:
            rows = self._all(
                f"{query} WHERE license_id ILIKE %s OR name ILIKE %s ORDER BY name, license_id",
                (_like(q), _like(q)),
            )
        else:
            rows = self._all(f"{query} ORDER BY name, license_id")
        return rows

    def biotools_records(
        self,
        biotools_id: str | None = None,
        submission: UUID | str | None = None,
        page: int = 1,
        page_size: int = 20,
        *,
        edam_operation: str | None = None,
        maturity: str | None = None,
        descendants: bool = False,
    ) -> tuple[int, list[dict[str, Any]]]:
        """``(count, summaries)`` of synced records ordered by bio.tools id; ``biotools_id`` and
        ``submission`` exact, ``edam_operation`` an operation of any function (with its
        ``descendants``), ``maturity`` in any case (``projections.queries.edam_filters``)."""
        terms, params = biotools_conditions(edam_operation, maturity, descendants)
        terms.insert(0, "r.record IS NOT NULL")
        if biotools_id:
            terms.append("r.biotools_id = %s")
            params.append(biotools_id)
        if submission is not None:
            sid = _uuid(submission)
            if sid is None:
                return 0, []
            terms.append("r.submission_id = %s")
            params.append(sid)
        where = " AND ".join(terms)
        limit, offset = page_bounds(page, page_size)
        query = f"""SELECT t.total, p.record FROM
    (SELECT count(*) AS total FROM biotools_records r WHERE {where}) AS t
LEFT JOIN LATERAL (SELECT r.record, r.biotools_id, r.submission_id FROM biotools_records r
    WHERE {where} ORDER BY r.biotools_id, r.submission_id LIMIT %s OFFSET %s) AS p ON true
ORDER BY p.biotools_id, p.submission_id"""
        rows = self._all(query, [*params, *params, limit, offset])
        total = int(rows[0]["total"]) if rows else 0
        return total, [shapes.record_summary(r["record"]) for r in rows if r["record"]]

    def biotools_record(self, biotools_id: str) -> dict[str, Any] | None:
        """The full record of ``biotools_id``, only when its submission is approved."""
        query = (
            f"{_BIOTOOLS} WHERE s.biotools_id = %s AND s.submission_status = 'approved'"
            " AND s.record IS NOT NULL"
            " ORDER BY s.record->>'last_synced_at' DESC NULLS LAST LIMIT 1"
        )
        row = self._one(query, (biotools_id,))
        if row is None:
            return None
        return shapes.record_full(row["record"], row["record_topics"] or [])
