"""Progress of a long command on standard error: counts, rate and ETA.

One helper for every command that works through a known number of items (``biotools sync
--all``, ``reference load-*``, ``import``): call :meth:`Progress.advance` after each item (from
any thread) and :meth:`Progress.finish` at the end. On a terminal the line is rewritten in
place; otherwise (a log file, a container) a line is written at most every ``every`` seconds,
so the output stays readable. Standard output is left to the command's result.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO


class Progress:
    """``what: done/total (pct) rate/s ETA s`` lines for ``total`` items."""

    def __init__(
        self,
        what: str,
        total: int,
        *,
        stream: TextIO | None = None,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.total = total
        self.done = 0
        self._out = stream if stream is not None else sys.stderr
        self._tty = self._out.isatty()
        self._every = every if every is not None else (0.2 if self._tty else 5.0)
        self._clock = clock
        self._started = clock()
        self._shown = self._started  # a short run shows only its final line
        self._shown_done = -1
        self._lock = threading.Lock()

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more items done; show the line if it is time to."""
        with self._lock:
            self.done += count
            now = self._clock()
            if now - self._shown >= self._every or self.done >= self.total:
                self._shown = now
                self._show(now)

    def finish(self) -> None:
        """Show the final count, once (and end the terminal's rewritten line)."""
        with self._lock:
            if self._shown_done != self.done:
                self._show(self._clock())
            if self._tty:
                self._out.write("\n")
                self._out.flush()

    def line(self, now: float | None = None) -> str:
        """The progress line as it would be shown at ``now``."""
        elapsed = max((self._clock() if now is None else now) - self._started, 1e-9)
        rate = self.done / elapsed
        pct = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        left = self.total - self.done
        if left <= 0:
            eta = f"done in {elapsed:.1f} s"
        elif self.done == 0 or rate <= 0:
            eta = "ETA ?"
        else:
            eta = f"ETA {left / rate:.0f} s"
        return f"{self.what}: {self.done}/{self.total}{pct} {rate:,.1f}/s {eta}"

    def _show(self, now: float) -> None:
        text = self.line(now)
        self._out.write(f"\r{text}\x1b[K" if self._tty else text + "\n")
        self._out.flush()
        self._shown_done = self.done
