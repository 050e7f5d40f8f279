"""CPU seconds per 1,000 requests, by process, for one workload against the checkout it runs in.

A diagnostic beside ``registry bench`` (which measures throughput and latency): run it in two
checkouts, alternated, to see which process a difference between them comes from. It sets up as
``registry bench`` does (``bench.harness.prepare``: scratch database, reference data, ``registry
serve`` with two web workers, ``registry project``), optionally loads it first, then runs the
workload three times and prints, per run, the rate, the median latency and the CPU seconds per
1,000 requests of each group ``bench.memory.CpuMeter`` counts (web workers, projector, load
generator, every ``postgres`` process on the machine, the whole machine) and of the lag probe.

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

from bench import workloads
from bench.harness import scratch, vacuum_analyze
from bench.load import Send, run_step
from bench.memory import CpuMeter
from bench.plan import Plan


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

    plan = Plan("cost", 3, {}, {}, args.seed, 0, history_changes=1)
    with scratch(plan) as (cluster, prep):
        created = prep.created
        run_step(
            cluster.base_url,
            workloads.create_sender(prep.ref, "pre", created),
            32,
            count=args.precreate,
        )
        if args.prepatch:
            run_step(
                cluster.base_url, workloads.patch_sender(created, "pre"), 32, count=args.prepatch
            )
        vacuum_analyze(cluster.database_url)
        roots = {
            "web": psutil.Process(cluster.processes["serve"].pid),
            "projector": psutil.Process(cluster.processes["project"].pid),
        }
        with contextlib.ExitStack() as stack:
            probe = None
            if args.probe:
                probe = stack.enter_context(workloads.LagProbe(cluster.database_url, prep.probe_id))
                if probe._process is not None:
                    roots["probe"] = psutil.Process(probe._process.pid)
            for run in range(plan.repeats):
                send: Send
                if args.workload == "create":
                    send = workloads.create_sender(prep.ref, f"run-{run}", created)
                elif args.workload == "patch":
                    send = workloads.patch_sender(created, f"run-{run}")
                else:
                    send = workloads.detail_sender(created)
                with (
                    CpuMeter(roots) as meter,
                    probe.during(args.concurrency) if probe else contextlib.nullcontext(),
                ):
                    result = run_step(cluster.base_url, send, args.concurrency, count=args.requests)
                per = {name: used * 1000 / args.requests for name, used in meter.seconds.items()}
                rate = args.requests / result.seconds
                print(
                    f"{args.workload} c={args.concurrency}: {rate:7.1f}/s,"
                    f" p50 {statistics.median(result.latencies) * 1000:6.2f} ms, errors"
                    f" {result.errors}; CPU s per 1,000: "
                    + ", ".join(f"{name} {used:.2f}" for name, used in per.items()),
                    flush=True,
                )


if __name__ == "__main__":
    main()
