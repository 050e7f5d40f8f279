"""Fast seeding through the domain: reference data, realistic submissions, a long history.

Submissions are built as real ``Submission`` aggregates from the values of one submission that
went through ``register_submission`` (so every stored value is what validation accepts), then
saved with ``app.save(*batch)``: one transaction per batch instead of one per command. Each
seeded submission gets a ``Registered``, a ``KeyIssued`` and ``amends`` ``Amended`` events.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from bench.cluster import connect
from domain.application import Registry
from domain.submission import Submission
from projections.eventstore import open_registry

ADMIN = "admin:bench"
YEARS = (2018, 2019, 2020, 2021)


class SeedVault:
    """A key vault for seeding: keys are made in memory and written to the real vault table
    (``registry_subject_keys``) in one statement per batch, before the batch's events."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._lock = threading.Lock()
        self._keys: dict[UUID, bytes] = {}
        self._unwritten: dict[UUID, bytes] = {}

    def key_for(self, subject: UUID, create: bool) -> bytes | None:
        """The subject's key (made on demand when ``create``)."""
        with self._lock:
            key = self._keys.get(subject)
            if key is None and create:
                key = self._keys[subject] = self._unwritten[subject] = os.urandom(32)
            return key

    def destroy(self, subject: UUID) -> None:
        """Seeding never erases."""
        raise NotImplementedError

    def is_destroyed(self, subject: UUID) -> bool:
        """Seeding never erases."""
        return False

    def prime(self, subjects: Iterable[UUID]) -> None:
        """Make and store keys for ``subjects`` now, so their events can be decoded at once."""
        for subject in subjects:
            self.key_for(subject, create=True)
        self.flush()

    def flush(self) -> None:
        """Write the keys made since the last flush (one COPY)."""
        with self._lock:
            rows, self._unwritten = list(self._unwritten.items()), {}
        if not rows:
            return
        statement = "COPY registry_subject_keys (subject, key) FROM STDIN"
        with connect(self._url) as conn, conn.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


@dataclass
class Seeder:
    """A Registry whose submission keys come from a ``SeedVault``, and what it holds open."""

    app: Registry
    vault: SeedVault
    pool: Any

    def close(self) -> None:
        """Close the application and the reference-catalogue pool."""
        self.app.close()
        self.pool.close()


def open_seeder(database_url: str) -> Seeder:
    """A ``Seeder`` on ``database_url``."""
    from psycopg_pool import ConnectionPool

    from projections.reference_catalog import PostgresReferenceCatalog

    vault = SeedVault(database_url)
    pool: ConnectionPool[Any] = ConnectionPool(database_url, min_size=1, max_size=2, open=True)
    app = open_registry(
        database_url,
        key_vault=vault,
        reference_catalog=PostgresReferenceCatalog(pool),
    )
    return Seeder(app, vault, pool)


@dataclass(frozen=True)
class Reference:
    """Ids of the reference aggregates every seeded submission points at."""

    centre: str
    category: int
    pi: str


def create_reference(app: Registry) -> Reference:
    """One service centre, category and PI, created through the domain."""
    centre = app.create_centre(
        {"short_name": "de.NBI-BiGi", "full_name": "Bielefeld Gießen Center"}, actor=ADMIN
    )
    category = app.create_category({"name": "Tools"}, actor=ADMIN)
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=ADMIN)
    return Reference(str(centre.id), int(str(category.id)), str(UUID(str(pi.id))))


