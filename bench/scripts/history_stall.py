"""The history read's tail after a burst: one reader, after list pages at concurrency 8.

A diagnostic beside ``registry bench`` (whose reads phase runs the history step right after the
list pages): it sets up as the bench does (``bench.harness.prepare``: scratch database, a
1,000-change submission, ``--seed`` submissions, ``registry serve`` with two web workers), then,
per run, 5,000 list-page GETs at concurrency 8 and 2,000 history GETs one at a time, and prints
the history latencies' p50/p90/p99/max and how many took over 20 ms; last, the same history
statement 2,000 times from psycopg alone on one connection (no web worker), as the floor.

Usage, from a checkout's root with its virtualenv::

    PYTHONPATH=. .venv/bin/python bench/scripts/history_stall.py --seed 10000 --runs 2
"""

from __future__ import annotations

import argparse
import time

import psycopg

from bench import workloads
from bench.harness import scratch
from bench.load import run_step
from bench.plan import Plan
from projections.queries.submissions import HISTORY


def _report(label: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)

    def at(q: float) -> float:
        return ms[min(len(ms) - 1, int(q * len(ms)))]

    slow = sum(1 for m in ms if m > 20)
    print(
        f"{label}: n={len(ms)} p50 {at(0.5):.2f} p90 {at(0.9):.2f} p99 {at(0.99):.2f}"
        f" max {ms[-1]:.1f} ms; over 20 ms: {slow}",
        flush=True,
    )


def main() -> None:
    """Parse the arguments, set up, measure, print, tear down."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=10_000, help="submissions seeded first")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    plan = Plan("history-stall", 1, {}, {}, args.seed, 0, history_changes=1000)
    with scratch(plan) as (cluster, prep):
        history = workloads.get_sender(
            f"{workloads.SUBMISSIONS}{prep.long_id}/history/", prep.admin_key
        )
        for run in range(args.runs):
            page = workloads.list_params(1 if run % 2 == 0 else 50)
            listing = workloads.get_sender(workloads.SUBMISSIONS, prep.admin_key, page)
            run_step(cluster.base_url, listing, 8, count=5000)
            result = run_step(cluster.base_url, history, 1, count=2000)
            _report(f"history after list pages, run {run + 1}", result.latencies)
        with psycopg.connect(cluster.database_url) as conn:
            seconds = []
            for _ in range(2000):
                start = time.perf_counter()
                with conn.cursor(binary=True) as cur:
                    cur.execute(HISTORY, (prep.long_id, prep.long_id), prepare=True)
                    cur.fetchall()
                seconds.append(time.perf_counter() - start)
            _report("the same statement from psycopg alone", seconds)


if __name__ == "__main__":
    main()
