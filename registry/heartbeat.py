"""Liveness of the processes without an HTTP port (``registry worker``, ``registry schedule``).

While the process's own loops are alive, a thread touches ``<data_dir>/heartbeat/<name>``
every :data:`INTERVAL` seconds; ``registry alive NAME`` (the compose health check) fails when
that file is older than ``--max-age``. A process that died, hangs with its loops stopped, or
whose worker threads have ended stops touching it, so the check turns unhealthy.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

#: Seconds between touches.
INTERVAL = 10.0
#: Default age (seconds) above which `registry alive` reports a process as not alive.
MAX_AGE = 60.0


def heartbeat_file(data_dir: Path, name: str) -> Path:
    """Where process ``name`` keeps its heartbeat."""
    return data_dir / "heartbeat" / name


class Heartbeat:
    """Touches ``path`` every ``interval`` seconds while ``alive()`` says so; removed on close."""

    def __init__(self, path: Path, alive: Callable[[], bool], interval: float = INTERVAL) -> None:
        self.path = path
        self._alive = alive
        self._interval = interval
        self._stop = threading.Event()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._alive():
                self.path.touch()
            self._stop.wait(self._interval)

    def close(self) -> None:
        """Stop beating and remove the file: a stopped process is not alive."""
        self._stop.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def age(path: Path) -> float | None:
    """Seconds since the last beat (None: never beat, or stopped)."""
    try:
        return max(0.0, time.time() - path.stat().st_mtime)
    except FileNotFoundError:
        return None
