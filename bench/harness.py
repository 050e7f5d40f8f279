"""``registry bench``: set up, load, measure B1–B6 next to their references, tear down, report."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import psutil  # type: ignore[import-untyped]
import psycopg

from bench import cluster as clusters
from bench import reference, seed, workloads
from bench.load import Send, StepResult, run_step
from bench.memory import CpuMeter, MemorySampler
from bench.rebuild import RebuildRun, newest_version, rebuild_once
from bench.stats import Summary, combine, summarise

RESULTS = Path(__file__).resolve().parent / "results"
WRITE_CONCURRENCY = (1, 8, 32)
READ_CONCURRENCY = 8


@dataclass(frozen=True)
class Plan:
    """How much of everything one run does."""

    name: str
    repeats: int
    writes: dict[int, int]
    reads: dict[str, int]
    list_seed: int
    rebuild_submissions: int
    history_changes: int = 1000


QUICK = Plan(
    "quick",
    1,
    {1: 100, 8: 300, 32: 300},
    {"detail": 600, "list_page_1": 300, "list_page_50": 300, "history": 60, "as_of": 60},
    4_000,
    10_000,
)
FULL = Plan(
    "full",
    3,
    {1: 200, 8: 1_000, 32: 1_000},
    {"detail": 1_500, "list_page_1": 800, "list_page_50": 800, "history": 200, "as_of": 150},
    10_000,
    100_000,
)


def say(message: str) -> None:
    """Progress on stderr."""
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


@dataclass
class Prepared:
    """What the workloads need from the set-up."""

    ref: seed.Reference
    admin_key: str
    long_id: UUID
    middle: datetime
    probe_id: UUID
    document: dict[str, Any]
    created: workloads.Created = field(default_factory=workloads.Created)


@dataclass
class Raw:
    """Per-request latencies of the last repetition of each step (for the plots)."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    lags: dict[int, list[float]] = field(default_factory=dict)
    rebuild: RebuildRun | None = None


def _summary(result: StepResult, label: str) -> Summary:
    if result.errors:
        say(f"{label}: {result.errors} errors, first: {result.first_error}")
    return summarise(result.latencies, result.errors, result.seconds)


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
    reference.create_raw_table(url)
    with clusters.connect(url) as conn:
        row = conn.execute("SELECT doc FROM submissions WHERE id = %s", (probe_id,)).fetchone()
    assert row is not None
    return Prepared(ref, admin_key, long_id, middle, probe_id, dict(row[0]))


def writes(
    cluster: clusters.Cluster, plan: Plan, prep: Prepared, raw: Raw, kind: str
) -> dict[str, Any]:
    """B1 (``kind='create'``, with the B5 probe) or B2 (``'patch'``) at every concurrency."""
    http: dict[int, list[Summary]] = {c: [] for c in WRITE_CONCURRENCY}
    with contextlib.ExitStack() as stack:
        probe = None
        if kind == "create":
            probe = stack.enter_context(workloads.LagProbe(cluster.database_url, prep.probe_id))
            if probe.error:
                say(f"the lag probe could not start: {probe.error}")
        for rep in range(plan.repeats):
            for c in WRITE_CONCURRENCY:
                n, label = plan.writes[c], f"{kind}-{rep}-{c}"
                say(f"{kind}: run {rep + 1}/{plan.repeats}, concurrency {c}, {n} requests")
                send: Send
                if kind == "create":
                    send = workloads.create_sender(prep.ref, label, prep.created)
                else:
                    send = workloads.patch_sender(prep.created, label)
                with probe.during(c) if probe else contextlib.nullcontext():
                    result = run_step(cluster.base_url, send, c, count=n)
                http[c].append(_summary(result, label))
                raw.latencies[f"{kind} c={c}"] = result.latencies
    out: dict[str, Any] = {}
    for c in WRITE_CONCURRENCY:
        out[f"c{c}"] = {"concurrency": c, "http": combine(http[c])}
        if probe is not None:
            lags, timeouts = probe.lags.get(c, []), probe.timeouts.get(c, 0)
            raw.lags[c] = lags
            lag = summarise(lags, timeouts, 1.0).as_dict()
            out[f"c{c}"]["live_lag"] = {**lag, "timeouts": timeouts, "probe_error": probe.error}
    return out


