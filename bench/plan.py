"""What one benchmark run does (the plans) and what its phases share."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from bench import seed, workloads
from bench.load import StepResult
from bench.rebuild import RebuildRun
from bench.stats import Summary, summarise

RESULTS = Path(__file__).resolve().parent / "results"
WRITE_CONCURRENCY = (1, 8, 32)
READ_CONCURRENCY = 8


@dataclass(frozen=True)
class Plan:
    """How much of everything one run does."""

    name: str
    repeats: int
    writes: dict[int, int]
    reads: dict[str, int]
    list_seed: int
    rebuild_submissions: int
    history_changes: int = 1000
    #: Open-loop steps: workload -> (arrival rate per second, requests); fixed rates below the
    #: closed-loop throughput of the README's run, so the p99s show queueing, not overload.
    open_loop: dict[str, tuple[float, int]] = field(default_factory=dict)


QUICK = Plan(
    "quick",
    1,
    {1: 100, 8: 300, 32: 300},
    {"detail": 600, "list_page_1": 300, "list_page_50": 300, "history": 60, "as_of": 60},
    4_000,
    10_000,
    open_loop={"create": (100.0, 300), "detail": (400.0, 1_200)},
)
#: Each full step runs for several seconds at today's rates (a step under a second let one GC
#: pause or scheduler hiccup move its median by a quarter between two runs of the same code).
FULL = Plan(
    "full",
    3,
    {1: 600, 8: 3_000, 32: 3_000},
    {
        "detail": 10_000,
        "list_page_1": 5_000,
        "list_page_50": 5_000,
        "history": 2_000,
        "as_of": 1_000,
    },
    10_000,
    100_000,
    open_loop={"create": (300.0, 3_000), "detail": (1_500.0, 15_000)},
)


def say(message: str) -> None:
    """Progress on stderr."""
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


@dataclass
class Prepared:
    """What the workloads need from the set-up."""

    ref: seed.Reference
    admin_key: str
    long_id: UUID
    middle: datetime
    probe_id: UUID
    document: dict[str, Any]
    created: workloads.Created = field(default_factory=workloads.Created)


@dataclass
class Raw:
    """Per-request latencies of the last repetition of each step (for the plots)."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    lags: dict[int, list[float]] = field(default_factory=dict)
    rebuild: RebuildRun | None = None


def step_summary(result: StepResult, label: str) -> Summary:
    if result.errors:
        say(f"{label}: {result.errors} errors, first: {result.first_error}")
    return summarise(result.latencies, result.errors, result.seconds)
