"""Benchmark (not a test): time ReadModel.submission_as_of on a submission with N changes, with
the per-process EventCache and without it, in a throwaway database (docs/erasure.md).

Run from the repository root:
    PYTHONPATH=. .venv/bin/python tests/integration/projections/read/bench_as_of.py 1000
"""

import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from projections import operations
from projections.eventstore import open_registry
from projections.key_vault import PostgresKeyVault
from projections.queries import ReadModel
from projections.reference_catalog import PostgresReferenceCatalog
from tests.conftest import create_database
from tests.integration.projections.read.conftest import seed_reference_views
from tests.payloads import KPI_SINCE_2021, submission_payload

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
READS = 60


class NoCache:
    """Reads and decodes every event each time, as `as_of` would without the cache."""

    def events(self, store: Any, aggregate_id: UUID) -> tuple[Any, ...]:
        return tuple(store.get(aggregate_id))


def timeit(label: str, read: Callable[[], object]) -> None:
    read()
    times = []
    for _ in range(READS):
        start = time.perf_counter()
        read()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p90 = times[int(0.9 * len(times)) - 1]
    print(f"{label}: median {statistics.median(times):.2f} ms, p90 {p90:.2f} ms")


url, drop = create_database()
try:
    seed_reference_views(url)
    pool: ConnectionPool[Any] = ConnectionPool(url, min_size=2, max_size=4, open=True)
    vault = PostgresKeyVault(pool)
    catalog = PostgresReferenceCatalog(pool)

    def factory(u: str, *, create_tables: bool = False) -> Any:
        return open_registry(
            u, create_tables=create_tables, key_vault=vault, reference_catalog=catalog
        )

    operations.migrate(url, app_factory=factory)
    app = factory(url)
    centre = app.create_centre({"short_name": "B", "full_name": "Bi"}, actor="admin:x")
    category = app.create_category({"name": "T"}, actor="admin:x")
    pi = app.create_pi({"last_name": "D", "first_name": "J"}, actor="admin:x")
    data = submission_payload(
        category=category.id, pi=str(pi.id), centre=str(centre.id), **KPI_SINCE_2021
    )
    sid = app.register_submission(data, ip="192.0.2.1", user_agent_hash="0" * 64).submission_id
    middle = datetime.now(UTC)
    for i in range(N):
        change = {"service_description": f"Description {i} " * 5, "internal_contact_name": f"A{i}"}
        app.amend_submission(sid, change, actor="api:k", by_admin=False)
        if i == N // 2:
            middle = datetime.now(UTC)
    read = ReadModel(pool, registry=app)
    assert read.submission_as_of(sid, middle) is not None
    timeit(f"as_of, {N} changes, EventCache", lambda: read.submission_as_of(sid, middle))
    read._event_cache = NoCache()  # type: ignore[assignment]
    timeit(f"as_of, {N} changes, no cache", lambda: read.submission_as_of(sid, middle))
    app.close()
    pool.close()
finally:
    drop()
