"""``registry projections …``: the counterparts of Django's migration commands."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from projections import operations, repair
from projections.follow import Progress
from registry.runtime import open_database
from schema.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run one projections action; ``check`` exits 1 when something is not as the code expects."""
    if args.action == "ddl":
        print(operations.ddl(args.name, args.version))
        return 0
    if args.action == "check" and args.max_lag is None:
        args.max_lag = settings.projections_max_lag  # the flag overrides the setting
    database = open_database(settings)
    try:
        return _ACTIONS[args.action](database.url, args)
    finally:
        database.close()


def _status(url: str, args: argparse.Namespace) -> int:
    lines = operations.status(url)
    if getattr(args, "json", False):
        print(json.dumps([asdict(s) for s in lines], default=str, indent=2))
        return 0
    print(
        f"{'projection':<22}{'version':>8}  {'state':<10}{'position':>10}{'lag':>8}"
        f"{'quarantined':>13}  live"
    )
    for s in lines:
        live = "*" if s.live else ""
        print(
            f"{s.name:<22}{s.version:>8}  {s.state:<10}{s.position:>10}{s.lag:>8}"
            f"{s.quarantined:>13}  {live}"
        )
    return 0


def _quarantine(url: str, args: argparse.Namespace) -> int:
    """``quarantine list|retry|skip``: see ``projections.repair``."""
    if args.quarantine == "list":
        found = repair.listing(url)
        for e in found:
            wish = f"  [{e.requested} requested]" if e.requested else ""
            row = f"{e.row_table or 'aggregate'} {e.row_key}"
            print(f"{e.name} v{e.version}  event {e.position} ({e.topic})  {row}{wish}")
            print(f"    {e.error.splitlines()[0] if e.error else ''}")
        if not found:
            print("no quarantined rows")
        return 0
    skip = args.position if args.quarantine == "skip" else None
    outcome = repair.retry(url, args.name, args.version, skip=skip)
    if outcome.released is not None:
        done = outcome.released
        print(f"applied {done.applied} held event(s), skipped {done.skipped}")
    print(f"{args.name} v{args.version}: {outcome.still_quarantined} row(s) still quarantined")
    return 1 if outcome.still_quarantined else 0


def _check(url: str, args: argparse.Namespace) -> int:
    problems = operations.check(url, max_lag=args.max_lag)
    if getattr(args, "json", False):
        print(json.dumps({"ok": not problems, "problems": problems}, indent=2))
        return 1 if problems else 0
    for problem in problems:
        print(problem)
    if not problems:
        print(f"all projections are live and caught up (at most {args.max_lag} events behind)")
    return 1 if problems else 0


def _bar(progress: Progress) -> None:
    """A one-line progress bar with rate and ETA on stderr."""
    total = max(progress.head, 1)
    width = 30
    filled = min(width, int(width * progress.position / total))
    eta = "?" if progress.eta is None else f"{progress.eta:,.0f}s"
    sys.stderr.write(
        f"\r[{'#' * filled}{'-' * (width - filled)}] {progress.position}/{progress.head}"
        f"  {progress.rate:,.0f} events/s  ETA {eta}   "
    )
    sys.stderr.flush()


def _rebuild(url: str, args: argparse.Namespace) -> int:
    operations.rebuild(url, args.name, args.version, progress=_bar)
    sys.stderr.write("\n")
    print(
        f"{args.name} v{args.version} rebuilt; promote it with "
        f"`registry projections promote {args.name} {args.version}`"
    )
    return 0


def _promote(url: str, args: argparse.Namespace) -> int:
    operations.promote(url, args.name, args.version)
    print(f"{args.name} now reads from v{args.version}")
    return 0


def _rollback(url: str, args: argparse.Namespace) -> int:
    version = operations.rollback(url, args.name)
    print(f"{args.name} now reads from v{version}")
    return 0


def _retire(url: str, args: argparse.Namespace) -> int:
    operations.retire(url, args.name, args.version)
    print(f"{args.name} v{args.version} retired")
    return 0


_ACTIONS = {
    "status": _status,
    "check": _check,
    "rebuild": _rebuild,
    "promote": _promote,
    "rollback": _rollback,
    "retire": _retire,
    "quarantine": _quarantine,
}
