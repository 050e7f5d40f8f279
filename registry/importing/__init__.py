"""``registry import FILE [--media DIR] [--dry-run]``: load the existing system's ``dumpdata``
export as events, and its logos from ``DIR`` (its ``MEDIA_ROOT``) into the media store.

Reference data keeps its ids and active flags; submissions keep their UUIDs, status, tags,
original ``submitted_at``/``updated_at``, every field (legacy licence slugs mapped), IP and UA
hash, their keys (hashes only, so owners keep their plaintext) and their change log as history;
admin keys keep working; bio.tools records keep their last synced content. Legacy values are
recorded as they were, every string verbatim: today's rules apply on the next edit
(``domain.import_commands``; its inputs are ``domain.legacy``). Logos go through the upload
pipeline (``media``). Mapping and ordering rules: ``docs/import.md``.

Running the same import again records nothing (old ids are the aggregate ids; existing ones are
skipped), so a partial failure is fixed by re-running. Progress goes to standard error, the
summary to standard output; the exit status is 1 when any record failed, 2 when the file or the
database cannot be used. Needs a migrated database (``registry migrate``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from eventsourcing.persistence import PersistenceError

from domain.application import Registry
from projections.progress import ProgressListener
from registry.importing.export import (
    ADMIN_KEY,
    KEY,
    SUBMISSION,
    BadRecord,
    Export,
    load_export,
    moment,
    uuid_text,
)
from registry.importing.load import Loader, Summary
from registry.importing.media import Logos
from registry.runtime import Services, opened
from registry.webapp import media_store
from schema.settings import Settings

#: Read tables an importer's user looks at next, and how long to wait for them to catch up.
READ_TABLES = ("submissions", "submission_history", "api_keys", "categories")
CAUGHT_UP_WITHIN = 30.0


def run(settings: Settings, args: argparse.Namespace) -> int:
    """The ``import`` sub-command."""
    path = Path(args.file)
    try:
        export = load_export(path)
    except (OSError, ValueError) as exc:
        print(f"registry: cannot read the export {path}: {exc}", file=sys.stderr)
        return 2
    before, after = export.skipped_lines
    if before or after:
        print(
            f"registry: warning: skipped {before} line(s) before and {after} after the JSON list "
            f"in {path} (log output captured with the export? `dumpdata … -o FILE` avoids it)",
            file=sys.stderr,
        )
    logos = sum(1 for obj in export.of(SUBMISSION) if obj.fields.get("logo"))
    media = Path(args.media) if args.media else None
    if logos and media is None and not args.without_logos:
        print(
            f"registry: the export references {logos} logo(s): pass --media DIR (the old "
            "system's MEDIA_ROOT) to carry them over, or --without-logos to import without them",
            file=sys.stderr,
        )
        return 2
    if media is not None and not media.is_dir():
        print(f"registry: --media {media} is not a directory", file=sys.stderr)
        return 2
    with opened(settings) as (_, services):
        try:
            head = services.registry.recorder.max_notification_id()
        except PersistenceError as exc:
            print(
                f"registry: the event store is not ready ({exc}); run `registry migrate` first",
                file=sys.stderr,
            )
            return 2
        # The configured store: the bucket of REGISTRY_MEDIA_S3_BUCKET, else the directory.
        store = None if args.dry_run else media_store(settings)
        carrier = Logos(media, store, settings.logo_max_bytes) if media else None
        summary = _load(services, export, carrier, dry_run=bool(args.dry_run))
        summary.report(sys.stdout, dry_run=bool(args.dry_run))
        if not args.dry_run:
            _keep_last_use(services, export)
            _wait_for_read_tables(services, head)
    return 1 if summary.failed else 0


def _load(services: Services, export: Export, logos: Logos | None, *, dry_run: bool) -> Summary:
    if not dry_run:
        return Loader(services.registry, export, sys.stderr, logos=logos).run()
    scratch = Registry()
    try:
        return Loader(
            scratch, export, sys.stderr, existing=services.registry.exists, logos=logos
        ).run()
    finally:
        scratch.close()


_LAST_USE = """INSERT INTO key_usage (key_id, last_used_at) VALUES (%s, %s)
ON CONFLICT (key_id) DO UPDATE SET last_used_at = EXCLUDED.last_used_at
WHERE key_usage.last_used_at < EXCLUDED.last_used_at"""


def _keep_last_use(services: Services, export: Export) -> None:
    """Keys' ``last_used_at`` goes to the ``key_usage`` table (never an event, see
    ``domain.keys``); a later use recorded here already is kept."""
    used = []
    for obj in export.of(KEY) + export.of(ADMIN_KEY):
        raw = obj.fields.get("last_used_at")
        if raw:
            try:
                used.append((uuid_text(obj.pk), moment(raw, "last_used_at")))
            except BadRecord:
                continue  # the key itself imported; only its last use is unknown
    if used:
        with services.pool.connection() as conn:
            conn.cursor().executemany(_LAST_USE, used)


def _wait_for_read_tables(services: Services, before: int | None) -> None:
    head = services.registry.recorder.max_notification_id()
    if head is None or head == before:
        return
    listener = ProgressListener(services.database_url, poll_interval=0.2)
    deadline = time.monotonic() + CAUGHT_UP_WITHIN  # one budget for all tables
    try:
        lagging = [
            name
            for name in READ_TABLES
            if not listener.wait_for(name, head, max(0.0, deadline - time.monotonic()))
        ]
    finally:
        listener.close()
    if lagging:
        print(
            f"registry: recorded; the read tables ({', '.join(lagging)}) show it once a "
            "projection runner has caught up (is `registry up` or `registry project` running?)",
            file=sys.stderr,
        )
