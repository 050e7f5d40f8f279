"""The result files of a run: JSON, a Markdown table with verdicts, and the plots."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

TARGET_WRITE_RATE = 700.0
TARGET_WRITE_P99_MS = 50.0
TARGET_DETAIL_RATE = 2500.0
TARGET_LIST_RATE = 1000.0
TARGET_HISTORY_P99_MS = 20.0
TARGET_LAG_P99_MS = 50.0
MEMORY_CAP_MIB = 300.0
#: "Flat": the peak over the whole rebuild at most this much above the peak of its first half.
FLAT_TOLERANCE = 1.15


def _m(step: Mapping[str, Any], side: str, figure: str) -> float:
    return float(step[side][figure]["median"])


def _verdict(target: str, measured: str, met: bool) -> dict[str, Any]:
    return {"target": target, "measured": measured, "met": met}


def _write_verdicts(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, label in (("b1", "creates"), ("b2", "PATCHes")):
        if key not in results:
            continue
        for c in (8, 32):
            step = results[key][f"c{c}"]
            rate, p99 = _m(step, "http", "throughput"), _m(step, "http", "p99_ms")
            raw = _m(step, "reference", "throughput")
            share = rate / raw if raw else 0.0
            out.append(
                _verdict(
                    f"{label} c={c}: ≥ 700/s, p99 < 50 ms, ≥ 0.5 × raw INSERT+COMMIT",
                    f"{rate:,.0f}/s, p99 {p99:.1f} ms, {share:.2f} × {raw:,.0f}/s",
                    rate >= TARGET_WRITE_RATE and p99 < TARGET_WRITE_P99_MS and share >= 0.5,
                )
            )
    return out


def _read_verdicts(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    if "b3" not in results:
        return []
    b3 = results["b3"]
    out = []
    for name, floor in (
        ("detail", TARGET_DETAIL_RATE),
        ("list_page_1", TARGET_LIST_RATE),
        ("list_page_50", TARGET_LIST_RATE),
    ):
        rate = _m(b3[name], "http", "throughput")
        out.append(_verdict(f"{name} ≥ {floor:,.0f}/s", f"{rate:,.0f}/s", rate >= floor))
    for name in ("history", "as_of"):
        p99 = _m(b3[name], "http", "p99_ms")
        out.append(_verdict(f"{name} p99 < 20 ms", f"{p99:.1f} ms", p99 < TARGET_HISTORY_P99_MS))
    return out


def verdicts(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 7 with the run's median figure and whether it is met."""
    out = _write_verdicts(results) + _read_verdicts(results)
    if "b4" in results:
        out += _rebuild_verdicts(results["b4"])
    if "b1" in results:
        out += _lag_verdicts(results["b1"])
    return out


