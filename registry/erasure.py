"""``registry submissions erase ID [--reason TEXT]``: erase a submission from the command line.

The same command as ``POST /api/v1/submissions/{id}/erase/`` (recorded as ``admin:cli``); what
it removes is in ``docs/erasure.md``. Exit codes (one line on stderr for each failure):

- 0: erased (the line printed names the version and time of the ``Erased`` event);
- 2: the id is not a UUID, or the reason is too long;
- 3: no submission has this id;
- 4: the submission was already erased (nothing is recorded again).
"""

from __future__ import annotations

import argparse
import sys
from uuid import UUID

from domain.errors import Gone, NotFound, ValidationFailed
from projections.progress import ProgressListener
from registry.runtime import opened
from schema.settings import Settings

EXIT_ERASED = 0
EXIT_USAGE = 2
EXIT_UNKNOWN = 3
EXIT_ALREADY_ERASED = 4

ACTOR = "admin:cli"
#: How long the command waits for the read tables to show the erasure before saying so.
VISIBLE_WITHIN = 10.0


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Erase ``args.id`` with ``args.reason``; the exit code says what happened."""
    try:
        submission_id = UUID(args.id)
    except ValueError:
        print(f"registry: not a submission id: {args.id!r}", file=sys.stderr)
        return EXIT_USAGE
    with opened(settings, pool_size=2) as (_, services):
        try:
            done = services.registry.erase_submission(
                submission_id, actor=ACTOR, reason=args.reason or ""
            )
        except Gone:
            print(
                f"registry: submission {submission_id} was already erased; nothing recorded",
                file=sys.stderr,
            )
            return EXIT_ALREADY_ERASED
        except NotFound:
            print(f"registry: no submission {submission_id}", file=sys.stderr)
            return EXIT_UNKNOWN
        except ValidationFailed as exc:
            print(f"registry: --reason: {' '.join(exc.errors['reason'])}", file=sys.stderr)
            return EXIT_USAGE
        visible = done.position is None or _visible(services.database_url, done.position)
    if not visible:
        print(
            "registry: erased; the read tables drop it once a projection runner has caught up"
            " (is `registry up` or `registry project` running?)",
            file=sys.stderr,
        )
    print(f"erased {submission_id} (version {done.version}, {done.erased_at.isoformat()})")
    return EXIT_ERASED


def _visible(database_url: str, position: int) -> bool:
    listener = ProgressListener(database_url, poll_interval=0.2)
    try:
        return all(
            listener.wait_for(name, position, VISIBLE_WITHIN)
            for name in ("submissions", "submission_history")
        )
    finally:
        listener.close()
