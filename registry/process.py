"""The long-running processes: each builds its parts, runs until told to stop, then stops them.

``run_all`` is ``registry up``: the embedded database, the HTTP API, the projection runners, a
Dramatiq worker with the side-effect follower, and the scheduler, all in one process.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import dramatiq
import uvicorn

from projections.progress import ProgressListener
from projections.projectors import PROJECTORS
from projections.runner import Runner
from registry import setup
from registry.failures import bind
from registry.heartbeat import Heartbeat, heartbeat_file
from registry.metrics_server import MetricsServer
from registry.probes import readiness_probes
from registry.progress import Progress
from registry.runtime import (
    Database,
    Services,
    broker_url,
    check_database,
    open_database,
    opened,
)
from registry.webapp import GaugeFeeder, build_app
from schema.settings import Settings
from web.metrics import Metrics, MetricsAccess

log = logging.getLogger("registry")


@dataclass
class _Threads:
    """Background loops sharing one stop event."""

    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, name: str, target: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=target, args=(self.stop,), name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)


def start_worker(broker: dramatiq.Broker, threads: int) -> dramatiq.Worker:
    """A running Dramatiq worker on ``broker``, started the way ``dramatiq``'s own CLI does:
    the process-boot hooks first. They start the TimeLimit middleware's watchdog; without them
    no actor's ``time_limit`` is ever enforced."""
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=1000)
    worker.start()
    return worker


@contextlib.contextmanager
def _worker(
    settings: Settings,
    database: Database,
    services: Services,
    metrics: Metrics | None = None,
) -> Iterator[dramatiq.Worker]:
    """A Dramatiq worker in this process, plus the follower that feeds it after commit."""
    from workers import runtime
    from workers.broker import make_broker
    from workers.outcomes import JobOutcomes
    from workers.wiring import build_context, build_follower

    broker = make_broker(
        broker_url(settings, database),
        heartbeat_timeout=settings.broker_heartbeat_timeout,
        maintenance_chance=settings.broker_maintenance_chance,
        pool_size=settings.broker_pool_size,
    )
    if metrics is not None:
        jobs = metrics.worker_jobs
        broker.add_middleware(JobOutcomes(lambda a, o: jobs.labels(actor=a, outcome=o).inc()))
    runtime.configure(lambda: build_context(services.registry, settings, services.pool))
    from workers import actors  # noqa: F401 - declares the actors on the broker just made

    worker = start_worker(broker, settings.worker_threads)
    loops = _Threads()
    loops.start("side-effects", build_follower(database.url, services.registry).run)
    try:
        yield worker
    finally:
        loops.join()
        worker.stop(timeout=10_000)
        broker.close()
        runtime.reset()


def _scheduler(settings: Settings, database: Database, services: Services) -> _Threads:
    from workers import scheduler
    from workers.wiring import scheduled_jobs

    jobs = scheduled_jobs(database.url, services.registry, settings)
    loops = _Threads()
    loops.start("scheduler", lambda stop: scheduler.run(database.url, jobs, stop))
    return loops


def run_all(settings: Settings) -> int:
    """``registry up``: everything in one process until SIGINT/SIGTERM."""
    # The port first: when it is taken, nothing is started and nothing claims to listen.
    sock = tcp_socket(settings.host, settings.port)
    with contextlib.ExitStack() as stack:
        stack.callback(sock.close)
        if settings.embedded:
            print(f"registry: data in {settings.data_dir}", flush=True)
        database = open_database(settings)
        stack.callback(database.close)
        setup.migrate(database.url, settings)
        services = Services(database.url, settings)
        stack.callback(services.close)
        runner = Runner(
            database.url,
            services.registry,
            PROJECTORS,
            auto_promote=settings.promote_automatically,
            poll_interval=0.5,
        )
        runner.start()
        stack.callback(runner.stop)
        progress = ProgressListener(database.url)
        stack.callback(progress.close)
        metrics = Metrics()
        stack.callback(GaugeFeeder(database.url, metrics).close)
        stack.enter_context(_worker(settings, database, services, metrics))
        stack.callback(_scheduler(settings, database, services).join)
        broker = broker_url(settings, database)
        probes = readiness_probes(services.pool, database.url, broker)
        app = build_app(settings, services, progress, probes, metrics, broker)
        base = f"http://{settings.host}:{sock.getsockname()[1]}"  # --port 0: the one given
        if settings.smtp_url is None:
            print(f"registry: mail goes to {settings.data_dir / 'outbox'}", flush=True)
        print(f"registry: API documents at {base}/api/docs/", flush=True)
        print(f"registry: listening on {base}", flush=True)
        _serve(app, sock)
        print("registry: stopping", flush=True)
    return 0


#: uvicorn on libuv's event loop with the C HTTP parser (both dependencies): named, not "auto",
#: so a missing one fails at start instead of silently serving at a fraction of the rate.
FAST: dict[str, Any] = {"loop": "uvloop", "http": "httptools"}

#: What every uvicorn of the registry is given besides its app and address. uvicorn's own
#: access log is off (``web.requestid`` writes a structured line per request) and so is its
#: proxy-header handling: by default it believes X-Forwarded-For from 127.0.0.1 and rewrites
#: the peer address, so any local client could forge its address; ``web.clientip`` decides
#: instead, from REGISTRY_TRUSTED_PROXIES.
UVICORN: dict[str, Any] = {
    **FAST,
    "log_config": None,
    "access_log": False,
    "proxy_headers": False,
}


