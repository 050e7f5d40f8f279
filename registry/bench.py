"""``registry bench``: the side-by-side benchmark of issue 7 (the harness lives in ``bench``)."""

from __future__ import annotations

import sys

from schema.settings import Settings


def run(settings: Settings, *, quick: bool, only: str | None = None) -> int:
    """Run the benchmark on its own databases (``REGISTRY_BENCH_POSTGRES``); 1 if it failed.

    ``only`` is a comma-separated subset of the phases (``create,patch,reads,rebuild,pages``)."""
    from bench.cluster import BenchError
    from bench.harness import PHASES
    from bench.harness import run as run_bench

    chosen = None
    if only is not None:
        chosen = frozenset(p.strip() for p in only.split(",") if p.strip())
        unknown = chosen - set(PHASES)
        if unknown or not chosen:
            print(f"registry bench: --only takes {','.join(PHASES)}", file=sys.stderr)
            return 2
    try:
        return run_bench(quick=quick, only=chosen)
    except BenchError as exc:
        print(f"registry bench: {exc}", file=sys.stderr)
        return 1
