"""B4 and half of B6: rebuilding ``submissions`` from a long log, next to a COPY.

The log is seeded once into a template database (``registry migrate``, then the seeder: every
read table stays at position 0 because no runner runs there). Each repetition copies the template
(``CREATE DATABASE … TEMPLATE``) and rebuilds the newest declared ``submissions`` version
(position 0 there) on the copy with the batched
``projections.operations.rebuild`` in a child process whose resident memory is sampled, then
COPYs as many rows as the log has events into a bare table of the same copy.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from typing import Any

import psutil  # type: ignore[import-untyped]
from psycopg import sql

from bench.cluster import connect, create_database, drop_database, with_dbname
from bench.memory import MemorySampler

NAME = "submissions"


def newest_version() -> int:
    """The newest version of ``submissions`` the code declares: the one a deployment builds."""
    from projections.projectors import PROJECTORS

    return max(p.version for p in PROJECTORS if p.name == NAME)


COPY_TABLE = "bench_copy_reference"


def _rebuild_child(database_url: str, out: Any) -> None:
    from projections import operations
    from projections.follow import Progress

    points: list[tuple[float, int]] = []

    def progress(p: Progress) -> None:
        points.append((round(p.elapsed, 3), p.position))

    started = time.perf_counter()
    position = operations.rebuild(database_url, NAME, newest_version(), progress=progress)
    out.put({"seconds": time.perf_counter() - started, "position": position, "points": points})


@dataclass(frozen=True)
class RebuildRun:
    """One repetition: rebuild and COPY figures, progress and memory over time."""

    events: int
    rebuild_s: float
    copy_s: float
    peak_rss_mib: float
    peak_rss_first_half_mib: float
    progress: list[tuple[float, int]]
    memory: list[tuple[float, float]]

    @property
    def rebuild_rate(self) -> float:
        """Events applied per second."""
        return self.events / self.rebuild_s

    @property
    def copy_rate(self) -> float:
        """Rows copied per second."""
        return self.events / self.copy_s

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures (series included)."""
        return {
            "events": self.events,
            "rebuild_s": round(self.rebuild_s, 3),
            "rebuild_events_per_s": round(self.rebuild_rate, 1),
            "copy_s": round(self.copy_s, 3),
            "copy_rows_per_s": round(self.copy_rate, 1),
            "ratio_to_copy": round(self.rebuild_rate / self.copy_rate, 3),
            "peak_rss_mib": self.peak_rss_mib,
            "peak_rss_first_half_mib": self.peak_rss_first_half_mib,
            "progress": self.progress,
            "memory": self.memory,
        }


def _head(database_url: str) -> int:
    with connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(max(notification_id), 0) FROM registry_events"
        ).fetchone()
    return int(row[0]) if row else 0


def copy_reference(database_url: str, rows: int, document: str) -> float:
    """Seconds to COPY ``rows`` rows (a key and ``document``) into a new bare table."""
    with connect(database_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE TABLE {} (id bigint PRIMARY KEY, doc jsonb NOT NULL)").format(
                sql.Identifier(COPY_TABLE)
            )
        )
        statement = sql.SQL("COPY {} (id, doc) FROM STDIN").format(sql.Identifier(COPY_TABLE))
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur, cur.copy(statement) as copy:
            for i in range(rows):
                copy.write_row((i, document))
        return time.perf_counter() - started


def rebuild_once(server: str, template_url: str, document: str) -> RebuildRun:
    """Copy the template database, rebuild on the copy, COPY the reference there, drop it."""
    template = template_url.rsplit("/", 1)[-1]
    url = create_database(server, suffix="_copy")
    name = url.rsplit("/", 1)[-1]
    with connect(server, autocommit=True) as conn:  # the copy must come from the template
        conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    url = with_dbname(server, name)
    try:
        events = _head(url)
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        child = ctx.Process(target=_rebuild_child, args=(url, out), name="bench-rebuild")
        child.start()
        with MemorySampler(psutil.Process(child.pid), interval=0.1) as sampler:
            result = out.get(timeout=1800)
            child.join(timeout=60)
        if child.exitcode != 0:
            raise RuntimeError(f"the rebuild process exited with {child.exitcode}")
        points: list[tuple[float, int]] = result["points"]
        copy_s = copy_reference(url, events, document)
        memory = [(round(s.t, 2), round(s.tree_mib, 1)) for s in sampler.samples]
        half = _time_at_half(points, events)
        offset = sampler.samples[-1].t - result["seconds"] if sampler.samples else 0.0
        first_half = [m for t, m in memory if t - offset <= half] or [0.0]
        return RebuildRun(
            events=events,
            rebuild_s=float(result["seconds"]),
            copy_s=copy_s,
            peak_rss_mib=sampler.peak_tree_mib,
            peak_rss_first_half_mib=round(max(first_half), 1),
            progress=points,
            memory=memory,
        )
    finally:
        drop_database(server, url)


def _time_at_half(points: list[tuple[float, int]], events: int) -> float:
    for elapsed, position in points:
        if position >= events / 2:
            return elapsed
    return points[-1][0] if points else 0.0
