"""Verdicts and the Markdown/JSON report of a run, from synthetic results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.report import markdown, verdicts, write
from bench.stats import combine, summarise


def _step(rate: float, p99_s: float, concurrency: int = 8) -> dict[str, Any]:
    count = int(rate)
    latencies = [0.001] * (count - 2) + [p99_s, p99_s]
    http = combine([summarise(latencies, 0, 1.0)])
    reference = combine([summarise([0.0005] * 1000, 0, 1.0)])
    return {"concurrency": concurrency, "http": http, "reference": reference}


def _spread(value: float) -> dict[str, float]:
    return {"median": value, "low": value, "high": value, "runs": 1}


def results(*, write_rate: float = 800, detail_rate: float = 3000, lag_p99: float = 10.0) -> Any:
    lag = {"count": 100, "errors": 0, "p50_ms": 2.0, "p90_ms": 5.0, "p99_ms": lag_p99}
    lag |= {"max_ms": lag_p99, "timeouts": 0, "seconds": 1.0, "throughput": 100.0}
    writes = {f"c{c}": {**_step(write_rate, 0.02, c), "live_lag": lag} for c in (1, 8, 32)}
    reads = {
        "detail": _step(detail_rate, 0.01),
        "list_page_1": _step(1200, 0.01),
        "list_page_50": _step(1200, 0.01),
        "history": _step(100, 0.015, 1),
        "as_of": _step(100, 0.015, 1),
        "web_memory": {"peak_worker_rss_mib": 80.0, "peak_tree_rss_mib": 200.0},
    }
    rebuild = {
        "version": 1,
        "submissions": 100,
        "seed_events": 500,
        "rebuild_events_per_s": _spread(600.0),
        "copy_rows_per_s": _spread(1000.0),
        "ratio_to_copy": _spread(0.6),
        "peak_rss_mib": _spread(100.0),
        "peak_rss_first_half_mib": _spread(98.0),
    }
    meta = {"command": "make bench", "commit": "abc", "cpus": 2, "python": "3.11"}
    meta |= {"postgres": "15", "web_workers": 2, "repeats": 1}
    out = {"meta": meta, "seconds": 1.0, "b1": writes, "b2": writes, "b3": reads, "b4": rebuild}
    out["cpu_cores_busy"] = {
        "b1": {"web": 1.2, "projector": 0.2, "postgres": 0.5, "client": 0.1, "machine": 1.9}
    }
    out["verdicts"] = verdicts(out)
    return out


def test_a_run_meeting_every_target_has_only_met_verdicts() -> None:
    assert all(v["met"] for v in results()["verdicts"])


def test_a_slow_write_path_misses_the_write_targets_only() -> None:
    missed = [v["target"] for v in results(write_rate=300)["verdicts"] if not v["met"]]
    assert len(missed) == 4
    assert all(t.startswith(("creates", "PATCHes")) for t in missed)


def test_slow_detail_reads_and_a_long_lag_are_missed() -> None:
    missed = [v["target"] for v in results(detail_rate=500, lag_p99=80)["verdicts"] if not v["met"]]
    assert any(t.startswith("detail") for t in missed)
    assert sum(t.startswith("live lag") for t in missed) == 2


def test_markdown_has_a_row_per_workload_and_a_verdict_per_target() -> None:
    run = results(write_rate=300)
    text = markdown(run, "20260101T000000Z")
    assert text.count("| B1 create |") == 3
    assert text.count("| B3 ") == 5
    assert text.count("| MISSED |") == 4
    assert text.count("| met |") == len(run["verdicts"]) - 4
    assert "| b1 | 1.20 | 0.20 | 0.50 | 0.10 | 1.90 |" in text


def test_write_produces_the_json_and_the_markdown(tmp_path: Path) -> None:
    class NoRaw:
        latencies: dict[str, list[float]] = {}
        rebuild = None

    paths = write(tmp_path, "stamp", results(), NoRaw())
    names = {p.name for p in paths}
    assert {"stamp.json", "stamp.md"} <= names
    assert json.loads((tmp_path / "stamp.json").read_text())["b4"]["version"] == 1
    assert all(p.exists() for p in paths)


def test_a_partial_run_reports_only_the_phases_it_ran(tmp_path: Path) -> None:
    run = results()
    partial = {k: v for k, v in run.items() if k not in ("b2", "b3", "b4", "verdicts")}
    partial["verdicts"] = verdicts(partial)
    text = markdown(partial, "20260101T000000Z")
    assert text.count("| B1 create |") == 3
    for absent in ("| B2 PATCH |", "| B3 ", "B4 rebuild"):
        assert absent not in text
    targets = [v["target"] for v in partial["verdicts"]]
    assert all(t.startswith(("creates", "live lag")) for t in targets)
    paths = write(tmp_path, "partial", partial, None, draw_plots=False)
    assert sorted(p.name for p in paths) == ["partial.json", "partial.md"]


def test_a_rebuild_only_run_has_the_rebuild_verdicts_alone() -> None:
    run = results()
    partial = {k: v for k, v in run.items() if k in ("meta", "seconds", "b4")}
    text = markdown({**partial, "verdicts": verdicts(partial)}, "20260101T000000Z")
    assert "B4 rebuild" in text
    assert "B6 memory: rebuild process peak RSS" in text
    assert [v["target"].split()[0] for v in verdicts(partial)] == ["rebuild", "rebuild"]


def test_the_open_loop_and_the_minimal_create_reference_are_labelled_rows() -> None:
    run = results(write_rate=300)
    for c in (1, 8, 32):
        run["b1"][f"c{c}"]["minimal"] = combine([summarise([0.001] * 600, 0, 1.0)])
    run["open_loop"] = {
        "create": {"rate": 100.0, "http": combine([summarise([0.02] * 300, 0, 3.0)])},
        "detail": {"rate": 400.0, "http": combine([summarise([0.003] * 1200, 0, 3.0)])},
    }
    text = markdown(run, "20260101T000000Z")
    assert "Open loop (requests due at a fixed arrival rate" in text
    assert "| create | 100 | 300 | 0 | 100 | 20.0 | 20.0 | 20.0 | 20.0 |" in text
    assert "| detail | 400 | 1,200 | 0 | 400 |" in text
    assert "minimal-create reference" in text
    assert "| 8 | 300 | 600 | 1.00 | 0.50 |" in text
    assert text.index("Closed loop") < text.index("Open loop")
