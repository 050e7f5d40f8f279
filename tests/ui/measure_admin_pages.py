"""A measurement, not a test (no ``test_`` file prefix, so ``make test`` never collects it): the
admin pages with 300 submissions (about 900 feed entries) beside the API's list, through the
in-process test client, 20 requests each. Run it by naming the file:

    .venv/bin/pytest -q -p no:cacheprovider tests/ui/measure_admin_pages.py -s
"""

from __future__ import annotations

import statistics
import time

from tests.ui.admin_helpers import sign_in_with_key
from tests.ui.conftest import Site


def test_measure_admin_pages_with_300_submissions(site: Site) -> None:
    for n in range(300):
        site.live.client.post(
            "/api/v1/submissions/", json=site.live.payload(service_name=f"Svc {n:03d}")
        )
    site.sync()
    sign_in_with_key(site.client, site.live.admin_full)
    paths = (
        "/admin/submissions/",
        "/admin/submissions/?q=svc&sort=service_name",
        "/admin/",
        "/admin/activity/",
        "/api/v1/submissions/?page_size=30",
    )
    for path in paths:
        times = []
        for _ in range(20):
            t = time.perf_counter()
            r = site.client.get(path, headers=site.live.admin() if path.startswith("/api") else {})
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (path, r.status_code)
        times.sort()
        median = statistics.median(times)
        print(f"{path}: median {median:.1f} ms p95 {times[18]:.1f} ms size {len(r.content)} B")
