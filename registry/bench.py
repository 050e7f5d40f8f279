"""``registry bench``: the side-by-side benchmark of issue 7 (the harness lives in ``bench``)."""

from __future__ import annotations

import sys

from schema.settings import Settings


def run(settings: Settings, *, quick: bool) -> int:
    """Run the benchmark on its own databases (``REGISTRY_BENCH_POSTGRES``); 1 if it failed."""
    from bench.cluster import BenchError
    from bench.harness import run as run_bench

    try:
        return run_bench(quick=quick)
    except BenchError as exc:
        print(f"registry bench: {exc}", file=sys.stderr)
        return 1