def _serve(app: Any, sock: socket.socket) -> None:
    config = uvicorn.Config(app, **UVICORN)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal so the
    # default handler can run; here the caller still has parts to stop, so it ends normally.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])


def tcp_socket(host: str, port: int) -> socket.socket:
    """A listening socket created explicitly as TCP.

    uvicorn binds its multi-worker socket with protocol 0, and asyncio only sets TCP_NODELAY on
    accepted connections of sockets whose protocol is TCP: without it, Nagle's algorithm and the
    client's delayed ACK held every response back by about 40 ms (measured by the benchmark).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    bind(sock, host, port)
    return sock


def serve(settings: Settings) -> int:
    """``registry serve``: uvicorn with ``REGISTRY_WEB_WORKERS`` processes (a listening socket
    each, see `registry.reuseport`). The workers read their settings from the environment, so
    ``--host``/``--port`` only decide where this process listens."""
    from registry.reuseport import ReusePortMultiprocess

    if settings.database_url is not None:
        check_database(settings.database_url)  # once here, not as a crash loop of workers
    config = uvicorn.Config(
        "registry.webapp:create_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.web_workers,
        **UVICORN,
    )
    if settings.web_workers > 1:
        supervisor = ReusePortMultiprocess(config, settings.host, settings.port)
        with _shared_metrics():
            print(f"registry: listening on http://{settings.host}:{settings.port}", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                supervisor.run()
        return 0
    sock = tcp_socket(settings.host, settings.port)
    print(f"registry: listening on http://{settings.host}:{settings.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
    return 0


@contextlib.contextmanager
def _shared_metrics() -> Iterator[None]:
    """A fresh ``PROMETHEUS_MULTIPROC_DIR`` for the web workers about to be started (they
    inherit the environment), removed when they have stopped: see ``web.metrics``."""
    shared = tempfile.mkdtemp(prefix="registry-metrics-")
    previous = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = shared
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        else:
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = previous
        shutil.rmtree(shared, ignore_errors=True)


def _metrics_server(
    settings: Settings, port: int | None, metrics: Metrics
) -> contextlib.AbstractContextManager[object]:
    """``/metrics`` of this process on ``port`` (nothing when None)."""
    if port is None:
        return contextlib.nullcontext()
    access = MetricsAccess(settings.metrics_token, settings.metrics_allow)
    server = MetricsServer(metrics, access, settings.host, port)
    log.info("metrics served", extra={"address": f"{settings.host}:{server.port}"})
    return contextlib.closing(server)


def project(settings: Settings, stop: threading.Event) -> int:
    """``registry project``: the projection runners until ``stop`` is set."""
    metrics = Metrics()
    with (
        _metrics_server(settings, settings.project_metrics_port, metrics),
        opened(settings, pool_size=settings.projector_pool_size) as (database, services),
    ):
        runner = Runner(
            database.url,
            services.registry,
            PROJECTORS,
            auto_promote=settings.promote_automatically,
        )
        runner.start()
        feeder = GaugeFeeder(database.url, metrics)
        try:
            stop.wait()
        finally:
            feeder.close()
            runner.stop()
    return 0


def work(settings: Settings, stop: threading.Event) -> int:
    """``registry worker``: Dramatiq workers and the side-effect follower until ``stop``."""
    metrics = Metrics()
    with (
        _metrics_server(settings, settings.worker_metrics_port, metrics),
        opened(settings, pool_size=settings.worker_pool_size) as (database, services),
        _worker(settings, database, services, metrics) as worker,
    ):

        def alive() -> bool:
            threads = [*worker.workers, *worker.consumers.values()]
            return bool(threads) and all(thread.is_alive() for thread in threads)

        beat = Heartbeat(heartbeat_file(settings.data_dir, "worker"), alive)
        try:
            stop.wait()
        finally:
            beat.close()
    return 0


def schedule(settings: Settings, stop: threading.Event) -> int:
    """``registry schedule``: the periodic jobs (one active instance) until ``stop``; returns 1
    if the scheduling loop ends on its own (an error: it is logged)."""
    from workers import scheduler
    from workers.wiring import scheduled_jobs

    with opened(settings) as (database, services):
        jobs = scheduled_jobs(database.url, services.registry, settings)
        loop = threading.Thread(
            target=scheduler.run, args=(database.url, jobs, stop), name="scheduler"
        )
        loop.start()
        beat = Heartbeat(heartbeat_file(settings.data_dir, "schedule"), loop.is_alive)
        try:
            while loop.is_alive() and not stop.wait(1.0):
                pass
        finally:
            ended_by_itself = not stop.is_set()
            beat.close()
            stop.set()
            loop.join()
    return 1 if ended_by_itself else 0


def biotools_sync(settings: Settings, args: argparse.Namespace) -> int:
    """``registry biotools sync``: fetch now, in this process, with progress output."""
    import psycopg

    from workers.biotools_client import BioToolsClient
    from workers.refresh import linked_submission_ids, refresh_biotools
    from workers.registry_adapter import RegistryLinks

    with opened(settings) as (database, services):
        if args.all:
            with psycopg.connect(database.url) as conn:
                ids = linked_submission_ids(conn)
        else:
            ids = [args.submission]
        print(f"registry: {len(ids)} linked submission(s) to sync", flush=True)
        if args.dry_run:
            print("\n".join(ids))
            return 0
        progress = Progress("biotools sync", len(ids))
        with BioToolsClient(settings.biotools_url) as client:
            summary = refresh_biotools(
                ids, RegistryLinks(services.registry), client, progress=progress.advance
            )
        progress.finish()
        print(f"registry: {summary}", flush=True)
    return 0
