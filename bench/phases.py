"""The measured phases: writes (B1 with B5), reads (B3 with B6), references, rebuilds (B4)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import orjson
import psutil  # type: ignore[import-untyped]

from bench import cluster as clusters
from bench import reference, seed, workloads
from bench.load import Send, run_open, run_step
from bench.memory import MemorySampler
from bench.plan import READ_CONCURRENCY, WRITE_CONCURRENCY, Plan, Prepared, Raw, say
from bench.plan import step_summary as _summary
from bench.rebuild import RebuildRun, newest_version, rebuild_once
from bench.stats import Summary, combine, spread, summarise


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


def open_loop(cluster: clusters.Cluster, plan: Plan, prep: Prepared, raw: Raw) -> dict[str, Any]:
    """Creates and detail GETs at the plan's fixed arrival rates (open loop, ``run_open``):
    latency from each request's due instant, so the p50/p99 include queueing."""
    out: dict[str, Any] = {}
    for name, (rate, n) in plan.open_loop.items():
        runs: list[Summary] = []
        for rep in range(plan.repeats):
            say(f"open loop {name}: run {rep + 1}/{plan.repeats}, {rate:,.0f}/s, {n} requests")
            send: Send
            if name == "create":
                send = workloads.create_sender(prep.ref, f"open-{rep}", prep.created)
            else:
                send = workloads.detail_sender(prep.created)
            result = run_open(cluster.base_url, send, rate, n)
            runs.append(_summary(result, f"open-{name}"))
            raw.latencies[f"open {name}"] = result.latencies
        out[name] = {"rate": rate, "http": combine(runs)}
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
            if key in results:
                results[key][f"c{c}"]["reference"] = combine(runs)
    if "b1" in results:
        template = reference.create_minimal_tables(url, prep.probe_id)
        for c in WRITE_CONCURRENCY:
            runs = []
            for rep in range(plan.repeats):
                say(f"reference minimal create: run {rep + 1}/{plan.repeats}, concurrency {c}")
                result = reference.minimal_creates(url, template, c, plan.writes[c])
                runs.append(_summary(result, f"minimal-{c}"))
            results["b1"][f"c{c}"]["minimal"] = combine(runs)
    if "b3" not in results:
        return
    for name, c, _send, (statement, params) in _reads_plan(prep):
        runs = []
        for rep in range(plan.repeats):
            say(f"reference SELECT {name}: run {rep + 1}/{plan.repeats}, concurrency {c}")
            result = reference.raw_selects(url, statement, params, c, plan.reads[name])
            runs.append(_summary(result, f"select-{name}"))
        results["b3"][name]["reference"] = combine(runs)


def rebuilds(server: str, plan: Plan, document: dict[str, Any] | None, raw: Raw) -> dict[str, Any]:
    """B4 (and the runner's memory, B6) on a seeded template database and copies of it.

    ``document`` is the row the COPY reference writes (a projected submission); without one
    (a rebuild-only run) a create payload of the same shape stands in."""
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
        text = orjson.dumps(document or seed.payload(ref, "Bench service rebuild")).decode()
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
