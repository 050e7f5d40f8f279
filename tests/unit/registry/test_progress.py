"""Progress lines of long commands: counts, rate and ETA on stderr, not flooding a log."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

from registry.heartbeat import Heartbeat, age
from registry.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_has_counts_rate_and_eta() -> None:
    clock = Clock()
    progress = Progress("import", 100, stream=io.StringIO(), clock=clock)
    clock.now += 10
    progress.done = 25
    assert progress.line() == "import: 25/100 (25%) 2.5/s ETA 30 s"
    progress.done = 100
    assert progress.line() == "import: 100/100 (100%) 10.0/s done in 10.0 s"


def test_not_a_terminal_gets_a_line_every_few_seconds_and_the_last_once() -> None:
    clock = Clock()
    out = io.StringIO()
    progress = Progress("sync", 1000, stream=out, every=5.0, clock=clock)
    for _ in range(1000):
        clock.now += 0.02  # 20 s in all
        progress.advance()
    progress.finish()
    lines = out.getvalue().splitlines()
    assert 4 <= len(lines) <= 5
    assert lines[-1].startswith("sync: 1000/1000 (100%)")
    assert "\r" not in out.getvalue()


def test_a_short_run_shows_only_its_final_line() -> None:
    out = io.StringIO()
    progress = Progress("reference", 3, stream=out)
    for _ in range(3):
        progress.advance()
    progress.finish()
    assert len(out.getvalue().splitlines()) == 1


def test_advance_is_safe_from_many_threads() -> None:
    progress = Progress("sync", 4000, stream=io.StringIO())
    threads = [
        threading.Thread(target=lambda: [progress.advance() for _ in range(1000)]) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert progress.done == 4000


def test_a_heartbeat_beats_while_alive_and_is_gone_when_closed(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat" / "worker"
    alive = threading.Event()
    beat = Heartbeat(path, alive.is_set, interval=0.05)
    try:
        assert age(path) is None  # not alive yet: no beat
        alive.set()
        deadline = time.monotonic() + 10
        while age(path) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert age(path) is not None
    finally:
        beat.close()
    assert age(path) is None