Statement = tuple[str, Callable[[int], Sequence[Any]]]


def _reads_plan(prep: Prepared) -> list[tuple[str, int, Send, Statement]]:
    base = workloads.SUBMISSIONS
    ids = [UUID(i) for i, _ in prep.created.items]
    detail_sql = "SELECT * FROM submissions WHERE id = %s"
    list_sql = (
        "SELECT * FROM submissions s WHERE s.status = %s AND s.year_established = %s"
        " ORDER BY s.submitted_at DESC, s.id DESC LIMIT 20 OFFSET %s"
    )
    history_sql = "SELECT * FROM submission_history WHERE submission_id = %s ORDER BY position"
    events_sql = (
        "SELECT * FROM registry_events WHERE originator_id = %s ORDER BY originator_version"
    )
    long_path = f"{base}{prep.long_id}/"
    key = prep.admin_key
    long_id = (prep.long_id,)
    return [
        (
            "detail",
            READ_CONCURRENCY,
            workloads.detail_sender(prep.created),
            (detail_sql, lambda i: (ids[i % len(ids)],)),
        ),
        (
            "list_page_1",
            READ_CONCURRENCY,
            workloads.get_sender(base, key, workloads.list_params(1)),
            (list_sql, lambda i: ("submitted", 2020, 0)),
        ),
        (
            "list_page_50",
            READ_CONCURRENCY,
            workloads.get_sender(base, key, workloads.list_params(50)),
            (list_sql, lambda i: ("submitted", 2020, 980)),
        ),
        (
            "history",
            1,
            workloads.get_sender(f"{long_path}history/", key),
            (history_sql, lambda i: long_id),
        ),
        (
            "as_of",
            1,
            workloads.get_sender(long_path, key, workloads.as_of_param(prep.middle)),
            (events_sql, lambda i: long_id),
        ),
    ]


def reads(cluster: clusters.Cluster, plan: Plan, prep: Prepared, raw: Raw) -> dict[str, Any]:
    """B3 over HTTP, with the web workers' memory sampled (B6)."""
    serve = cluster.processes["serve"]
    out: dict[str, Any] = {}
    with MemorySampler(psutil.Process(serve.pid), interval=0.1) as sampler:
        for name, c, send, _statement in _reads_plan(prep):
            http: list[Summary] = []
            n = plan.reads[name]
            for rep in range(plan.repeats):
                say(f"{name}: run {rep + 1}/{plan.repeats}, concurrency {c}, {n} requests")
                result = run_step(cluster.base_url, send, c, count=n)
                http.append(_summary(result, name))
                raw.latencies[name] = result.latencies
            out[name] = {"concurrency": c, "http": combine(http)}
    out["web_memory"] = {
        "peak_worker_rss_mib": sampler.peak_process_mib,
        "peak_tree_rss_mib": sampler.peak_tree_mib,
    }
    return out


def references(url: str, plan: Plan, prep: Prepared, results: dict[str, Any]) -> None:
    """The physical references of B1–B3 on the same database, once the processes are stopped
    (their idle pools would otherwise hold connections the 32 reference connections need)."""
    for c in WRITE_CONCURRENCY:
        runs: list[Summary] = []
        for rep in range(plan.repeats):
            say(f"reference INSERT+COMMIT: run {rep + 1}/{plan.repeats}, concurrency {c}")
            result = reference.raw_inserts(url, prep.document, c, plan.writes[c])
            runs.append(_summary(result, f"insert-{c}"))
        for key in ("b1", "b2"):
            results[key][f"c{c}"]["reference"] = combine(runs)
    for name, c, _send, (statement, params) in _reads_plan(prep):
        runs = []
        for rep in range(plan.repeats):
            say(f"reference SELECT {name}: run {rep + 1}/{plan.repeats}, concurrency {c}")
            result = reference.raw_selects(url, statement, params, c, plan.reads[name])
            runs.append(_summary(result, f"select-{name}"))
        results["b3"][name]["reference"] = combine(runs)


