"""PNG plots of a run: latency distributions, throughput by concurrency, rebuild progress."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# matplotlib is the optional extra `bench`: imported by name so that type checking the project
# (`make test`, which installs only the `dev` extra) does not need it.
_matplotlib: Any = importlib.import_module("matplotlib")
_matplotlib.use("Agg")
plt: Any = importlib.import_module("matplotlib.pyplot")


def _latencies(path: Path, raw: Any) -> None:
    fig, ax = plt.subplots(figsize=(9, 5))
    for label, values in sorted(raw.latencies.items()):
        if not values:
            continue
        ordered = sorted(v * 1000 for v in values)
        share = [(i + 1) / len(ordered) for i in range(len(ordered))]
        ax.plot(ordered, share, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("latency (ms, log)")
    ax.set_ylabel("share of requests")
    ax.set_title("Latency distributions (last run of each step)")
    ax.grid(True, which="both", alpha=0.3)
    if ax.get_lines():
        ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _throughput(path: Path, results: Mapping[str, Any]) -> None:
    fig, ax = plt.subplots(figsize=(8, 5))
    levels = (1, 8, 32)
    for key, label in (("b1", "create"), ("b2", "PATCH")):
        steps = [results[key][f"c{c}"] for c in levels]
        med = [s["http"]["throughput"]["median"] for s in steps]
        low = [m - s["http"]["throughput"]["low"] for m, s in zip(med, steps, strict=True)]
        high = [s["http"]["throughput"]["high"] - m for m, s in zip(med, steps, strict=True)]
        ax.errorbar(levels, med, yerr=[low, high], marker="o", capsize=3, label=f"{label} (HTTP)")
    ref = [results["b1"][f"c{c}"]["reference"]["throughput"]["median"] for c in levels]
    ax.plot(levels, ref, "k--", marker="s", label="raw INSERT+COMMIT")
    ax.axhline(700, color="red", alpha=0.4, label="target 700/s")
    ax.set_xscale("log", base=2)
    ax.set_xticks(levels, [str(c) for c in levels])
    ax.set_xlabel("concurrency")
    ax.set_ylabel("requests/s (median, range)")
    ax.set_title("Write throughput by concurrency")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _rebuild(path: Path, raw: Any) -> None:
    run = raw.rebuild
    fig, ax = plt.subplots(figsize=(8, 5))
    if run is not None and run.progress:
        ax.plot([t for t, _ in run.progress], [p for _, p in run.progress], label="position")
        ax.set_xlabel("seconds since the rebuild started")
        ax.set_ylabel("log position (events)")
        mem = ax.twinx()
        offset = (run.memory[-1][0] - run.rebuild_s) if run.memory else 0.0
        mem.plot(
            [t - offset for t, _ in run.memory],
            [m for _, m in run.memory],
            color="tab:orange",
            label="RSS (MiB)",
        )
        mem.set_ylabel("resident memory (MiB)")
        mem.set_ylim(bottom=0)
        fig.legend(loc="upper left")
    ax.set_title("Rebuild of submissions: progress and memory (last run)")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def draw(directory: Path, stamp: str, results: Mapping[str, Any], raw: Any) -> list[Path]:
    """Draw the three plots of a run; return their paths."""
    paths = [
        directory / f"{stamp}-latency.png",
        directory / f"{stamp}-throughput.png",
        directory / f"{stamp}-rebuild.png",
    ]
    _latencies(paths[0], raw)
    _throughput(paths[1], results)
    _rebuild(paths[2], raw)
    return paths
