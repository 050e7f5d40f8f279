"""CPU seconds per 1,000 requests, by process, for one workload against the checkout it runs in.

A diagnostic beside ``registry bench`` (which measures throughput and latency): run it in two
checkouts, alternated, to see which process a difference between them comes from. It starts
the real processes (``registry serve`` with two web workers, ``registry project``) on a scratch
database, optionally loads it first, then runs the workload three times and prints, per run, the
rate, the median latency and the CPU seconds per 1,000 requests of the web workers, the
projector, every ``postgres`` process on the machine, the lag probe and the whole machine.

Usage, from a checkout's root with its virtualenv::

    PYTHONPATH=. .venv/bin/python bench/scripts/cost_per_request.py create 8 2000
    PYTHONPATH=. .venv/bin/python bench/scripts/cost_per_request.py detail 8 10000 \\
        --seed 10000 --precreate 15000 --prepatch 15000

``--probe`` runs `registry bench`'s live-lag probe (B5) during the workload, as ``make bench``
does during creates. The machine must be otherwise idle: CPU is counted per process, but a busy
machine changes what each process costs.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics

import psutil  # type: ignore[import-untyped]

from bench import cluster as clusters
from bench import seed, workloads
from bench.harness import _wait_caught_up, vacuum_analyze
from bench.load import Send, run_step


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def _tree(pid: int) -> list[psutil.Process]:
    parent = psutil.Process(pid)
    return [parent, *parent.children(recursive=True)]


def _postgres() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if "postgres" in (p.info["name"] or "")]


def _machine() -> float:
    times = psutil.cpu_times()
    return float(times.user + times.nice + times.system)


def main() -> None:
    """Parse the arguments, set up, measure, print, tear down."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=("create", "detail", "patch"))
    parser.add_argument("concurrency", type=int)
    parser.add_argument("requests", type=int)
    parser.add_argument("--seed", type=int, default=0, help="submissions seeded first")
    parser.add_argument("--precreate", type=int, default=300, help="creates over HTTP first")
    parser.add_argument("--prepatch", type=int, default=0, help="PATCHes over HTTP first")
    parser.add_argument("--probe", action="store_true", help="the live-lag probe runs too")
    args = parser.parse_args()

    server = clusters.server_url()
    cluster = clusters.Cluster(clusters.create_database(server))
    url = cluster.database_url
    probe: workloads.LagProbe | None = None
    try:
        clusters.registry_command("migrate", env=cluster.env())
        seeder = seed.open_seeder(url)
        try:
            ref = seed.create_reference(seeder.app)
            probe_id, _ = seed.seed_long_history(seeder.app, seeder.vault, ref, 1)
        finally:
            seeder.close()
        if args.seed:
            seed.seed_parallel(url, ref, args.seed)
        cluster.start("serve", "serve", REGISTRY_WEB_WORKERS="2")
        cluster.start("project", "project")
        cluster.wait_ready()
        _wait_caught_up(url)
        created = workloads.Created()
        run_step(
            cluster.base_url, workloads.create_sender(ref, "pre", created), 32, count=args.precreate
        )
        if args.prepatch:
            run_step(
                cluster.base_url, workloads.patch_sender(created, "pre"), 32, count=args.prepatch
            )
        vacuum_analyze(url)
        web = _tree(cluster.processes["serve"].pid)
        projector = _tree(cluster.processes["project"].pid)
        if args.probe:
            probe = workloads.LagProbe(url, probe_id).__enter__()
        probed = [psutil.Process(probe._process.pid)] if probe and probe._process else []
        per = 1000 / args.requests
        for run in range(3):
            send: Send
            if args.workload == "create":
                send = workloads.create_sender(ref, f"run-{run}", created)
            elif args.workload == "patch":
                send = workloads.patch_sender(created, f"run-{run}")
            else:
                send = workloads.detail_sender(created)
            postgres = _postgres()
            before = (_cpu(web), _cpu(projector), _cpu(postgres), _cpu(probed), _machine())
            with probe.during(args.concurrency) if probe else contextlib.nullcontext():
                result = run_step(cluster.base_url, send, args.concurrency, count=args.requests)
            after = (_cpu(web), _cpu(projector), _cpu(postgres), _cpu(probed), _machine())
            web_s, projector_s, postgres_s, probe_s, machine_s = (
                (b - a) * per for a, b in zip(before, after, strict=True)
            )
            print(
                f"{args.workload} c={args.concurrency}: {args.requests / result.seconds:7.1f}/s,"
                f" p50 {statistics.median(result.latencies) * 1000:6.2f} ms, errors"
                f" {result.errors}; CPU s per 1,000: web {web_s:.2f}, projector"
                f" {projector_s:.2f}, postgres {postgres_s:.2f}, probe {probe_s:.2f},"
                f" machine {machine_s:.2f}",
                flush=True,
            )
    finally:
        if probe is not None:
            probe.__exit__(None, None, None)
        cluster.close()
        clusters.drop_database(server, url)


if __name__ == "__main__":
    main()