def payload(ref: Reference, name: str, year: int = 2020) -> dict[str, Any]:
    """A realistic create body (every section filled) with a distinct service name."""
    return {
        "date_of_entry": "2026-06-01",
        "submitter_first_name": "Ada",
        "submitter_last_name": "Lovelace",
        "submitter_affiliation": "Analytical Engines Ltd",
        "service_name": name,
        "service_description": "Maps sequencing reads to a reference genome, quickly and well.",
        "year_established": year,
        "service_category_ids": [ref.category],
        "responsible_pi_ids": [ref.pi],
        "host_institute": "Bielefeld University",
        "service_center_id": ref.centre,
        "public_contact_email": "help@mapper.example.org",
        "internal_contact_name": "Ada Internal",
        "internal_contact_email": "ada@mapper.example.org",
        "website_url": "https://mapper.example.org",
        "terms_of_use_url": "https://mapper.example.org/terms",
        "kpi_monitoring": "yes",
        "kpi_start_year": "2021",
        "publications_pmids": "12345678",
        "licenses": ["MIT"],
        "edam_topic_ids": ["topic_0091"],
        "data_protection_consent": True,
    }


def _template(app: Registry, vault: SeedVault, ref: Reference) -> dict[str, Any]:
    """The stored values of one submission registered through the full command path."""
    registration = app.register_submission(
        payload(ref, "Seed template"), ip=None, user_agent_hash="0" * 64
    )
    vault.flush()
    submission: Submission = app.repository.get(registration.submission_id)
    return dict(submission.values)


def build_submission(
    template: dict[str, Any], index: int, amends: int, *, description: str = "Revision"
) -> Submission:
    """A submission with a write key and ``amends`` description changes (pending events)."""
    values = {
        **template,
        "service_name": f"Seeded service {index}",
        "year_established": YEARS[index % len(YEARS)],
    }
    submission = Submission(
        actor="submitter",
        values=values,
        status="submitted",
        submission_ip=None,
        user_agent_hash="0" * 64,
    )
    submission._key_issued(
        actor="submitter",
        key_id=str(uuid4()),
        key_hash=hashlib.sha256(f"seed-{index}".encode()).hexdigest(),
        label="initial",
        scope="write",
        created_by="submitter",
    )
    old = str(values.get("service_description", ""))
    for n in range(amends):
        new = f"{description} {n} of a realistic service description for seeded service {index}."
        submission._amended(
            actor="submitter",
            by_admin=False,
            values={"service_description": new},
            changes=[{"field": "service_description", "old": old, "new": new}],
            status_reset=False,
        )
        old = new
    return submission


def seed_submissions(
    app: Registry,
    vault: SeedVault,
    ref: Reference,
    count: int,
    *,
    first: int = 0,
    amends: int = 3,
    batch: int = 250,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Save ``count`` submissions of ``2 + amends`` events each in batches; return events saved."""
    template = _template(app, vault, ref)
    saved = 0
    for start in range(first, first + count, batch):
        end = min(first + count, start + batch)
        items = [build_submission(template, i, amends) for i in range(start, end)]
        vault.prime(item.id for item in items)
        app.save(*items)
        saved += len(items) * (2 + amends)
        if progress is not None:
            progress(end - first)
    return saved


def _seed_part(database_url: str, ref: Reference, first: int, count: int, amends: int) -> int:
    seeder = open_seeder(database_url)
    try:
        return seed_submissions(seeder.app, seeder.vault, ref, count, first=first, amends=amends)
    finally:
        seeder.close()


def seed_parallel(
    database_url: str, ref: Reference, count: int, *, amends: int = 3, processes: int = 2
) -> int:
    """``seed_submissions`` split over ``processes`` processes (their saves interleave); returns
    the number of events saved."""
    share = -(-count // processes)
    parts = [(i * share, min(share, count - i * share)) for i in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [
            pool.submit(_seed_part, database_url, ref, first, n, amends)
            for first, n in parts
            if n > 0
        ]
        return sum(f.result() for f in futures)


def seed_long_history(
    app: Registry, vault: SeedVault, ref: Reference, changes: int
) -> tuple[UUID, datetime]:
    """One submission with ``changes`` amendments; returns its id and the instant of the middle
    change (for ``?as_of=``)."""
    template = _template(app, vault, ref)
    submission = build_submission(template, 10**9, changes, description="Long history revision")
    events = submission.pending_events
    middle = events[len(events) // 2].timestamp
    vault.prime([submission.id])
    app.save(submission)
    return submission.id, middle
