"""``registry migrate``: everything a fresh database needs, created once and idempotently.

The long-running processes never create tables (eventsourcing's ``CREATE_TABLE`` is off for them):
creating the schema from several processes at once can fail, so it happens here only.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg

from projections import operations
from projections.eventstore import open_registry
from schema.settings import Settings
from workers.edam import load_edam
from workers.follower import start_tracking
from workers.reference_data import LoadSummary, Progress
from workers.spdx import load_spdx

log = logging.getLogger("registry.migrate")


def migrate(database_url: str, settings: Settings) -> None:
    """Event store, support tables, read tables, EDAM and SPDX."""
    operations.migrate(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        # Here, not at the first worker start: what is committed in between needs its jobs too.
        start_tracking(conn, _log_head(database_url))
        # EDAM: its parent edges came later than its terms, so a store loaded before them
        # loads again (the terms' upsert then changes nothing).
        for name in ("edam", "spdx"):
            if _empty(conn, "edam_parents" if name == "edam" else "licenses"):
                summary = _load(conn, name)
                log.info("reference data loaded", extra={"source": name, "rows": summary.total})
    log.info("migrate done", extra={"database": _redacted(database_url)})


def _log_head(database_url: str) -> int:
    registry = open_registry(database_url)
    try:
        return int(registry.recorder.max_notification_id() or 0)
    finally:
        registry.close()


def load_reference(database_url: str, action: str, progress: Progress | None = None) -> LoadSummary:
    """``registry reference load-edam|load-spdx``: (re)load one reference source."""
    with psycopg.connect(database_url) as conn:
        return _load(conn, "edam" if action == "load-edam" else "spdx", progress)


def _load(
    conn: psycopg.Connection[Any], name: str, progress: Progress | None = None
) -> LoadSummary:
    loader = load_edam if name == "edam" else load_spdx
    return loader(conn, progress=progress)


def _empty(conn: psycopg.Connection[Any], view: str) -> bool:
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (view,)).fetchone()
    if not exists or not exists[0]:
        return True
    row = conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {view})").fetchone()
    return bool(row and row[0])


def _redacted(url: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    return f"{info.get('host', '')}/{info.get('dbname', '')}"
