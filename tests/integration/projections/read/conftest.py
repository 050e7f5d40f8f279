"""A real read side: PostgreSQL, the domain Registry, every projector under the real runner, and
a ReadModel over a connection pool. `Stack.sync()` waits until every live projection has applied
everything written so far (read-your-writes through `ProgressListener.wait_for`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from domain.application import Registry
from projections import operations
from projections.eventstore import open_registry
from projections.key_vault import PostgresKeyVault
from projections.progress import ProgressListener
from projections.projector import DDL_ROOT
from projections.projectors import PROJECTORS
from projections.queries import ReadModel
from projections.reference_catalog import PostgresReferenceCatalog
from projections.runner import Runner
from projections.support import migrate_support
from tests.conftest import FIXTURE_POOL_SIZE
from tests.payloads import KPI_SINCE_2021, submission_payload

ADMIN = "admin:root"

TERMS = [
    (
        91,
        "topic_0091",
        "topic",
        "Bioinformatics",
        "The archival of biological data.",
        '["Bio-informatics"]',
        None,
        False,
    ),
    (
        80,
        "topic_0080",
        "topic",
        "Sequence analysis",
        "Analysis of sequences.",
        "[]",
        "topic_0091",
        False,
    ),
    (3, "topic_0003", "topic", "Topic", "Obsolete root.", "[]", None, True),
    (
        292,
        "operation_0292",
        "operation",
        "Sequence alignment",
        "Align sequences.",
        '["Sequence aligning"]',
        None,
        False,
    ),
    (
        3198,
        "operation_3198",
        "operation",
        "Read mapping",
        "Map reads.",
        "[]",
        "operation_0292",
        False,
    ),
]
LICENSES = [
    ("MIT", "MIT License", True, False),
    ("Apache-2.0", "Apache License 2.0", True, False),
    ("GPL-3.0", "GNU General Public License v3.0", True, True),
]


def seed_reference_views(url: str) -> None:
    """The EDAM and SPDX tables and views (their owners' DDL) with a few real rows, and the
    support tables (the key vault's among them, which the app needs before `migrate`)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute((DDL_ROOT / "edam_terms" / "v1.sql").read_text())
        conn.execute((DDL_ROOT / "licenses" / "v1.sql").read_text())
        for term in TERMS:
            number, accession = term[0], term[1]
            conn.execute(
                "INSERT INTO edam_terms_v1 (id, accession, uri, branch, label, definition,"
                " synonyms, parent, is_obsolete, sort_order, edam_version)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, '1.25')",
                (number, accession, f"http://edamontology.org/{accession}", *term[2:], number),
            )
        for license_id, name, osi, deprecated in LICENSES:
            conn.execute(
                "INSERT INTO licenses_v1 (license_id, name, is_osi_approved, is_deprecated)"
                " VALUES (%s, %s, %s, %s)",
                (license_id, name, osi, deprecated),
            )
        migrate_support(conn)


@dataclass
class Stack:
    url: str
    app: Registry
    read: ReadModel
    listener: ProgressListener
    centre: UUID = field(init=False)
    other_centre: UUID = field(init=False)
    category: int = field(init=False)
    other_category: int = field(init=False)
    pi: UUID = field(init=False)
    other_pi: UUID = field(init=False)

    def sync(self) -> None:
        """Wait until every live projection has applied every event written so far."""
        head = self.app.recorder.max_notification_id() or 0
        for projector in PROJECTORS:
            assert self.listener.wait_for(projector.name, head, timeout=20), projector.name

    def register(self, **overrides: Any) -> Any:
        data = submission_payload(
            category=self.category,
            pi=str(self.pi),
            centre=str(self.centre),
            **{
                "internal_contact_name": "Ada Internal",
                "edam_topic_ids": ["topic_0091", "topic_0080"],
                "edam_operation_ids": ["operation_0292"],
                **KPI_SINCE_2021,
                **overrides,
            },
        )
        return self.app.register_submission(data, ip="192.0.2.1", user_agent_hash="0" * 64)

    def synced_and_amended(self, values: dict[str, Any]) -> Any:
        """A submission linked to bio.tools, synced once (a history row of another aggregate,
        without a version), then amended by an admin with ``values``; its id."""
        sid = self.register(biotools_url="https://bio.tools/bwa").submission_id
        self.app.record_biotools_sync(sid, "bwa", {"biotools_id": "bwa", "name": "BWA"})
        self.app.amend_submission(sid, values, actor=ADMIN, by_admin=True)
        return sid


@pytest.fixture
def stack(database_url: str) -> Iterator[Stack]:
    seed_reference_views(database_url)
    pool: ConnectionPool[Any] = ConnectionPool(
        database_url, min_size=1, max_size=FIXTURE_POOL_SIZE, open=True
    )
    vault = PostgresKeyVault(pool)
    catalog = PostgresReferenceCatalog(pool)

    def factory(url: str, *, create_tables: bool = False) -> Any:
        return open_registry(
            url, create_tables=create_tables, key_vault=vault, reference_catalog=catalog
        )

    operations.migrate(database_url, app_factory=factory)
    app = factory(database_url)
    runner_app = factory(database_url)
    runner = Runner(database_url, app=runner_app, projectors=PROJECTORS, poll_interval=0.2)
    runner.start()
    listener = ProgressListener(database_url, poll_interval=0.2)
    stack = Stack(database_url, app, ReadModel(pool, registry=app), listener)
    centre = app.create_centre(
        {"short_name": "BiGi", "full_name": "Bielefeld-Gießen", "website": "https://bigi.de"},
        actor=ADMIN,
    )
    other = app.create_centre({"short_name": "HD-HuB", "full_name": "Heidelberg"}, actor=ADMIN)
    category = app.create_category({"name": "Tools"}, actor=ADMIN)
    other_category = app.create_category({"name": "Databases"}, actor=ADMIN)
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=ADMIN)
    other_pi = app.create_pi({"last_name": "Adams", "first_name": "Zoe"}, actor=ADMIN)
    stack.centre, stack.other_centre = UUID(str(centre.id)), UUID(str(other.id))
    stack.category, stack.other_category = int(category.id), int(other_category.id)
    stack.pi, stack.other_pi = UUID(str(pi.id)), UUID(str(other_pi.id))
    try:
        yield stack
    finally:
        runner.stop()
        listener.close()
        app.close()
        runner_app.close()
        pool.close()
