"""Peak resident memory of process trees, sampled with psutil in a background thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psutil  # type: ignore[import-untyped]


@dataclass
class Sample:
    """One sample: seconds since start, RSS (MiB) of the whole tree and of its largest process."""

    t: float
    tree_mib: float
    largest_mib: float


def tree_rss(root: psutil.Process) -> tuple[float, float]:
    """(sum, max) RSS in MiB over ``root`` and its descendants (vanished processes skipped)."""
    sizes: list[float] = []
    try:
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0, 0.0
    for proc in members:
        try:
            sizes.append(proc.memory_info().rss / 2**20)
        except psutil.NoSuchProcess:
            continue
    return (sum(sizes), max(sizes)) if sizes else (0.0, 0.0)


@dataclass
class MemorySampler:
    """Samples a process tree every ``interval`` seconds until stopped (use as a context)."""

    root: psutil.Process
    interval: float = 0.1
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        started = time.monotonic()

        def loop() -> None:
            while True:
                tree, largest = tree_rss(self.root)
                self.samples.append(Sample(time.monotonic() - started, tree, largest))
                if self._stop.wait(self.interval):
                    return

        self._thread = threading.Thread(target=loop, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def peak_tree_mib(self) -> float:
        """The largest sum over the tree seen."""
        return round(max((s.tree_mib for s in self.samples), default=0.0), 1)

    @property
    def peak_process_mib(self) -> float:
        """The largest single process seen."""
        return round(max((s.largest_mib for s in self.samples), default=0.0), 1)


def _cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total += times.user + times.system
    return total


def _postgres_backends() -> list[psutil.Process]:
    out = []
    for proc in psutil.process_iter(attrs=["name"]):
        if (proc.info["name"] or "").startswith("postgres"):
            out.append(proc)
    return out


@dataclass
class CpuMeter:
    """CPU time used during a phase by the web tree, the projector tree, this process (the load
    generator) and every PostgreSQL process (other databases' work on the server included), as
    cores busy on average: where the machine's two cores went."""

    roots: dict[str, psutil.Process]
    cores: dict[str, float] = field(default_factory=dict)
    #: The same as CPU seconds used during the block (``cores`` times the block's wall time).
    seconds: dict[str, float] = field(default_factory=dict)
    _start: dict[str, float] = field(default_factory=dict)
    _procs: dict[str, list[psutil.Process]] = field(default_factory=dict)
    _t0: float = 0.0
    _machine: Any = None

    def _groups(self) -> dict[str, list[psutil.Process]]:
        groups: dict[str, list[psutil.Process]] = {}
        for name, root in self.roots.items():
            try:
                groups[name] = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                groups[name] = []
        groups["client"] = [psutil.Process()]
        groups["postgres"] = _postgres_backends()
        return groups

    def __enter__(self) -> CpuMeter:
        self._machine = psutil.cpu_times()
        self._procs = self._groups()
        self._start = {name: _cpu_seconds(procs) for name, procs in self._procs.items()}
        self._t0 = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = max(time.monotonic() - self._t0, 1e-9)
        # PostgreSQL backends come and go: count those alive at the end as well.
        later = self._groups()
        for name, procs in self._procs.items():
            known = {p.pid for p in procs}
            extra = [p for p in later.get(name, []) if p.pid not in known]
            used = _cpu_seconds(procs) - self._start[name] + _cpu_seconds(extra)
            self.seconds[name] = used
            self.cores[name] = round(used / wall, 2)
        # Everything the machine did, other users' work included: are both cores busy?
        now = psutil.cpu_times()
        idle = (now.idle + getattr(now, "iowait", 0.0)) - (
            self._machine.idle + getattr(self._machine, "iowait", 0.0)
        )
        self.seconds["machine"] = (psutil.cpu_count() or 1) * wall - idle
        self.cores["machine"] = round(self.seconds["machine"] / wall, 2)
