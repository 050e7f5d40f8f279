"""Statistics of one load step, and the median and spread of repeated steps."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of already sorted values, nearest-rank; 0.0 if empty."""
    if not sorted_values:
        return 0.0
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return float(sorted_values[rank - 1])


@dataclass(frozen=True)
class Summary:
    """One step: request count, errors (non-2xx or failed), throughput of the successful
    requests per second, and latencies in ms."""

    count: int
    errors: int
    seconds: float
    throughput: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    def as_dict(self) -> dict[str, float]:
        """The summary as a JSON-ready mapping."""
        return asdict(self)


def summarise(latencies_s: Sequence[float], errors: int, seconds: float) -> Summary:
    """Summarise one step from each request's latency (seconds) and the step's wall time."""
    ordered = sorted(latencies_s)
    count = len(ordered)

    def ms(q: float) -> float:
        return round(percentile(ordered, q) * 1000, 3)

    return Summary(
        count=count,
        errors=errors,
        seconds=round(seconds, 4),
        throughput=round((count - errors) / seconds, 2) if seconds > 0 else 0.0,
        p50_ms=ms(50),
        p90_ms=ms(90),
        p99_ms=ms(99),
        max_ms=round(ordered[-1] * 1000, 3) if ordered else 0.0,
    )


@dataclass(frozen=True)
class Spread:
    """The median of repeated measurements and their range."""

    median: float
    low: float
    high: float
    runs: int

    def as_dict(self) -> dict[str, float]:
        """The spread as a JSON-ready mapping."""
        return asdict(self)

    @property
    def relative(self) -> float:
        """(high - low) / median: 0 when the runs agree (0 too when the median is 0)."""
        return (self.high - self.low) / self.median if self.median else 0.0


def spread(values: Sequence[float]) -> Spread:
    """Median, minimum and maximum of ``values`` (at least one)."""
    if not values:
        raise ValueError("no values to summarise")
    return Spread(
        round(statistics.median(values), 3),
        round(min(values), 3),
        round(max(values), 3),
        len(values),
    )


FIELDS = ("throughput", "p50_ms", "p90_ms", "p99_ms", "max_ms")


def combine(runs: Sequence[Summary]) -> dict[str, Any]:
    """Repeated runs of one step: the median (and spread) of every figure; counts are summed."""
    if not runs:
        raise ValueError("no runs to combine")
    out: dict[str, Any] = {
        "count": sum(r.count for r in runs),
        "errors": sum(r.errors for r in runs),
        "runs": [r.as_dict() for r in runs],
    }
    for name in FIELDS:
        out[name] = spread([float(getattr(r, name)) for r in runs]).as_dict()
    return out


def ratio(measured: float, reference: float) -> float | None:
    """measured / reference, or None when the reference is zero."""
    return round(measured / reference, 3) if reference else None


def median_of(combined: Mapping[str, Any], name: str) -> float:
    """The median of figure ``name`` of a ``combine`` result."""
    return float(combined[name]["median"])
