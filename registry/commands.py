"""The handlers of the ``registry`` sub-commands (see ``registry.cli`` for the parser)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from schema.settings import Settings

log = logging.getLogger("registry")

Handler = Callable[[Settings, argparse.Namespace], int]


@contextmanager
def _until_signalled() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM, with the previous handlers restored afterwards."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def migrate(settings: Settings, args: argparse.Namespace) -> int:
    """Create the event store, read tables, support tables and reference data once."""
    from registry import setup
    from registry.runtime import open_database

    database = open_database(settings)
    try:
        setup.migrate(database.url, settings)
    finally:
        database.close()
    return 0


def up(settings: Settings, args: argparse.Namespace) -> int:
    """Everything in one process: the embedded default."""
    from registry import process

    return process.run_all(settings)


def serve(settings: Settings, args: argparse.Namespace) -> int:
    """The HTTP API under uvicorn."""
    from registry import process

    return process.serve(settings)


def project(settings: Settings, args: argparse.Namespace) -> int:
    """The projection runners until SIGINT/SIGTERM."""
    from registry import process

    with _until_signalled() as stop:
        return process.project(settings, stop)


def worker(settings: Settings, args: argparse.Namespace) -> int:
    """Dramatiq workers (and the side-effect follower) until SIGINT/SIGTERM."""
    from registry import process

    with _until_signalled() as stop:
        return process.work(settings, stop)


def schedule(settings: Settings, args: argparse.Namespace) -> int:
    """The periodic scheduler until SIGINT/SIGTERM."""
    from registry import process

    with _until_signalled() as stop:
        return process.schedule(settings, stop)


def projections(settings: Settings, args: argparse.Namespace) -> int:
    """Read-table version operations."""
    from registry.projection_ops import run

    return run(settings, args)


def admin_keys(settings: Settings, args: argparse.Namespace) -> int:
    """Create, list and revoke admin API keys."""
    from registry.admin import run

    return run(settings, args)


def admins(settings: Settings, args: argparse.Namespace) -> int:
    """Named admin accounts of the web console."""
    from registry.admins import run

    return run(settings, args)


def reference(settings: Settings, args: argparse.Namespace) -> int:
    """Load EDAM or SPDX from their packages (progress on stderr), or the de.NBI starter
    reference records."""
    from registry import setup
    from registry.progress import Progress
    from registry.runtime import open_database

    if args.action == "load-denbi":
        from registry import starter

        return starter.run(settings)

    source = "EDAM terms" if args.action == "load-edam" else "SPDX licences"
    shown: list[Progress] = []

    def advance(done: int, total: int) -> None:
        if not shown:
            shown.append(Progress(f"reference: {source}", total))
        shown[0].advance(done - shown[0].done)

    database = open_database(settings)
    try:
        summary = setup.load_reference(database.url, args.action, progress=advance)
    finally:
        database.close()
    if shown:
        shown[0].finish()
    print(
        f"{source} {summary.version}: {summary.total} in the source, {summary.added} added, "
        f"{summary.updated} updated, {summary.newly_obsolete} newly "
        f"{'obsolete' if args.action == 'load-edam' else 'deprecated'}"
    )
    return 0


def submissions(settings: Settings, args: argparse.Namespace) -> int:
    """Erase a submission."""
    from registry.erasure import run

    return run(settings, args)


def biotools(settings: Settings, args: argparse.Namespace) -> int:
    """Sync bio.tools records now."""
    from registry import process

    return process.biotools_sync(settings, args)


def import_export(settings: Settings, args: argparse.Namespace) -> int:
    """Load the existing system's export as events."""
    from registry.importing import run

    return run(settings, args)


def alive(settings: Settings, args: argparse.Namespace) -> int:
    """Health check of a local worker or scheduler: its heartbeat file is recent."""
    import sys

    from registry import failures
    from registry.heartbeat import age, heartbeat_file

    path = heartbeat_file(settings.data_dir, args.process)
    seconds = age(path)
    if seconds is None:
        print(
            f"registry: no heartbeat at {path}: is `registry {args.process}` running with"
            " this REGISTRY_DATA_DIR?",
            file=sys.stderr,
        )
        return failures.CHECK_FAILED
    if seconds > args.max_age:
        print(
            f"registry: the last heartbeat of {args.process} is {seconds:.0f} s old"
            f" (limit {args.max_age:g} s): it is stuck or stopped",
            file=sys.stderr,
        )
        return failures.CHECK_FAILED
    print(f"{args.process} alive ({seconds:.0f} s since the last heartbeat)")
    return failures.OK


def bench(settings: Settings, args: argparse.Namespace) -> int:
    """The side-by-side benchmark."""
    from registry.bench import run

    return run(settings, quick=args.quick, only=args.only)


HANDLERS: dict[str, Handler] = {
    "migrate": migrate,
    "up": up,
    "serve": serve,
    "project": project,
    "worker": worker,
    "schedule": schedule,
    "projections": projections,
    "admin-keys": admin_keys,
    "admins": admins,
    "submissions": submissions,
    "reference": reference,
    "biotools": biotools,
    "import": import_export,
    "alive": alive,
    "bench": bench,
}