def rebuilds(server: str, plan: Plan, document: dict[str, Any], raw: Raw) -> dict[str, Any]:
    """B4 (and the runner's memory, B6) on a seeded template database and copies of it."""
    template = clusters.create_database(server, suffix="_log")
    try:
        clusters.registry_command("migrate", env=clusters.registry_env(template))
        seeder = seed.open_seeder(template)
        try:
            ref = seed.create_reference(seeder.app)
        finally:
            seeder.close()
        say(f"seeding the rebuild log: {plan.rebuild_submissions} submissions x 5 events")
        started = time.perf_counter()
        events = seed.seed_parallel(template, ref, plan.rebuild_submissions)
        seed_s = time.perf_counter() - started
        say(f"seeded {events} events in {seed_s:.1f} s")
        runs: list[RebuildRun] = []
        text = orjson.dumps(document).decode()
        for rep in range(plan.repeats):
            say(f"rebuild: run {rep + 1}/{plan.repeats}")
            runs.append(rebuild_once(server, template, text))
            say(
                f"rebuild {runs[-1].rebuild_rate:,.0f} events/s,"
                f" COPY {runs[-1].copy_rate:,.0f} rows/s, peak {runs[-1].peak_rss_mib} MiB"
            )
    finally:
        clusters.drop_database(server, template)
    raw.rebuild = runs[-1]
    from bench.stats import spread

    return {
        "submissions": plan.rebuild_submissions,
        "version": newest_version(),
        "seed_events": events,
        "seed_s": round(seed_s, 2),
        "runs": [r.as_dict() for r in runs],
        "rebuild_events_per_s": spread([r.rebuild_rate for r in runs]).as_dict(),
        "copy_rows_per_s": spread([r.copy_rate for r in runs]).as_dict(),
        "ratio_to_copy": spread([r.rebuild_rate / r.copy_rate for r in runs]).as_dict(),
        "peak_rss_mib": spread([r.peak_rss_mib for r in runs]).as_dict(),
        "peak_rss_first_half_mib": spread([r.peak_rss_first_half_mib for r in runs]).as_dict(),
    }


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


def run(*, quick: bool) -> int:
    """Run the whole benchmark; write the result files; 0 on success."""
    from bench import report

    plan = QUICK if quick else FULL
    server = clusters.server_url()
    started = datetime.now(UTC)
    results: dict[str, Any] = {"started": started.isoformat(), "meta": _meta(plan, server)}
    raw = Raw()
    cluster = clusters.Cluster(clusters.create_database(server))
    say(f"database {cluster.database_url.rsplit('/', 1)[-1]}, plan {plan.name}")
    try:
        prep = prepare(cluster, plan)
        cpu: dict[str, dict[str, float]] = {}
        roots = {
            "web": psutil.Process(cluster.processes["serve"].pid),
            "projector": psutil.Process(cluster.processes["project"].pid),
        }
        with CpuMeter(roots) as meter:
            results["b1"] = writes(cluster, plan, prep, raw, "create")
        cpu["b1"] = meter.cores
        with CpuMeter(roots) as meter:
            results["b2"] = writes(cluster, plan, prep, raw, "patch")
        cpu["b2"] = meter.cores
        with CpuMeter(roots) as meter:
            results["b3"] = reads(cluster, plan, prep, raw)
        cpu["b3"] = meter.cores
        results["cpu_cores_busy"] = cpu
        killed = cluster.close()
        if killed:
            say(f"had to kill {killed}")
        references(cluster.database_url, plan, prep, results)
        results["b4"] = rebuilds(server, plan, prep.document, raw)
    finally:
        cluster.close()
        clusters.drop_database(server, cluster.database_url)
    results["finished"] = datetime.now(UTC).isoformat()
    results["meta"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    results["verdicts"] = report.verdicts(results)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    paths = report.write(RESULTS, stamp, results, raw)
    for path in paths:
        say(f"wrote {path}")
    print(report.markdown(results, stamp))
    return 0
