"""EDAM terms from the `edam-ontology` package (no download at run time) into `edam_terms_v1`."""

from __future__ import annotations

import csv
import importlib.resources
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from workers.reference_data import LoadSummary, Progress, apply_ddl, upsert_rows

__all__ = ["EDAM_BASE", "EdamTerm", "edam_version", "load_edam", "read_edam_terms"]

EDAM_BASE = "http://edamontology.org/"
_OBO = "http://www.geneontology.org/formats/oboInOwl#"
# The four roots; a term's branch is its root ancestor's, because a few IDs carry the wrong
# prefix (operation_3923, operation_3931 and operation_3939 are topics in EDAM 1.25).
_ROOTS = {
    "topic_0003": "topic",
    "operation_0004": "operation",
    "data_0006": "data",
    "format_1915": "format",
}
_COLUMNS = (
    "id",
    "accession",
    "uri",
    "branch",
    "label",
    "definition",
    "synonyms",
    "parent",
    "is_obsolete",
    "is_annotatable",
    "replaced_by",
    "consider",
    "sort_order",
    "edam_version",
)


@dataclass(frozen=True)
class EdamTerm:
    """One EDAM concept as loaded (accession like `topic_0091`)."""

    accession: str
    branch: str
    label: str
    definition: str = ""
    synonyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = field(default=())
    is_obsolete: bool = False
    is_annotatable: bool = True
    replaced_by: tuple[str, ...] = ()
    consider: tuple[str, ...] = ()

    @property
    def number(self) -> int:
        """The numeric part of the accession: the row id and the sort order."""
        return int(self.accession.rsplit("_", 1)[1])

    @property
    def uri(self) -> str:
        """The term's URI."""
        return EDAM_BASE + self.accession


def edam_version() -> str:
    """The EDAM release the installed package ships (`1.25` for edam-ontology 1.25.x)."""
    import edam_ontology

    return ".".join(str(edam_ontology.__version__).split(".")[:2])


def _accessions(cell: str | None) -> tuple[str, ...]:
    if not cell:
        return ()
    return tuple(u[len(EDAM_BASE) :] for u in cell.split("|") if u.startswith(EDAM_BASE))


def _branch(accession: str, parents: Mapping[str, tuple[str, ...]]) -> str:
    seen: set[str] = set()
    queue = [accession]
    while queue:
        current = queue.pop(0)
        if current in _ROOTS:
            return _ROOTS[current]
        if current in seen:
            continue
        seen.add(current)
        queue.extend(parents.get(current, ()))
    # Obsolete terms hang under owl:DeprecatedClass: their prefix is all there is.
    return accession.split("_", 1)[0]


def read_edam_terms() -> list[EdamTerm]:
    """Every EDAM term in the installed package's TSV, obsolete ones included."""
    csv.field_size_limit(1 << 30)
    resource = importlib.resources.files("edam_ontology").joinpath("EDAM.tsv")
    rows: list[dict[str, str]] = []
    # The package's own tabular_stream() uses the locale's encoding and breaks under LC_ALL=C.
    with resource.open("rb") as binary, io.TextIOWrapper(binary, "utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["Class ID"].startswith(EDAM_BASE):
                rows.append(row)
    parents = {
        r["Class ID"][len(EDAM_BASE) :]: _accessions(r["Parents"]) or _accessions(r["Old parent"])
        for r in rows
    }
    terms = []
    for row in rows:
        accession = row["Class ID"][len(EDAM_BASE) :]
        definitions = row["Definitions"].split("|") if row["Definitions"] else [""]
        terms.append(
            EdamTerm(
                accession=accession,
                branch=_branch(accession, parents),
                label=row["Preferred Label"],
                definition=row.get(_OBO + "hasDefinition") or definitions[0],
                synonyms=tuple(s for s in (row["Synonyms"] or "").split("|") if s),
                parents=parents[accession],
                is_obsolete=row["Obsolete"] == "TRUE",
                is_annotatable=row.get("notRecommendedForAnnotation", "") != "TRUE",
                replaced_by=_accessions(row.get(_OBO + "replacedBy")),
                consider=_accessions(row.get(_OBO + "consider")),
            )
        )
    return terms


def _row(term: EdamTerm, version: str) -> tuple[Any, ...]:
    return (
        term.number,
        term.accession,
        term.uri,
        term.branch,
        term.label,
        term.definition,
        Jsonb(list(term.synonyms)),
        term.parents[0] if term.parents else None,
        term.is_obsolete,
        term.is_annotatable,
        Jsonb(list(term.replaced_by)),
        Jsonb(list(term.consider)),
        term.number,
        version,
    )


def load_edam(
    conn: psycopg.Connection[Any],
    terms: Iterable[EdamTerm] | None = None,
    *,
    version: str | None = None,
    progress: Progress | None = None,
) -> LoadSummary:
    """Upsert EDAM into `edam_terms_v1` in one transaction; terms that left EDAM are marked
    obsolete, never deleted. Every parent edge goes to `edam_parents_v1`, replaced whole (the
    terms table keeps only the first parent). `terms` and `version` default to the installed
    package's."""
    source = read_edam_terms() if terms is None else list(terms)
    release = version or edam_version()
    with conn.transaction():
        apply_ddl(conn, "edam_terms", 1)
        summary = upsert_rows(
            conn,
            table="edam_terms_v1",
            key="accession",
            columns=_COLUMNS,
            rows=[_row(t, release) for t in source],
            flag="is_obsolete",
            version=release,
            progress=progress,
        )
        apply_ddl(conn, "edam_parents", 1)
        conn.execute("DELETE FROM edam_parents_v1")
        with (
            conn.cursor() as cur,
            cur.copy("COPY edam_parents_v1 (accession, parent) FROM STDIN") as copy,
        ):
            for term in source:
                for parent in dict.fromkeys(term.parents):
                    copy.write_row((term.accession, parent))
        return summary
