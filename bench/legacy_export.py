"""A realistic ``dumpdata`` export of the existing system, of any size, for timing the import.

``python -m bench.legacy_export OUT.json --submissions 10000 --changes 10`` writes reference data
(40 categories, 20 centres, 300 PIs, 2 admin keys, the EDAM terms and licences it refers to) and
N submissions with every field filled as a real one is (a 400-character description, unicode and
HTML-ish text), one key each, ``--changes`` change-log rows each and a bio.tools record for one in
ten, in the shape and order ``manage.py dumpdata`` writes. Used for the timing in
``docs/import.md``; deterministic (no randomness), so runs compare.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

CATEGORIES = 40
CENTRES = 20
PIS = 300
TOPICS = ["topic_0091", "topic_0080", "topic_0622", "topic_3168", "topic_0102", "topic_0121"]
OPERATIONS = ["operation_0292", "operation_3198", "operation_2403"]
LICENCES = ["MIT", "Apache-2.0", "GPL-3.0", "GPL-3.0-only", "BSD-3-Clause"]
DESCRIPTION = (
    "Maps sequencing reads to a reference genome <fast> & accurately; supports paired-end data, "
    "long reads and RNA-seq. Développé à Bielefeld–Gießen; used by 1,200 groups (&lt;2 h per run). "
)


def _uuid(kind: int, n: int) -> str:
    return str(UUID(int=(kind << 96) | n, version=4))


def _object(model: str, pk: Any, fields: dict[str, Any]) -> dict[str, Any]:
    return {"model": model, "pk": pk, "fields": fields}


def _reference() -> Iterator[dict[str, Any]]:
    yield _object("auth.user", 1, {"username": "hanna"})
    for pk, accession in enumerate(TOPICS + OPERATIONS, start=1):
        yield _object("edam.edamterm", pk, {"accession": accession})
    for pk, licence in enumerate(LICENCES, start=1):
        yield _object("licenses.spdxlicense", pk, {"license_id": licence})
    for pk in range(1, CATEGORIES + 1):
        yield _object("registry.servicecategory", pk, {"name": f"Category {pk} <{pk % 7}>"})
    for n in range(CENTRES):
        yield _object(
            "registry.servicecenter",
            _uuid(1, n),
            {"short_name": f"C{n}", "full_name": f"Centre {n} für Bioinformatik", "website": ""},
        )
    for n in range(PIS):
        yield _object(
            "registry.principalinvestigator",
            _uuid(2, n),
            {"last_name": f"Müller-{n}", "first_name": "Zoë", "institute": "Uni <Partner>"},
        )
    for n in range(2):
        yield _object(
            "api.adminapikey",
            _uuid(3, n),
            {
                "key_hash": hashlib.sha256(f"admin-{n}".encode()).hexdigest(),
                "label": f"ops {n}",
                "scope": "full",
                "created_at": "2023-01-15T12:00:00Z",
                "created_by": 1,
            },
        )


def _submission(n: int) -> dict[str, Any]:
    topics = len(TOPICS) + 1 if n % 15 == 0 else 1 + n % 3  # some with more than 6 terms
    return _object(
        "submissions.servicesubmission",
        _uuid(4, n),
        {
            "submitted_at": f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}T08:00:00Z",
            "updated_at": "2024-06-01T10:00:00Z",
            "submission_ip": f"192.0.2.{n % 250}",
            "user_agent_hash": hashlib.sha256(str(n).encode()).hexdigest(),
            "date_of_entry": "2023-05-01",
            "submitter_first_name": "Zoë",
            "submitter_last_name": f"O'Brien {n}",
            "submitter_affiliation": "Université de Genève",
            "register_as_elixir": n % 2 == 0,
            "service_name": f"Service {n} <v{n % 5}>",
            "service_description": DESCRIPTION * 2,
            "year_established": 2000 + n % 24,
            "service_categories": [1 + n % CATEGORIES, 1 + (n + 7) % CATEGORIES],
            "edam_topics": list(range(1, min(topics, len(TOPICS)) + 1)),
            "edam_operations": [len(TOPICS) + 1 + n % len(OPERATIONS)],
            "is_toolbox": False,
            "toolbox_name": "",
            "user_knowledge_required": "Basic shell",
            "publications_pmids": f"{10_000_000 + n}, 10.1000/xyz{n}",
            "logo": "",
            "responsible_pis": [_uuid(2, n % PIS)],
            "associated_partner_note": "",
            "host_institute": "Bielefeld University",
            "service_center": _uuid(1, n % CENTRES),
            "public_contact_email": f"help{n}@example.org",
            "internal_contact_name": "Ada Internal",
            "internal_contact_email": f"ada{n}@example.org",
            "website_url": f"https://service{n}.example.org",
            "terms_of_use_url": f"https://service{n}.example.org/terms",
            "licenses": [1 + n % len(LICENCES)],
            "license_note": "",
            "github_url": f"https://github.com/example/service{n}",
            "biotools_url": f"https://bio.tools/service{n}" if n % 10 == 0 else "",
            "fairsharing_url": "",
            "other_registry_url": "",
            "kpi_monitoring": "yes",
            "kpi_start_year": "2019",
            "keywords_uncited": "alignment, mapping, reads",
            "keywords_seo": "NGS",
            "survey_participation": True,
            "comments": "",
            "data_protection_consent": True,
            "primary_maturity_tag": None,
            "secondary_maturity_tags": [],
            "last_change_summary": None,
            "status": "submitted",
        },
    )


def _related(n: int, changes: int) -> Iterator[dict[str, Any]]:
    owner = _uuid(4, n)
    yield _object(
        "submissions.submissionapikey",
        _uuid(5, n),
        {
            "submission": owner,
            "key_hash": hashlib.sha256(f"key-{n}".encode()).hexdigest(),
            "label": "Initial key",
            "created_at": "2023-05-01T08:00:01Z",
            "created_by": "submitter",
            "scope": "write",
        },
    )
    for c in range(changes):
        yield _object(
            "submissions.submissionchangelog",
            n * changes + c,
            {
                "submission": owner,
                "changed_by": "api:Initial key" if c % 2 else "admin:hanna",
                "changed_at": f"2024-01-01T{c % 24:02d}:{n % 60:02d}:00Z",
                "changes": [
                    {
                        "field": "keywords_seo",
                        "label": "Keywords (SEO)",
                        "old": f"v{c}",
                        "new": "NGS",
                    },
                    {"field": "comments", "label": "Comments", "old": "", "new": f"edit <{c}>"},
                ],
            },
        )
    if n % 10 == 0:
        yield _object(
            "biotools.biotoolsrecord",
            _uuid(6, n),
            {
                "submission": owner,
                "biotools_id": f"service{n}",
                "name": f"Service {n}",
                "description": DESCRIPTION,
                "tool_type": ["Command-line tool"],
                "operating_system": ["Linux"],
                "edam_topic_uris": ["http://edamontology.org/topic_0091"],
                "last_synced_at": "2024-05-01T03:00:00Z",
            },
        )


def objects(submissions: int, changes: int) -> Iterator[dict[str, Any]]:
    """Every exported object, in dumpdata's model order."""
    yield from _reference()
    for n in range(submissions):
        yield _submission(n)
    for n in range(submissions):
        yield from _related(n, changes)


def write(path: Path, submissions: int, changes: int) -> None:
    """Write the export as ``dumpdata --indent 2`` does (one object at a time)."""
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for i, obj in enumerate(objects(submissions, changes)):
            out.write(("," if i else "") + json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
        out.write("]\n")


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.legacy_export OUT --submissions N --changes C``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=10)
    args = parser.parse_args(argv)
    write(args.out, args.submissions, args.changes)


if __name__ == "__main__":
    main()
