"""``registry bench``: set up, load, measure B1–B6 next to their references, tear down, report."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psutil  # type: ignore[import-untyped]
import psycopg

from bench import cluster as clusters
from bench import reference, seed
from bench.memory import CpuMeter
from bench.phases import open_loop, reads, rebuilds, references, writes
from bench.plan import FULL, QUICK, RESULTS, Plan, Prepared, Raw, say


def _wait_caught_up(database_url: str, timeout: float = 300) -> None:
    from projections import operations

    deadline = time.monotonic() + timeout
    behind: list[str] = []
    while time.monotonic() < deadline:
        try:
            behind = [
                f"{s.name} v{s.version} ({s.state}, lag {s.lag})"
                for s in operations.status(database_url)
                if s.state in ("live", "building") and (s.lag > 0 or s.failed_at is not None)
            ]
        except psycopg.OperationalError:  # no free connection slot on the shared server
            behind = ["(no connection)"]
        if not behind:
            return
        time.sleep(0.5)
    raise clusters.BenchError(f"projections not caught up: {behind}")


def vacuum_analyze(database_url: str) -> None:
    """What autovacuum would have done after the seeding and after each phase's writes:
    planner statistics, visibility maps and GIN pending lists cleaned, dead rows reclaimed. The
    CI server this runs on has ``autovacuum = off``; a production server has it on, and a
    benchmark without it measures a database no deployment would serve from."""
    with clusters.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def prepare(cluster: clusters.Cluster, plan: Plan) -> Prepared:
    """Migrate, seed through the domain, issue an admin key, start the processes."""
    url = cluster.database_url
    clusters.registry_command("migrate", env=cluster.env())
    seeder = seed.open_seeder(url)
    try:
        ref = seed.create_reference(seeder.app)
        long_id, middle = seed.seed_long_history(
            seeder.app, seeder.vault, ref, plan.history_changes
        )
        probe_id, _ = seed.seed_long_history(seeder.app, seeder.vault, ref, 1)
    finally:
        seeder.close()
    say(f"seeding {plan.list_seed} submissions for the list pages")
    seed.seed_parallel(url, ref, plan.list_seed)
    out = clusters.registry_command(
        "admin-keys", "create", "--label", "bench", "--scope", "full", env=cluster.env()
    )
    admin_key = out.strip().splitlines()[-1]
    cluster.start("serve", "serve", REGISTRY_WEB_WORKERS="2")
    cluster.start("project", "project")
    cluster.wait_ready()
    _wait_caught_up(url)
    vacuum_analyze(url)
    reference.create_raw_table(url)
    with clusters.connect(url) as conn:
        row = conn.execute("SELECT doc FROM submissions WHERE id = %s", (probe_id,)).fetchone()
    assert row is not None
    return Prepared(ref, admin_key, long_id, middle, probe_id, dict(row[0]))


@contextlib.contextmanager
def scratch(plan: Plan) -> Iterator[tuple[clusters.Cluster, Prepared]]:
    """A scratch database set up by :func:`prepare` for ``plan``, with its processes running;
    stopped and dropped on the way out (the diagnostic scripts in ``bench/scripts``)."""
    server = clusters.server_url()
    cluster = clusters.Cluster(clusters.create_database(server))
    try:
        yield cluster, prepare(cluster, plan)
    finally:
        cluster.close()
        clusters.drop_database(server, cluster.database_url)


def _http_phases(
    cluster: clusters.Cluster,
    plan: Plan,
    prep: Prepared,
    raw: Raw,
    results: dict[str, Any],
    chosen: frozenset[str],
) -> None:
    """B1–B3 (those chosen) against the running processes, with the CPU each used."""
    roots = {
        "web": psutil.Process(cluster.processes["serve"].pid),
        "projector": psutil.Process(cluster.processes["project"].pid),
    }
    cpu: dict[str, dict[str, float]] = {}
    steps = (("b1", "create"), ("b2", "patch"), ("b3", "reads"))
    for key, phase in steps:
        if phase not in chosen:
            continue
        # Each phase starts from a vacuumed database (the writes before it leave dead rows and no
        # visibility map where autovacuum is off), outside the measured steps.
        vacuum_analyze(cluster.database_url)
        with CpuMeter(roots) as meter:
            if phase == "reads":
                results[key] = reads(cluster, plan, prep, raw)
            else:
                results[key] = writes(cluster, plan, prep, raw, phase)
        cpu[key] = meter.cores
    if "reads" in chosen and plan.open_loop:
        vacuum_analyze(cluster.database_url)
        results["open_loop"] = open_loop(cluster, plan, prep, raw)
    results["cpu_cores_busy"] = cpu


def _meta(plan: Plan, server: str) -> dict[str, Any]:
    import platform
    import shutil
    import subprocess

    with clusters.connect(server, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    git = shutil.which("git") or "git"
    commit = subprocess.run(  # noqa: S603 - a fixed git query
        [git, "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=RESULTS.parent.parent,
    ).stdout.strip()
    return {
        "plan": plan.name,
        "repeats": plan.repeats,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": row[0] if row else "?",
        "commit": commit,
        "web_workers": 2,
        "command": "make bench-quick" if plan.name == "quick" else "make bench",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


#: Approved services of the ``pages`` phase (the spec's budgets are stated for 300).
PAGES_FULL, PAGES_QUICK = 300, 60

#: The phases ``--only`` can pick; a run without it does all of them.
PHASES = ("create", "patch", "reads", "rebuild", "pages")


def run(*, quick: bool, only: frozenset[str] | None = None) -> int:
    """Run the benchmark (every phase, or those in ``only``); write the result files; 0 on
    success. A partial run (``only``) writes its files under ``bench/results/partial/``: it is
    a development tool, never the README's table."""
    from bench import report

    plan = QUICK if quick else FULL
    chosen = frozenset(PHASES) if only is None else only
    if "patch" in chosen or "reads" in chosen:
        chosen |= {"create"}  # PATCHes and detail GETs draw from the created submissions
    server = clusters.server_url()
    started = datetime.now(UTC)
    results: dict[str, Any] = {"started": started.isoformat(), "meta": _meta(plan, server)}
    raw = Raw()
    cluster = clusters.Cluster(clusters.create_database(server))
    say(f"database {cluster.database_url.rsplit('/', 1)[-1]}, plan {plan.name}")
    try:
        prep: Prepared | None = None
        if chosen & {"create", "patch", "reads"}:
            prep = prepare(cluster, plan)
            _http_phases(cluster, plan, prep, raw, results, chosen)
            killed = cluster.close()
            if killed:
                say(f"had to kill {killed}")
            references(cluster.database_url, plan, prep, results)
        if "rebuild" in chosen:
            document = prep.document if prep is not None else None
            results["b4"] = rebuilds(server, plan, document, raw)
        if "pages" in chosen:  # the web pages beside the API (spec/ui.md §2.6), in-process
            from bench import pages

            say("pages: seeding approved services")
            results["pages"] = pages.measure(PAGES_QUICK if quick else PAGES_FULL, server)
    finally:
        cluster.close()
        clusters.drop_database(server, cluster.database_url)
    results["finished"] = datetime.now(UTC).isoformat()
    results["meta"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    results["meta"]["phases"] = sorted(chosen)
    results["verdicts"] = report.verdicts(results)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    directory = RESULTS if only is None else RESULTS / "partial"
    directory.mkdir(parents=True, exist_ok=True)
    paths = report.write(directory, stamp, results, raw, draw_plots=only is None)
    for path in paths:
        say(f"wrote {path}")
    print(report.markdown(results, stamp))
    if "pages" in results:
        from bench import pages

        count = PAGES_QUICK if quick else PAGES_FULL
        print("\n" + pages.table(results["pages"], count))
    return 0
