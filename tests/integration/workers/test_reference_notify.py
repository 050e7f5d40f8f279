"""A reference-data load committed by any process reaches the catalogue another process caches:
the load's transaction NOTIFYs the reference channel, the process's listener changes its stamp,
and a catalogue following that stamp reads the tables again (no timer involved)."""

from __future__ import annotations

import time

import psycopg
from psycopg_pool import ConnectionPool

from projections.progress import ProgressListener
from projections.reference_catalog import PostgresReferenceCatalog
from workers.reference_data import apply_ddl
from workers.spdx import SpdxLicense, load_spdx


def _deprecated_within(catalog: PostgresReferenceCatalog, licence: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = catalog.license(licence)
        if found is not None and found.is_deprecated:
            return True
    return False


def test_a_licence_deprecated_by_a_load_elsewhere_is_seen_by_a_following_catalogue(
    database_url: str,
) -> None:
    listener = ProgressListener(database_url, poll_interval=0.2)
    pool: ConnectionPool[psycopg.Connection[tuple[object, ...]]] = ConnectionPool(
        database_url, min_size=1, max_size=1, open=True
    )
    try:
        with psycopg.connect(database_url) as conn:
            with conn.transaction():
                apply_ddl(conn, "edam_terms", 1)
            load_spdx(conn, [SpdxLicense("Old-1.0", "Old")], version="1")
        deadline = time.monotonic() + 10
        while listener.reference_stamp() is None and time.monotonic() < deadline:
            listener.wait_for("none", 0, timeout=0.05)
        # An hour's TTL: only the notification can make this catalogue read the tables again.
        catalog = PostgresReferenceCatalog(pool, ttl=3600, stamp=listener.reference_stamp)
        unfollowed = PostgresReferenceCatalog(pool, ttl=3600)
        for cached in (catalog, unfollowed):
            first = cached.license("Old-1.0")
            assert first is not None
            assert not first.is_deprecated

        with psycopg.connect(database_url) as conn:  # "another host" loads a new list
            load_spdx(conn, [SpdxLicense("New-1.0", "New")], version="2")

        assert _deprecated_within(catalog, "Old-1.0", 1.0)
        assert catalog.license("New-1.0") is not None
        assert not _deprecated_within(unfollowed, "Old-1.0", 0.2)  # a timer alone: stale
    finally:
        pool.close()
        listener.close()