def _rebuild_verdicts(b4: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    ratio = float(b4["ratio_to_copy"]["median"])
    peak = float(b4["peak_rss_mib"]["median"])
    half = float(b4["peak_rss_first_half_mib"]["median"])
    out.append(_verdict("rebuild ≥ 0.5 × COPY rate", f"{ratio:.2f} × COPY", ratio >= 0.5))
    out.append(
        _verdict(
            "rebuild peak memory flat in the log's length (< 300 MB)",
            f"peak {peak:.0f} MiB, first half {half:.0f} MiB",
            peak <= half * FLAT_TOLERANCE and peak < MEMORY_CAP_MIB,
        )
    )
    return out


def _lag_verdicts(b1: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for c in (8, 32):
        lag = b1[f"c{c}"]["live_lag"]
        out.append(
            _verdict(
                f"live lag p99 < 50 ms under creates at c={c}",
                f"p50 {lag['p50_ms']:.1f} ms, p99 {lag['p99_ms']:.1f} ms ({lag['count']} probes)",
                lag["p99_ms"] < TARGET_LAG_P99_MS and lag["count"] > 0,
            )
        )
    return out


def _fig(spread: Mapping[str, Any], digits: int = 1) -> str:
    med, low, high = spread["median"], spread["low"], spread["high"]
    if spread["runs"] > 1:
        return f"{med:,.{digits}f} ({low:,.{digits}f}–{high:,.{digits}f})"
    return f"{med:,.{digits}f}"


_HEAD = (
    "| workload | c | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms"
    " | reference/s | ref p99 ms | ratio |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def _row(label: str, step: Mapping[str, Any]) -> str:
    http, ref = step["http"], step["reference"]
    rate, raw = http["throughput"]["median"], ref["throughput"]["median"]
    ratio = f"{rate / raw:.2f}" if raw else "–"
    cells = [
        label,
        str(step["concurrency"]),
        f"{http['count']:,}",
        str(http["errors"]),
        _fig(http["throughput"], 0),
        _fig(http["p50_ms"]),
        _fig(http["p90_ms"]),
        _fig(http["p99_ms"]),
        _fig(http["max_ms"]),
        _fig(ref["throughput"], 0),
        _fig(ref["p99_ms"], 2),
        ratio,
    ]
    return "| " + " | ".join(cells) + " |"


def _rebuild_and_lag_lines(results: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    b4 = results.get("b4")
    if b4 is not None:
        lines += [
            "",
            f"B4 rebuild of `submissions` v{b4['version']} from {b4['seed_events']:,} events"
            f" ({b4['submissions']:,} submissions) — events/s"
            f" {_fig(b4['rebuild_events_per_s'], 0)}, COPY rows/s {_fig(b4['copy_rows_per_s'], 0)},"
            f" ratio {_fig(b4['ratio_to_copy'], 2)}.",
        ]
    if "b1" in results:
        lines += [
            "",
            "| B5 live lag under creates | probes | timeouts | p50 ms | p90 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for c in (1, 8, 32):
            lag = results["b1"][f"c{c}"]["live_lag"]
            lines.append(
                f"| c={c} | {lag['count']} | {lag['timeouts']} | {lag['p50_ms']:.1f}"
                f" | {lag['p90_ms']:.1f} | {lag['p99_ms']:.1f} | {lag['max_ms']:.1f} |"
            )
    memory = []
    if b4 is not None:
        memory.append(
            f"rebuild process peak RSS {_fig(b4['peak_rss_mib'])} MiB"
            f" (first half of the log: {_fig(b4['peak_rss_first_half_mib'])} MiB)"
        )
    if "b3" in results:
        web = results["b3"]["web_memory"]
        memory.append(
            f"web during B3: largest process {web['peak_worker_rss_mib']} MiB,"
            f" whole `registry serve` tree {web['peak_tree_rss_mib']} MiB"
        )
    if memory:
        lines += ["", "B6 memory: " + "; ".join(memory) + "."]
    return lines


def _minimal_create_lines(results: Mapping[str, Any]) -> list[str]:
    """B1 next to the minimal-create reference: what a create cannot avoid in SQL."""
    if "b1" not in results or "minimal" not in results["b1"]["c1"]:
        return []
    lines = [
        "",
        "Creates against the minimal-create reference (closed loop; one transaction from psycopg,"
        " pipelined: the event INSERT and the `submissions` row upsert, the SQL a create cannot"
        " avoid) and against the single-row INSERT + COMMIT:",
        "",
        "| c | B1 create/s | minimal create/s | minimal p99 ms | B1 ÷ minimal | INSERT+COMMIT/s"
        " | B1 ÷ INSERT |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in (1, 8, 32):
        step = results["b1"][f"c{c}"]
        rate = step["http"]["throughput"]["median"]
        minimal, raw = step["minimal"], step["reference"]
        low, ins = minimal["throughput"]["median"], raw["throughput"]["median"]
        lines.append(
            f"| {c} | {_fig(step['http']['throughput'], 0)} | {_fig(minimal['throughput'], 0)}"
            f" | {_fig(minimal['p99_ms'], 2)} | {rate / low if low else 0:.2f}"
            f" | {_fig(raw['throughput'], 0)} | {rate / ins if ins else 0:.2f} |"
        )
    return lines


def _open_loop_lines(results: Mapping[str, Any]) -> list[str]:
    """The open-loop steps: fixed arrival rate, latency from each request's due instant."""
    steps = results.get("open_loop")
    if not steps:
        return []
    lines = [
        "",
        "Open loop (requests due at a fixed arrival rate, as wrk2 sends them; latency from the"
        " instant each was due, so queueing counts; the tables above are closed loop):",
        "",
        "| workload | arrival rate/s | requests | errors | answered/s | p50 ms | p90 ms | p99 ms"
        " | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, step in steps.items():
        http = step["http"]
        lines.append(
            f"| {name} | {step['rate']:,.0f} | {http['count']:,} | {http['errors']}"
            f" | {_fig(http['throughput'], 0)} | {_fig(http['p50_ms'])} | {_fig(http['p90_ms'])}"
            f" | {_fig(http['p99_ms'])} | {_fig(http['max_ms'])} |"
        )
    return lines


_CPU_GROUPS = ("web", "projector", "postgres", "client", "machine")


def markdown(results: Mapping[str, Any], stamp: str) -> str:
    """The Markdown report: one table per group, then the verdicts."""
    meta = results["meta"]
    lines = [
        f"### Benchmark {stamp} (`{meta['command']}`, commit {meta['commit']})",
        "",
        f"{meta['cpus']} CPUs, Python {meta['python']}, PostgreSQL {meta['postgres']},"
        f" `registry serve` with {meta['web_workers']} workers + `registry project`;"
        f" medians of {meta['repeats']} run(s), range in brackets; total {results['seconds']} s.",
        "",
        "Closed loop (each of c clients sends its next request when the previous answered:"
        " throughput; its latencies leave out queueing). Writes (B1 create, B2 PATCH; reference:"
        " single-row INSERT + COMMIT from psycopg) and reads (B3; reference: the bare SELECT of"
        " the same rows):",
        "",
        _HEAD,
    ]
    for key, label in (("b1", "B1 create"), ("b2", "B2 PATCH")):
        for c in (1, 8, 32) if key in results else ():
            lines.append(_row(label, results[key][f"c{c}"]))
    for name in ("detail", "list_page_1", "list_page_50", "history", "as_of"):
        if "b3" in results:
            lines.append(_row(f"B3 {name}", results["b3"][name]))
    lines += _minimal_create_lines(results)
    lines += _open_loop_lines(results)
    lines += _rebuild_and_lag_lines(results)
    lines += [
        "",
        "Where the CPU went (cores busy on average over the phase; the machine has"
        f" {meta['cpus']}; `postgres` counts every backend on the server, `machine` is everything"
        " the machine ran, other users' work included):",
        "",
        "| phase | " + " | ".join(_CPU_GROUPS) + " |",
        "|---|" + "---:|" * len(_CPU_GROUPS),
        *[
            f"| {phase} | " + " | ".join(f"{cores.get(g, 0.0):.2f}" for g in _CPU_GROUPS) + " |"
            for phase, cores in results.get("cpu_cores_busy", {}).items()
        ],
        "",
        "| target | measured (median) | verdict |",
        "|---|---|---|",
    ]
    for v in results["verdicts"]:
        lines.append(f"| {v['target']} | {v['measured']} | {'met' if v['met'] else 'MISSED'} |")
    return "\n".join(lines) + "\n"


def write(
    directory: Path, stamp: str, results: Mapping[str, Any], raw: Any, *, draw_plots: bool = True
) -> list[Path]:
    """Write ``<stamp>.json``, ``<stamp>.md`` and (``draw_plots``) the PNG plots; return their
    paths."""
    json_path = directory / f"{stamp}.json"
    json_path.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    md_path = directory / f"{stamp}.md"
    md_path.write_text(markdown(results, stamp), encoding="utf-8")
    paths = [json_path, md_path]
    if not draw_plots:
        return paths
    try:
        from bench import plots
    except ImportError:  # matplotlib is the optional extra `bench`
        return paths
    return paths + plots.draw(directory, stamp, results, raw)
