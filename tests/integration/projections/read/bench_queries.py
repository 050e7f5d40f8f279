"""Benchmark (not a test): time ReadModel queries over N synthetic submissions in a throwaway
database.

Run from the repository root:
    PYTHONPATH=. .venv/bin/python tests/integration/projections/read/bench_queries.py 50000
"""

import statistics
import sys
import time
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from projections import operations
from projections.queries import ReadModel
from tests.conftest import create_database
from tests.integration.projections.read.conftest import seed_reference_views

N = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
url, drop = create_database()
try:
    seed_reference_views(url)
    operations.migrate(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("""INSERT INTO service_centres_v1 (aggregate_id, short_name, full_name)
            SELECT md5('c'||i)::uuid, 'C'||i, 'Centre '||i FROM generate_series(1,20) i""")
        conn.execute("""INSERT INTO categories_v1 (aggregate_id, category_id, name)
            SELECT md5('k'||i)::uuid, i, 'Cat '||i FROM generate_series(1,20) i""")
        conn.execute("""INSERT INTO pis_v1 (aggregate_id, last_name, first_name)
            SELECT md5('p'||i)::uuid, 'L'||i, 'F'||i FROM generate_series(1,50) i""")
        t = time.perf_counter()
        conn.execute(f"""INSERT INTO submissions_v1 SELECT
            md5('s'||i)::uuid,
            (ARRAY['submitted','approved','rejected','under_review'])[1 + i % 4],
            md5('c'||(1 + i % 20))::uuid, 1990 + i % 30, i % 7 = 0,
            CASE WHEN i % 4 = 1 THEN (ARRAY['mature','emerging','legacy'])[1 + i % 3] END,
            CASE WHEN i % 8 = 1 THEN '["unstable"]'::jsonb ELSE '[]'::jsonb END,
            now() - i * interval '1 minute', now() - i * interval '30 seconds',
            'Service '||i, 3,
            jsonb_build_object('id', md5('s'||i)::uuid, 'status', 'submitted', 'version', 3,
              'submitted_at', to_jsonb(now()), 'updated_at', to_jsonb(now()),
              'service_name', 'Service '||i, 'service_description', repeat('x', 400),
              'service_center_id', md5('c'||(1 + i % 20))::uuid,
              'service_category_ids', jsonb_build_array(1 + i % 20, 1 + (i+1) % 20),
              'responsible_pi_ids', jsonb_build_array(md5('p'||(1 + i % 50))::uuid),
              'edam_topic_ids', '["topic_0091","topic_0080"]'::jsonb,
              'edam_operation_ids', '["operation_0292"]'::jsonb,
              'licenses', '["MIT"]'::jsonb, 'biotoolsrecord', null)
            FROM generate_series(1, {N}) i""")
        conn.execute("ANALYZE")
        print(f"inserted {N} rows in {time.perf_counter() - t:.1f}s")
    pool: ConnectionPool[Any] = ConnectionPool(url, min_size=2, max_size=2, open=True)
    read = ReadModel(pool)
    sid = psycopg.connect(url).execute("SELECT md5('s'||777)::uuid").fetchone()[0]
    cases = {
        "detail": lambda: read.submission(sid),
        "list default page 1": lambda: read.list_submissions({}, None, 1, 20),
        "list page 100": lambda: read.list_submissions({}, None, 100, 20),
        "list status=approved": lambda: read.list_submissions({"status": "approved"}, None, 1, 20),
        "list service_center=C1": lambda: read.list_submissions(
            {"service_center": "C1"}, "service_name", 1, 20
        ),
        "list year=2001": lambda: read.list_submissions({"year_established": "2001"}, None, 1, 20),
        "list secondary=unstable": lambda: read.list_submissions(
            {"secondary_maturity_tags": "unstable"}, "-updated_at", 1, 20
        ),
        "list primary=mature ordering tag": lambda: read.list_submissions(
            {"primary_maturity_tag": "mature"}, "primary_maturity_tag", 1, 100
        ),
        "history": lambda: read.history(sid),
        "edam q": lambda: read.edam_terms(None, "align"),
    }
    for name, call in cases.items():
        call()
        times = []
        for _ in range(30):
            t = time.perf_counter()
            call()
            times.append((time.perf_counter() - t) * 1000)
        print(
            f"{name:38s} median {statistics.median(times):6.1f} ms  p95 {sorted(times)[28]:6.1f} ms"
        )
    pool.close()
finally:
    drop()
