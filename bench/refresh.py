"""Measure the daily refresh's throughput against the fake bio.tools server.

    python -m bench.refresh --copies 10 --concurrency 4 [--base-url URL]
        [--database-url postgresql://.../fresh_db]

Every one of the 60 fixture records is linked from `--copies` submissions. Without
`--database-url` the results are recorded in memory (measures fetch + parse); with it, each
submission is registered in a real Registry on that (fresh, empty) database first and results are
recorded as events (measures the whole sync). Without `--base-url` the fake server runs
in-process.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any

from bench.fake_biotools import FIXTURES_DIR, FakeBioTools
from workers.biotools_client import BioToolsClient
from workers.refresh import refresh_biotools
from workers.sync import BioToolsLinks


class MemoryLinks:
    """Links and recorded records kept in memory."""

    def __init__(self, links: Mapping[str, str]) -> None:
        self.links = dict(links)
        self.records: dict[str, Mapping[str, Any]] = {}

    def linked_biotools_id(self, submission_id: str) -> str | None:
        """The link."""
        return self.links.get(submission_id)

    def record_sync(self, submission_id: str, biotools_id: str, record: Mapping[str, Any]) -> bool:
        """Keep the record; False when identical."""
        if self.records.get(submission_id) == record:
            return False
        self.records[submission_id] = record
        return True

    def record_failure(self, submission_id: str, biotools_id: str, error: str) -> bool:
        """Failures are only counted by the refresh summary."""
        return True


def _ids() -> list[str]:
    return sorted(
        json.loads(p.read_text(encoding="utf-8"))["biotoolsID"] for p in FIXTURES_DIR.glob("*.json")
    )


def _registry_links(
    database_url: str, tool_ids: list[str], copies: int
) -> tuple[BioToolsLinks, list[str]]:
    from domain.application import Registry
    from projections.eventstore import open_registry
    from workers.registry_adapter import RegistryLinks

    app = open_registry(database_url, create_tables=True)
    assert isinstance(app, Registry)
    admin = "admin:bench"
    centre = app.create_centre({"short_name": "BiGi", "full_name": "Bielefeld-Gießen"}, actor=admin)
    category = app.create_category({"name": "Tools"}, actor=admin)
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=admin)
    base = {
        "date_of_entry": "2026-06-01",
        "submitter_first_name": "Ada",
        "submitter_last_name": "Lovelace",
        "submitter_affiliation": "Bench",
        "service_description": "A benchmark submission linked to a bio.tools record for sync.",
        "year_established": 2020,
        "service_category_ids": [int(category.id)],
        "responsible_pi_ids": [str(pi.id)],
        "host_institute": "Bench Institute",
        "service_center_id": str(centre.id),
        "public_contact_email": "help@example.org",
        "internal_contact_name": "Ada Lovelace",
        "internal_contact_email": "ada@example.org",
        "website_url": "https://example.org",
        "terms_of_use_url": "https://example.org/terms",
        "kpi_monitoring": "yes",
        "kpi_start_year": "2021",
        "publications_pmids": "12345678",
        "licenses": ["MIT"],
        "data_protection_consent": True,
    }
    submission_ids = []
    for copy in range(copies):
        for tool in tool_ids:
            data = {
                **base,
                "service_name": f"Bench {tool} {copy}",
                "biotools_url": f"https://bio.tools/{tool}",
            }
            registration = app.register_submission(data, ip=None, user_agent_hash="0" * 64)
            submission_ids.append(str(registration.submission_id))
    return RegistryLinks(app), submission_ids


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--base-url")
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    tool_ids = _ids()
    links: BioToolsLinks
    if args.database_url:
        links, submission_ids = _registry_links(args.database_url, tool_ids, args.copies)
    else:
        mapping = {f"{tool}#{c}": tool for c in range(args.copies) for tool in tool_ids}
        links, submission_ids = MemoryLinks(mapping), list(mapping)
    fake = None if args.base_url else FakeBioTools().start()
    base_url = args.base_url or (fake.base_url if fake else "")
    try:
        with BioToolsClient(base_url) as client:
            first = refresh_biotools(submission_ids, links, client, concurrency=args.concurrency)
            second = refresh_biotools(submission_ids, links, client, concurrency=args.concurrency)
    finally:
        if fake is not None:
            fake.stop()
    for label, summary in (("first (records)", first), ("second (unchanged)", second)):
        print(
            json.dumps(
                {
                    "run": label,
                    "submissions": summary.total,
                    "concurrency": args.concurrency,
                    "recording": "registry" if args.database_url else "memory",
                    "seconds": round(summary.seconds, 3),
                    "per_second": round(summary.per_second, 1),
                    "outcomes": summary.outcomes,
                    "errors": summary.errors,
                }
            )
        )


if __name__ == "__main__":
    main()
