"""The statistics of a load step and of repeated steps."""

from __future__ import annotations

import pytest

from bench.stats import combine, percentile, ratio, spread, summarise


def test_percentile_is_the_nearest_rank_of_sorted_values() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile(values, 0) == 1.0


def test_percentile_of_nothing_is_zero_and_out_of_range_is_refused() -> None:
    assert percentile([], 99) == 0.0
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


def test_summary_reports_milliseconds_and_counts_only_successes_in_throughput() -> None:
    latencies = [0.010] * 98 + [0.050, 0.200]
    summary = summarise(latencies, errors=10, seconds=2.0)
    assert summary.count == 100
    assert summary.errors == 10
    assert summary.throughput == 45.0
    assert summary.p50_ms == 10.0
    assert summary.p90_ms == 10.0
    assert summary.p99_ms == 50.0
    assert summary.max_ms == 200.0


def test_summary_of_an_empty_step_is_all_zero() -> None:
    summary = summarise([], errors=0, seconds=0.0)
    assert (summary.count, summary.throughput, summary.p99_ms, summary.max_ms) == (0, 0.0, 0.0, 0.0)


def test_spread_is_median_with_range() -> None:
    result = spread([3.0, 1.0, 2.0])
    assert (result.median, result.low, result.high, result.runs) == (2.0, 1.0, 3.0, 3)
    assert result.relative == 1.0


def test_spread_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        spread([])


def test_combine_takes_medians_of_runs_and_sums_counts() -> None:
    runs = [
        summarise([0.001] * 10, errors=0, seconds=1.0),
        summarise([0.002] * 10, errors=1, seconds=1.0),
        summarise([0.004] * 10, errors=0, seconds=2.0),
    ]
    combined = combine(runs)
    assert combined["count"] == 30
    assert combined["errors"] == 1
    assert combined["p50_ms"]["median"] == 2.0
    assert combined["throughput"] == {"median": 9.0, "low": 5.0, "high": 10.0, "runs": 3}
    assert len(combined["runs"]) == 3


def test_ratio_against_a_zero_reference_is_none() -> None:
    assert ratio(5.0, 0.0) is None
    assert ratio(5.0, 10.0) == 0.5
