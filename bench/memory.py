"""Peak resident memory of process trees, sampled with psutil in a background thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

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
